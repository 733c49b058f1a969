package dev.tessera.cli;

/** A usage or configuration problem the user can fix (exit status 2): a missing file, a bad option value. */
final class UsageError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageError(String message) {
        super(message);
    }

    UsageError(String message, Throwable cause) {
        super(message, cause);
    }
}
