package dev.tessera.token;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Receives each step of a verification, for diagnosis ({@code tessera verify --explain}). The
 * default, {@link #NONE}, is disabled, and the verifier then builds no step text at all.
 */
public interface Trace {
    /** What a step found. */
    enum Status { PASS, FAIL, INFO }

    /**
     * One step.
     *
     * @param check a stable name: {@code parse}, {@code header}, {@code issuer}, {@code discovery},
     *              {@code jwks}, {@code key}, {@code signature}, {@code profile}, {@code claims},
     *              {@code exp}, {@code nbf}, {@code iat}, {@code lifetime}, {@code audience},
     *              {@code scope}, {@code cache}, {@code access}
     * @param status whether it passed
     * @param detail a human sentence
     */
    record Step(String check, Status status, String detail) {
    }

    /** A trace that records nothing. */
    Trace NONE = new Trace() {
        @Override
        public boolean enabled() {
            return false;
        }

        @Override
        public void step(String check, Status status, String detail) {
        }
    };

    /** Whether steps are wanted; callers skip building detail text when not. */
    boolean enabled();

    void step(String check, Status status, String detail);

    default void pass(String check, String detail) {
        step(check, Status.PASS, detail);
    }

    default void fail(String check, String detail) {
        step(check, Status.FAIL, detail);
    }

    default void info(String check, String detail) {
        step(check, Status.INFO, detail);
    }

    /** A trace that keeps every step in order. */
    static Recorder recorder() {
        return new Recorder();
    }

    /** Keeps the steps of one verification. Not thread-safe: one per verification. */
    final class Recorder implements Trace {
        private final List<Step> steps = new ArrayList<>();

        @Override
        public boolean enabled() {
            return true;
        }

        @Override
        public void step(String check, Status status, String detail) {
            steps.add(new Step(check, status, SafeText.bound(detail)));
        }

        public List<Step> steps() {
            return Collections.unmodifiableList(steps);
        }
    }
}
