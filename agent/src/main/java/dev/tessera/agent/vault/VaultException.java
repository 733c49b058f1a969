package dev.tessera.agent.vault;

import java.io.IOException;
import java.nio.file.Path;

/** The vault file cannot be used as it is; the message says why and what to do. The file is left untouched. */
public final class VaultException extends IOException {
    private static final long serialVersionUID = 1L;

    /** What is wrong. */
    public enum Kind {
        /** Not a vault this version can read: damaged or edited by hand. */
        CORRUPT,
        /** Encrypted, and no passphrase was given. */
        PASSPHRASE_REQUIRED,
        /** Encrypted, and the passphrase does not open it (or the ciphertext was altered). */
        WRONG_PASSPHRASE,
        /** Readable or writable by other users. */
        INSECURE_PERMISSIONS
    }

    private final Kind kind;
    private final Path file;

    VaultException(Kind kind, Path file, String message) {
        super(message);
        this.kind = kind;
        this.file = file;
    }

    /** What is wrong with the file. */
    public Kind kind() {
        return kind;
    }

    /** The vault file. */
    public Path file() {
        return file;
    }
}
