package dev.tessera.issuer.service;

/**
 * A request refused with an OAuth error (RFC 6749 §5.2 and the RFCs that add codes): the code, a
 * description for the client's developer, and the HTTP status.
 */
public final class OAuthException extends Exception {
    private final String error;
    private final int status;

    public OAuthException(String error, String description, int status) {
        super(description, null, false, false); // expected and frequent: no stack trace
        this.error = error;
        this.status = status;
    }

    public static OAuthException invalidRequest(String description) {
        return new OAuthException("invalid_request", description, 400);
    }

    public static OAuthException invalidClient(String description) {
        return new OAuthException("invalid_client", description, 401);
    }

    public static OAuthException invalidGrant(String description) {
        return new OAuthException("invalid_grant", description, 400);
    }

    public static OAuthException unauthorizedClient(String description) {
        return new OAuthException("unauthorized_client", description, 400);
    }

    public static OAuthException invalidScope(String description) {
        return new OAuthException("invalid_scope", description, 400);
    }

    /** RFC 8707 / RFC 8693: an audience or resource this client may not have. */
    public static OAuthException invalidTarget(String description) {
        return new OAuthException("invalid_target", description, 400);
    }

    public String error() {
        return error;
    }

    public String description() {
        return getMessage();
    }

    public int status() {
        return status;
    }
}
