package dev.tessera.token;

import dev.tessera.token.scope.InvalidScopeException;
import dev.tessera.token.scope.ResourcePath;
import dev.tessera.token.scope.Scope;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decides whether a token allows a request: the service-side API in the spirit of scitokens-cpp's
 * {@code enforcer_test}, with each issuer's scopes mapped under its base path.
 *
 * <pre>{@code
 * Enforcer enforcer = Enforcer.builder()
 *         .issuer("https://cilogon.org/igwn", "/igwn")     // scope read:/frames grants /igwn/frames
 *         .audience("https://data.example.org")
 *         .build();
 * boolean ok = enforcer.test(token, "read", "/igwn/frames/O4/H1.gwf").allowed();
 * }</pre>
 *
 * <p>Requested paths are as they appear in a URL: percent-decoded once, normalized, and refused if they
 * climb above the root. A path ending in {@code /} asks for a directory. Authorizations are scope
 * names: {@code read}, {@code write}, {@code storage.read}, {@code storage.create} (may not overwrite),
 * {@code storage.modify}, {@code storage.stage}, {@code condor}, ...; a named capability such as
 * {@code compute.create} or {@code gwdatafind.read} is tested with a {@code null} path. Time is read from
 * the clock at every call.
 */
public final class Enforcer {
    private final TokenVerifier verifier;
    private final Map<String, ResourcePath> basePaths;

