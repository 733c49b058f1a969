package dev.tessera.cli;

import dev.tessera.token.bearer.BearerTokenDiscovery;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Where a command's token comes from: the argument, standard input ({@code -}), or, with no argument,
 * WLCG bearer-token discovery.
 *
 * @param token the token text, whitespace stripped
 * @param source a human description of where it was found
 * @param discovery the discovery steps, when discovery was used
 */
record TokenInput(String token, String source, List<BearerTokenDiscovery.Step> discovery) {

    /** Reads the token; throws {@link UsageError} when there is none. */
    static TokenInput read(String argument, InputStream stdin) {
        if (argument == null) {
            BearerTokenDiscovery.Result result = BearerTokenDiscovery.fromEnvironment().discover();
            if (!result.found()) {
                throw new UsageError(result.error() + "; give the token as an argument, '-' for standard input,"
                        + " or set BEARER_TOKEN / BEARER_TOKEN_FILE (see: tessera discover)");
            }
            return new TokenInput(result.token(), "bearer token discovery: " + result.source(), result.steps());
        }
        if (argument.equals("-")) {
            try {
                byte[] bytes = stdin.readNBytes(1024 * 1024);
                String token = new String(bytes, StandardCharsets.UTF_8).strip();
                if (token.isEmpty()) {
                    throw new UsageError("no token on standard input");
                }
                return new TokenInput(token, "standard input", List.of());
            } catch (IOException e) {
                throw new UsageError("cannot read standard input: " + e.getMessage(), e);
            }
        }
        if (argument.isBlank()) {
            throw new UsageError("the token argument is empty");
        }
        return new TokenInput(argument.strip(), "command line", List.of());
    }
}
