package dev.tessera.agent.shell;

import dev.tessera.agent.access.TokenInfo;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Keeps a token file fresh while a command runs: renews at two thirds of the token's lifetime, or earlier
 * when less than the minimum lifetime would be left, so a command reading the file always finds a token
 * with time to use it. A failed renewal is retried (30 s, doubling to 5 min) while the current token is
 * still valid; the command keeps the old token meanwhile.
 */
public final class TokenRenewer implements AutoCloseable {
    /** Renews the token where the command reads it and returns what it wrote. */
    @FunctionalInterface
    public interface Source {
        TokenInfo renew() throws Exception;
    }

    private static final Duration FIRST_RETRY = Duration.ofSeconds(30);
    private static final Duration LAST_RETRY = Duration.ofMinutes(5);
    /** The least time between two renewals, so a token that lives less than the minimum cannot cause a loop. */
    private static final Duration LEAST_GAP = Duration.ofSeconds(10);

    private final Source source;
    private final Duration minLifetime;
    private final Clock clock;
    private final Consumer<String> warnings;
    private final ScheduledExecutorService scheduler;
    private volatile TokenInfo current;
    private volatile Instant due;
    private Duration retry = FIRST_RETRY;

    /**
     * @param current     the token in the file now
     * @param minLifetime the least lifetime the file's token should have left
     * @param warnings    where failed renewals are reported
     */
    public TokenRenewer(Source source, TokenInfo current, Duration minLifetime, Clock clock, Consumer<String> warnings) {
        this.source = source;
        this.minLifetime = minLifetime;
        this.clock = clock;
        this.warnings = warnings;
        this.current = current;
        this.due = dueFor(current, clock.instant());
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "tessera-token-renewer");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** When the next renewal is due. */
    public Instant nextRenewal() {
        return due;
    }

    /** The token in the file. */
    public TokenInfo current() {
        return current;
    }

    /** Renews in the background from now on. */
    public void start() {
        schedule();
    }

    /** Renews now if it is due; what the background thread runs. True when a new token was written. */
    public synchronized boolean renewIfDue() {
        Instant now = clock.instant();
        if (now.isBefore(due)) {
            return false;
        }
        try {
            current = source.renew();
            retry = FIRST_RETRY;
            due = dueFor(current, clock.instant());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (Exception e) {
            Duration left = current.remaining(now);
            warnings.accept("cannot renew the token (" + e.getMessage() + "); "
                    + (left.isNegative() ? "it has expired" : "the current one is valid for " + left.toSeconds() + " s more")
                    + ", retrying in " + retry.toSeconds() + " s");
            due = now.plus(retry);
            Duration doubled = retry.multipliedBy(2);
            retry = doubled.compareTo(LAST_RETRY) > 0 ? LAST_RETRY : doubled;
            return false;
        }
    }

    /** Two thirds into the token's life, or {@code minLifetime} before it ends if that comes first. */
    Instant dueFor(TokenInfo token, Instant now) {
        Instant expires = token.expiresAt() == null ? now : token.expiresAt();
        Instant issued = token.issuedAt() == null ? now : token.issuedAt();
        Instant atTwoThirds = issued.plus(Duration.between(issued, expires).multipliedBy(2).dividedBy(3));
        Instant beforeMinimum = expires.minus(minLifetime);
        Instant at = atTwoThirds.isBefore(beforeMinimum) ? atTwoThirds : beforeMinimum;
        Instant earliest = now.plus(LEAST_GAP);
        return at.isBefore(earliest) ? earliest : at;
    }

    private void schedule() {
        if (scheduler.isShutdown()) {
            return;
        }
        long delay = Math.max(0, Duration.between(clock.instant(), due).toMillis());
        try {
            scheduler.schedule(() -> {
                renewIfDue();
                schedule();
            }, delay, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed meanwhile
        }
    }

    /** Stops renewing (waiting for a renewal in progress, so the file is not written after the command ends). */
    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
