package dev.tessera.token.bearer;

import dev.tessera.token.files.PrivateFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Writes bearer-token files: mode 0600, replaced atomically, so a reader never sees a partial token. */
public final class TokenFiles {
    private TokenFiles() {
    }

    /**
     * Writes {@code token} and a newline to {@code file}.
     *
     * @throws IllegalArgumentException when {@code token} is not an RFC 6750 bearer token (nothing is written)
     */
    public static void write(Path file, String token) throws IOException {
        if (!BearerTokenDiscovery.isBearerToken(token)) {
            throw new IllegalArgumentException("not a bearer token (RFC 6750 characters only)");
        }
        PrivateFiles.writeAtomically(file, (token + "\n").getBytes(StandardCharsets.US_ASCII));
    }
}
