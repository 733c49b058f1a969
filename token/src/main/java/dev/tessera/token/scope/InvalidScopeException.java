package dev.tessera.token.scope;

/** A scope or path that breaks the scope language rules (traversal, missing path, bad characters). */
public class InvalidScopeException extends Exception {
    private static final long serialVersionUID = 1L;

    public InvalidScopeException(String message) {
        super(message);
    }
}
