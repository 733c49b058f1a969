package dev.tessera.agent.get;

/** A token could not be obtained; the message says why, for a person. */
public final class GetException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Whose problem it is. */
    public enum Kind {
        /** The request cannot be served as given (e.g. no client named); the user must change it. */
        USAGE,
        /** The issuer refused, the person denied, or the answer gave more than asked. */
        REFUSED
    }

    private final Kind kind;

    /** A failure of {@code kind}, explained by {@code message}. */
    public GetException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    /** A failure of {@code kind} caused by {@code cause}. */
    public GetException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    /** Whose problem it is. */
    public Kind kind() {
        return kind;
    }
}
