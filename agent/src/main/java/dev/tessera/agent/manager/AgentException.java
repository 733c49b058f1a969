package dev.tessera.agent.manager;

/**
 * A request the token manager cannot serve; {@link #code} says why in a word a client can act on, the
 * message in words a person can.
 */
public final class AgentException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why a request failed. */
    public enum Code {
        /** The request is malformed or ambiguous: fix it. */
        INVALID_REQUEST,
        /** The user has no stored grant for the issuer and client: store one first. */
        NO_GRANT,
        /** The issuer refused (the grant does not cover the request, or the refresh token is dead). */
        REFUSED,
        /** The issuer cannot be reached, and no cached token serves the request. */
        UNAVAILABLE,
        /** The agent failed (its store cannot be read or written). */
        INTERNAL;

        /** The lower-case name used on the wire ({@code no_grant}...). */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** The code of a wire label, or {@link #INTERNAL} for one this version does not know. */
        public static Code of(String label) {
            for (Code code : values()) {
                if (code.label().equals(label)) {
                    return code;
                }
            }
            return INTERNAL;
        }
    }

    private final Code code;

    public AgentException(Code code, String message) {
        super(message);
        this.code = code;
    }

    public AgentException(Code code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public Code code() {
        return code;
    }
}
