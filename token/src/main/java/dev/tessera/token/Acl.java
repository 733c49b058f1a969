package dev.tessera.token;

/**
 * One access a token grants, in the service's terms: an authorization and the path it applies to
 * (the scope path placed under the issuer's base path), or {@code null} for a named capability.
 */
public record Acl(String authz, String path) {
    @Override
    public String toString() {
        return path == null ? authz : authz + ":" + path;
    }
}
