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

    public GetException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public GetException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
