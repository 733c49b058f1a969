package dev.tessera.agent.shell;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;

/**
 * Passes the signals a wrapper receives on to the command it runs, so {@code kill -TERM <wrapper>} or a
 * hang-up stops the command as it would stop a shell, and the wrapper then exits with the command's status.
 * SIGTERM and SIGHUP are forwarded. SIGINT is only kept from stopping the JVM: a terminal sends Ctrl-C to
 * the whole foreground process group, command included, so forwarding it would deliver it twice.
 *
 * <p>The JDK's only signal API is {@code sun.misc.Signal} (module {@code jdk.unsupported}); it is used
 * reflectively so the build has no internal-API warnings, and where it is missing nothing is installed.
 * Handlers are Java handlers, never "ignore", because an ignored signal would stay ignored in the command.
 */
public final class SignalForwarding implements AutoCloseable {
    private static final List<String> FORWARDED = List.of("TERM", "HUP");
    private static final List<String> ABSORBED = List.of("INT");

    private final List<Runnable> restore = new ArrayList<>();
    /** Signals that came before the process existed, passed on once it does. */
    private final List<String> pending = new ArrayList<>();
    private Process process;

    private SignalForwarding() {
    }

    /**
     * Takes over TERM and HUP (to forward them) and INT (to keep it from stopping this JVM) until closed.
     * Install before starting the command, so no signal in between ends this JVM and orphans the command;
     * then name the command with {@link #forwardTo}.
     */
    public static SignalForwarding install() {
        SignalForwarding forwarding = new SignalForwarding();
        for (String name : FORWARDED) {
            forwarding.install(name, () -> forwarding.received(name));
        }
        for (String name : ABSORBED) {
            forwarding.install(name, () -> { });
        }
        return forwarding;
    }

    /** From now on, forwards to {@code command}, starting with any signal that came before it existed. */
    public synchronized void forwardTo(Process command) {
        this.process = command;
        pending.forEach(name -> send(command, name));
        pending.clear();
    }

    private synchronized void received(String name) {
        if (process == null) {
            pending.add(name);
        } else {
            send(process, name);
        }
    }

    /**
     * Runs {@code action} whenever this JVM receives {@code signal} (e.g. {@code "HUP"}), instead of the
     * default behaviour, until closed.
     */
    public static SignalForwarding on(String signal, Runnable action) {
        SignalForwarding handling = new SignalForwarding();
        handling.install(signal, action);
        return handling;
    }

    private static void send(Process process, String signal) {
        if (!process.isAlive()) {
            return;
        }
        try {
            new ProcessBuilder("kill", "-s", signal, Long.toString(process.pid()))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start().waitFor();
        } catch (java.io.IOException e) {
            if (signal.equals("TERM")) {
                process.destroy(); // SIGTERM without kill(1)
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void install(String name, Runnable action) {
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Object signal = signalClass.getConstructor(String.class).newInstance(name);
            InvocationHandler invocation = (proxy, method, args) -> invoke(proxy, method, args, action);
            Object handler = Proxy.newProxyInstance(SignalForwarding.class.getClassLoader(), new Class<?>[] {handlerClass},
                    invocation);
            Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
            Object previous = handle.invoke(null, signal, handler);
            restore.add(() -> {
                try {
                    handle.invoke(null, signal, previous);
                } catch (ReflectiveOperationException e) {
                    // the JVM keeps our handler, which only forwards to a process that has ended
                }
            });
        } catch (ReflectiveOperationException | RuntimeException e) {
            // no sun.misc.Signal, or the signal is reserved by this JVM: the default behaviour stays
        }
    }

    private static Object invoke(Object proxy, Method method, Object[] args, Runnable action) {
        return switch (method.getName()) {
            case "handle" -> {
                action.run();
                yield null;
            }
            case "hashCode" -> System.identityHashCode(proxy);
            case "equals" -> proxy == args[0];
            default -> "tessera signal forwarding";
        };
    }

    /** Puts the previous handlers back. */
    @Override
    public void close() {
        restore.forEach(Runnable::run);
        restore.clear();
    }
}
