package dev.tessera.web;

import dev.tessera.token.Decision;
import dev.tessera.token.Enforcer;
import dev.tessera.token.TokenException;
import dev.tessera.token.VerifiedToken;
import dev.tessera.token.scope.InvalidScopeException;
import dev.tessera.token.scope.ResourcePath;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A service's trust in its issuers: verification (each issuer with its base path and audiences), path
 * decisions that also respect each issuer's restricted paths, and the mapfile's local names.
 */
public final class TokenTrust {
    private final Enforcer enforcer;
    private final Map<String, List<ResourcePath>> restricted = new HashMap<>();
    private final Map<String, Mapfile> mapfiles = new HashMap<>();

    /**
     * @throws IllegalArgumentException when an issuer is unusable (no audience, bad path, bad mapfile)
     */
    public TokenTrust(List<TrustedIssuer> issuers, List<String> audiences, List<Path> caFiles) {
        if (issuers.isEmpty()) {
            throw new IllegalArgumentException("no trusted issuer (--trust ISSUER_URL[=BASE_PATH] or issuers:)");
        }
        Enforcer.Builder builder = Enforcer.builder().caFiles(caFiles).audiences(audiences);
        for (TrustedIssuer issuer : issuers) {
            if (issuer.url() == null) {
                throw new IllegalArgumentException("an issuer has no url");
            }
            List<String> accepted = issuer.audiences().isEmpty() ? audiences : issuer.audiences();
            if (accepted.isEmpty()) {
                throw new IllegalArgumentException("issuer " + issuer.url()
                        + " has no audience: a service must name itself (--audience or audiences:)");
            }
            builder.issuer(issuer.url(), issuer.basePath(), accepted);
            List<ResourcePath> paths = new ArrayList<>();
            for (String path : issuer.restrictedPaths()) {
                paths.add(path(path, "restricted path"));
            }
            restricted.put(issuer.url(), paths);
            if (issuer.mapfile() != null) {
                mapfiles.put(issuer.url(), Mapfile.read(issuer.mapfile()));
            }
        }
        this.enforcer = builder.build();
    }

    /** Verifies a bearer token. */
    public VerifiedToken verify(String token) throws TokenException {
        return enforcer.verifier().verify(token);
    }

    /** The base path of an issuer. */
    public ResourcePath basePath(String issuer) {
        return enforcer.basePath(issuer);
    }

    /** Whether {@code token} allows {@code authz} on {@code path}, within the issuer's restricted paths. */
    public Decision test(VerifiedToken token, String authz, ResourcePath path) {
        Decision decision = enforcer.test(token, authz, path);
        if (decision.allowed() && !withinRestrictedPaths(token.issuer(), path)) {
            return new Decision(false, dev.tessera.token.Reason.INSUFFICIENT_SCOPE, "path " + path
                    + " is outside the paths issuer " + token.issuer() + " may grant here", null, token);
        }
        return decision;
    }

    /** Whether {@code token} holds the named capability {@code scope} (e.g. {@code read:tap}, {@code compute.create}). */
    public Decision testCapability(VerifiedToken token, String scope) {
        return enforcer.test(token, scope, (ResourcePath) null);
    }

    /** The local name the issuer's mapfile gives the caller, or {@code null}. */
    public String localName(VerifiedToken token) {
        Mapfile mapfile = mapfiles.get(token.issuer());
        return mapfile == null ? null : mapfile.localName(token);
    }

    private boolean withinRestrictedPaths(String issuer, ResourcePath path) {
        List<ResourcePath> paths = restricted.get(issuer);
        if (paths == null || paths.isEmpty()) {
            return true;
        }
        for (ResourcePath allowed : paths) {
            if (allowed.contains(path)) {
                return true;
            }
        }
        return false;
    }

    private static ResourcePath path(String path, String what) {
        try {
            return ResourcePath.parseRequestPath(path);
        } catch (InvalidScopeException e) {
            throw new IllegalArgumentException(what + " " + path + ": " + e.getMessage(), e);
        }
    }
}