    private Enforcer(Builder b) {
        this.verifier = TokenVerifier.of(b);
        this.basePaths = Map.copyOf(b.basePaths);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Builds an {@link Enforcer}; at least one issuer is required. */
    public static final class Builder extends VerifierSettings<Builder> {
        private final Map<String, ResourcePath> basePaths = new HashMap<>();

        private Builder() {
        }

        @Override
        Builder self() {
            return this;
        }

        /**
         * Trusts an issuer whose scope paths are relative to {@code basePath} on this service (like
         * XRootD's {@code base_path}): with base {@code /ligo}, {@code read:/frames} grants {@code /ligo/frames}.
         */
        public Builder issuer(String issuer, String basePath) {
            issuer(issuer);
            try {
                ResourcePath base = ResourcePath.parseRequestPath(basePath);
                basePaths.put(issuer, base);
            } catch (InvalidScopeException e) {
                throw new IllegalArgumentException("base path " + basePath + ": " + e.getMessage(), e);
            }
            return this;
        }

        /** As {@link #issuer(String, String)}, accepting this issuer's tokens for {@code audiences} only. */
        public Builder issuer(String issuer, String basePath, java.util.Collection<String> audiences) {
            issuer(issuer, basePath);
            return issuer(issuer, audiences);
        }

        public Enforcer build() {
            return new Enforcer(this);
        }
    }

    /** The verifier this enforcer uses. */
    public TokenVerifier verifier() {
        return verifier;
    }

    /** The base path of an issuer ({@code /} unless configured). */
    public ResourcePath basePath(String issuer) {
        return basePaths.getOrDefault(issuer, ResourcePath.ROOT);
    }

    /**
     * Whether {@code token} allows {@code authz} on {@code path} ({@code null} for a named capability).
     * Never throws: an invalid token is a denial with the token's {@link Reason}.
     */
    public Decision test(String token, String authz, String path) {
        try {
            return decide(verifier.verify(token), authz, path);
        } catch (TokenException e) {
            return Decision.deny(null, e.reason(), e.getMessage());
        }
    }

    /** As {@link #test(String, String, String)} for a token verified earlier; its times are checked again now. */
    public Decision test(VerifiedToken token, String authz, String path) {
        try {
            verifier.checkTimes(token, verifier.clockInstant(), Trace.NONE);
        } catch (TokenException e) {
            return Decision.deny(token, e.reason(), e.getMessage());
        }
        return decide(token, authz, path);
    }

    /**
     * As {@link #test(VerifiedToken, String, String)} for a path parsed already with
     * {@link ResourcePath#parseRequestPath} ({@code null} for a named capability): services that use the
     * parsed path themselves check exactly what they open.
     */
    public Decision test(VerifiedToken token, String authz, ResourcePath path) {
        try {
            verifier.checkTimes(token, verifier.clockInstant(), Trace.NONE);
        } catch (TokenException e) {
            return Decision.deny(token, e.reason(), e.getMessage());
        }
        return decide(token, authz, path);
    }

    /** Verifies a token and evaluates one request, reporting every step to {@code trace}. */
    public Decision explain(String token, String authz, String path, Trace trace) {
        VerifiedToken verified;
        try {
            verified = verifier.verify(token, trace);
        } catch (TokenException e) {
            return Decision.deny(null, e.reason(), e.getMessage());
        }
        Decision decision = decide(verified, authz, path);
        if (trace.enabled()) {
            String request = authz + (path == null ? "" : " " + path);
            trace.step("access", decision.allowed() ? Trace.Status.PASS : Trace.Status.FAIL,
                    request + ": " + decision.message());
        }
        return decision;
    }

    private Decision decide(VerifiedToken token, String authz, String path) {
        ResourcePath requested = null;
        if (path != null) {
            try {
                requested = ResourcePath.parseRequestPath(path);
            } catch (InvalidScopeException e) {
                return Decision.deny(token, Reason.INVALID_PATH, "requested " + e.getMessage());
            }
        }
        return decide(token, authz, requested);
    }

    private Decision decide(VerifiedToken token, String authz, ResourcePath path) {
        if (authz == null || authz.isEmpty()) {
            return Decision.deny(token, Reason.INVALID_PATH, "no authorization given");
        }
        ResourcePath relative = null;
        if (path != null) {
            ResourcePath base = basePath(token.issuer());
            relative = path.relativeTo(base);
            if (relative == null) {
                return Decision.deny(token, Reason.INSUFFICIENT_SCOPE, "path " + SafeText.quote(path)
                        + " is outside the base path " + base + " of issuer " + SafeText.quote(token.issuer()));
            }
        }
        String grant = token.scopes().grantFor(authz, relative);
        if (grant != null) {
            return Decision.allow(token, grant, "granted by scope " + grant);
        }
        return Decision.deny(token, Reason.INSUFFICIENT_SCOPE, "no scope grants " + SafeText.quote(authz, 40)
                + (path == null ? "" : " on " + SafeText.quote(path)) + " (token scopes: "
                + SafeText.quote(token.scopes().toString(), 160) + ")");
    }

    /**
     * What a token grants on this service: one entry per scope, with paths under the issuer's base
     * path, plus {@code condor:/READ} and {@code condor:/WRITE} where WLCG {@code compute.*} scopes
     * give them (scitokens-cpp's mapping).
     */
    public List<Acl> acls(String token) throws TokenException {
        return acls(verifier.verify(token));
    }

    /** As {@link #acls(String)} for a token verified earlier. */
    public List<Acl> acls(VerifiedToken token) {
        ResourcePath base = basePath(token.issuer());
        List<Acl> acls = new ArrayList<>();
        for (Scope scope : token.scopes()) {
            acls.add(scope.hasPath()
                    ? new Acl(scope.authz(), base.resolve(scope.path()).toString())
                    : new Acl(scope.authz(), null));
        }
        for (String condor : new String[] {"/READ", "/WRITE"}) {
            ResourcePath path = pathOf(condor);
            Acl acl = new Acl("condor", base.resolve(path).toString());
            if (token.scopes().grantFor("condor", path) != null && !acls.contains(acl)) {
                acls.add(acl);
            }
        }
        return List.copyOf(acls);
    }

    private static ResourcePath pathOf(String path) {
        try {
            return ResourcePath.parseRequestPath(path);
        } catch (InvalidScopeException e) {
            throw new IllegalStateException(e);
        }
    }
}
