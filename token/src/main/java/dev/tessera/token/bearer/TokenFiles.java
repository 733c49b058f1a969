package dev.tessera.token.bearer;

import dev.tessera.token.files.PrivateFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Writes bearer-token files: mode 0600, replaced atomically, so a reader never sees a partial token. */
public final class TokenFiles {
    private TokenFiles() {
    }

    /** Writes {@code token} and a newline to {@code file}. */
    public static void write(Path file, String token) throws IOException {
        PrivateFiles.writeAtomically(file, (token + "\n").getBytes(StandardCharsets.US_ASCII));
    }
}
