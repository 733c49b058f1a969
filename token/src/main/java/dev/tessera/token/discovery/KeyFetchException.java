package dev.tessera.token.discovery;

/** An issuer's keys could not be obtained: discovery failed, the JWKS was unreachable or unusable. */
public class KeyFetchException extends Exception {
    private static final long serialVersionUID = 1L;

    public KeyFetchException(String message) {
        super(message);
    }

    public KeyFetchException(String message, Throwable cause) {
        super(message, cause);
    }
}
