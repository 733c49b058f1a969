package dev.tessera.token.scope;

import java.util.Objects;
import java.util.Set;

/**
 * One scope of a token: an authorization with a path ({@code read:/ligo}, {@code storage.create:/user/alice},
 * {@code condor:/WRITE}) or a named capability ({@code compute.create}, {@code gwdatafind.read},
 * {@code offline_access}, LSST's {@code read:tap}).
 *
 * <p>Parsing follows the SciTokens and WLCG rules: {@code read}, {@code write} and {@code storage.*}
 * need a path (a token with {@code storage.read} alone is invalid); {@code queue}, {@code execute} and
 * {@code condor} default to {@code /}; a path must not contain {@code ..} in any encoding. A value
 * after a path authorization that does not start with {@code /} is not a path: the whole scope is
 * kept as an opaque name ({@code read:tap}) and never grants access to files.
 */
public final class Scope {
    /** Authorizations whose scopes must carry a path. */
    static final Set<String> PATH_REQUIRED = Set.of(
            "read", "write", "storage.read", "storage.create", "storage.modify", "storage.stage", "storage.poll");
    /** Authorizations whose path defaults to {@code /}. */
    static final Set<String> PATH_OPTIONAL = Set.of("queue", "execute", "condor");

    private final String authz;
    private final ResourcePath path;

    private Scope(String authz, ResourcePath path) {
        this.authz = authz;
        this.path = path;
    }

    /** Parses one scope token (no spaces). */
    public static Scope parse(String text) throws InvalidScopeException {
        if (text.isEmpty()) {
            throw new InvalidScopeException("empty scope");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            // RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E )
            if (c <= 0x20 || c == '"' || c == '\\' || c >= 0x7f) {
                throw new InvalidScopeException("scope contains a character RFC 6749 does not allow");
            }
        }
        int colon = text.indexOf(':');
        String name = colon < 0 ? text : text.substring(0, colon);
        boolean required = PATH_REQUIRED.contains(name);
        if (!required && !PATH_OPTIONAL.contains(name)) {
            return new Scope(text, null);
        }
        String value = colon < 0 ? "" : text.substring(colon + 1);
        if (value.isEmpty()) {
            if (required) {
                throw new InvalidScopeException("scope " + name + " needs a path, e.g. " + name + ":/");
            }
            return new Scope(name, ResourcePath.ROOT);
        }
        if (value.charAt(0) != '/') {
            return new Scope(text, null); // an opaque name such as read:tap, not a relative path
        }
        try {
            return new Scope(name, ResourcePath.parseScopePath(value));
        } catch (InvalidScopeException e) {
            throw new InvalidScopeException("scope " + name + ": " + e.getMessage());
        }
    }

    /** A path scope, e.g. {@code of("read", "/ligo")}. */
    public static Scope of(String authz, String path) throws InvalidScopeException {
        return parse(authz + ":" + path);
    }

    /**
     * The authorization: {@code read}, {@code storage.create}, {@code condor} for path scopes; the
     * whole scope text for named ones.
     */
    public String authz() {
        return authz;
    }

    /** The path, or {@code null} for a named scope. */
    public ResourcePath path() {
        return path;
    }

    public boolean hasPath() {
        return path != null;
    }

    /** The canonical text: {@code authz:path}, or the name. {@code parse(toString())} gives an equal scope. */
    @Override
    public String toString() {
        return path == null ? authz : authz + ":" + path;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Scope s && s.authz.equals(authz) && Objects.equals(s.path, path);
    }

    @Override
    public int hashCode() {
        return authz.hashCode() * 31 + Objects.hashCode(path);
    }
}
