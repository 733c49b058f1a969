package dev.tessera.token;

/**
 * A token was refused. Carries a machine-readable {@link Reason} and a short message that is
 * safe to log and show: values taken from the token are escaped and truncated (see {@link SafeText}).
 */
public class TokenException extends Exception {
    private static final long serialVersionUID = 1L;

    private final Reason reason;

    public TokenException(Reason reason, String message) {
        super(SafeText.bound(message));
        this.reason = reason;
    }

    public TokenException(Reason reason, String message, Throwable cause) {
        super(SafeText.bound(message), cause);
        this.reason = reason;
    }

    /** Why the token was refused. */
    public Reason reason() {
        return reason;
    }
}
