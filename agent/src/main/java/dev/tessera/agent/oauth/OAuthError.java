package dev.tessera.agent.oauth;

/**
 * The issuer refused a request with an OAuth error ({@code invalid_grant}, {@code access_denied},
 * {@code slow_down}...). A missing answer is an {@link java.io.IOException} instead.
 */
public final class OAuthError extends Exception {
    private static final long serialVersionUID = 1L;

    /** RFC 8628 §3.5: the person has not decided yet. */
    public static final String AUTHORIZATION_PENDING = "authorization_pending";
    /** RFC 8628 §3.5: polling too fast; wait 5 seconds longer from now on. */
    public static final String SLOW_DOWN = "slow_down";
    /** RFC 8628 §3.5: the person denied the request. */
    public static final String ACCESS_DENIED = "access_denied";
    /** RFC 8628 §3.5: the device code expired before it was approved. */
    public static final String EXPIRED_TOKEN = "expired_token";
    /** RFC 6749 §5.2: the refresh token (or device code) is invalid, expired or revoked. */
    public static final String INVALID_GRANT = "invalid_grant";
    /** RFC 6749 §5.2: the scope asked for is not held. */
    public static final String INVALID_SCOPE = "invalid_scope";
    /** RFC 8707 §2: the audience asked for is not allowed. */
    public static final String INVALID_TARGET = "invalid_target";

    private final String code;
    private final String description;
    private final int status;

    /**
     * @param code        the OAuth error code
     * @param description the {@code error_description}, or {@code null}
     * @param status      the HTTP status of the answer, or 0 when the client decided
     */
    public OAuthError(String code, String description, int status) {
        super(code + (description == null || description.isBlank() ? "" : ": " + description));
        this.code = code;
        this.description = description;
        this.status = status;
    }

    /** The OAuth error code. */
    public String code() {
        return code;
    }

    /** The issuer's {@code error_description}, or {@code null}. */
    public String description() {
        return description;
    }

    /** The HTTP status of the answer (0 when the error was decided by the client). */
    public int status() {
        return status;
    }

    /** Whether this is the error {@code errorCode}. */
    public boolean is(String errorCode) {
        return code.equals(errorCode);
    }
}
