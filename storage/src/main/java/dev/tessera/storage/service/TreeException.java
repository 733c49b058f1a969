package dev.tessera.storage.service;

/** A file-tree operation that cannot be done, with the HTTP status that says why. */
public final class TreeException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int status;

    public TreeException(int status, String message) {
        super(message);
        this.status = status;
    }

    public TreeException(int status, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
    }

    /** 404, 405, 409, 412, 400, 403, 507 or 500. */
    public int status() {
        return status;
    }
}
