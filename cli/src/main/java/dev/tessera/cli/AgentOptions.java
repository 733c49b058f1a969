package dev.tessera.cli;

import dev.tessera.agent.access.AccessRequest;
import dev.tessera.agent.manager.AgentException;
import dev.tessera.agent.manager.MintRequest;
import dev.tessera.agent.socket.AgentClient;
import dev.tessera.token.scope.InvalidScopeException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/** The options of the agent's clients ({@code tessera run}, {@code tessera agent store|token|list|forget}). */
final class AgentOptions {
    private AgentOptions() {
    }

    /** {@code --socket}: where the agent listens. */
    static final class Socket {
        @Option(names = "--socket", paramLabel = "PATH", description = "The agent's socket (default: $"
                + AgentClient.SOCKET_ENV + ", else agent.sock in the agent's default data directory, "
                + "$XDG_DATA_HOME/tessera/agent).")
        Path socket;

        Path path(Map<String, String> env) {
            return socket != null ? socket : defaultSocket(env);
        }

        /** One exchange with the agent, on a connection of its own. */
        <T> T call(Map<String, String> env, Call<T> call) throws IOException, AgentException {
            try (AgentClient agent = AgentClient.connect(path(env))) {
                return call.on(agent);
            }
        }
    }

    /** What a command asks the agent. */
    @FunctionalInterface
    interface Call<T> {
        T on(AgentClient agent) throws IOException, AgentException;
    }

    /** {@code $TESSERA_AGENT_SOCKET}, else {@code agent.sock} in the agent's default data directory. */
    static Path defaultSocket(Map<String, String> env) {
        String named = env.get(AgentClient.SOCKET_ENV);
        return named != null && !named.isBlank() ? Path.of(named) : ServerOptions.defaultData("agent").resolve("agent.sock");
    }

    /** What a job's token must allow. */
    static final class Request {
        @Option(names = {"-i", "--issuer"}, paramLabel = "URL",
                description = "The issuer of the grant to use (default: your only one).")
        String issuer;

        @Option(names = "--client-id", paramLabel = "ID",
                description = "The client of the grant (default: your only one at the issuer).")
        String clientId;

        @Option(names = "--scopes", paramLabel = "\"S1 S2\"",
                description = "Capabilities the token must have, exactly, e.g. \"read:/ligo/O4 storage.create:/user/alice\" "
                        + "(default: all the grant holds).")
        String scopes;

        @Option(names = "--audience", paramLabel = "A", description = "The token's audience (repeatable; default: the VO's).")
        List<String> audiences = new ArrayList<>();

        @Option(names = "--min-lifetime", paramLabel = "DURATION", defaultValue = "60s", converter = Durations.class,
                description = "The least lifetime the token must have left, e.g. 10m (default: ${DEFAULT-VALUE}).")
        Duration minLifetime;

        @Option(names = "--lifetime", paramLabel = "DURATION", converter = Durations.class,
                description = "The lifetime to ask the issuer for (default: its own; it caps what is asked).")
        Duration lifetime;

        MintRequest mintRequest() {
            if (minLifetime.isNegative()) {
                throw new UsageError("--min-lifetime cannot be negative");
            }
            if (lifetime != null && (lifetime.isNegative() || lifetime.isZero())) {
                throw new UsageError("--lifetime must be positive");
            }
            try {
                return new MintRequest(issuer, clientId, AccessRequest.parse(scopes, audiences, minLifetime), lifetime, null);
            } catch (InvalidScopeException e) {
                throw new UsageError("--scopes: " + e.getMessage());
            }
        }
    }

    /** A client command's body, which may fail the ways talking to the agent fails. */
    @FunctionalInterface
    interface Body {
        int run() throws AgentException, IOException, InterruptedException;
    }

    /**
     * Runs {@code body}: an agent's error is printed and exits 1 (2 for an invalid request); no agent at the
     * socket exits 1.
     */
    static int run(String command, PrintWriter err, Body body) throws InterruptedException {
        try {
            return body.run();
        } catch (AgentException e) {
            err.println("tessera " + command + ": " + e.getMessage());
            return e.code() == AgentException.Code.INVALID_REQUEST ? Tessera.USAGE : Tessera.INVALID;
        } catch (IOException e) {
            err.println("tessera " + command + ": " + FileErrors.describe(e));
            return Tessera.INVALID;
        }
    }
}
