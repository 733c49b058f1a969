package dev.tessera.storage.service;

import dev.tessera.storage.StorageConfig;
import dev.tessera.token.Decision;
import dev.tessera.token.Enforcer;
import dev.tessera.token.Profile;
import dev.tessera.token.Reason;
import dev.tessera.token.TokenException;
import dev.tessera.token.VerifiedToken;
import dev.tessera.token.scope.InvalidScopeException;
import dev.tessera.token.scope.ResourcePath;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Who may do what: verifies tokens against the trusted issuers (each with its base path and
 * audiences) and decides each operation on a path, including the issuers' restricted paths.
 */
public final class Access {
    private final Enforcer enforcer;
    private final Map<String, List<ResourcePath>> restricted = new HashMap<>();
    private final Map<String, Mapfile> mapfiles = new HashMap<>();

    public Access(StorageConfig config) {
        Enforcer.Builder builder = Enforcer.builder().caFiles(config.caFiles()).audiences(config.audiences());
        for (StorageConfig.Issuer issuer : config.issuers()) {
            builder.issuer(issuer.url(), issuer.basePath(),
                    issuer.audiences().isEmpty() ? config.audiences() : issuer.audiences());
            List<ResourcePath> paths = new ArrayList<>();
            for (String path : issuer.restrictedPaths()) {
                try {
                    paths.add(ResourcePath.parseRequestPath(path));
                } catch (InvalidScopeException e) {
                    throw new IllegalArgumentException("restricted path " + path + ": " + e.getMessage(), e);
                }
            }
            restricted.put(issuer.url(), paths);
            if (issuer.mapfile() != null) {
                mapfiles.put(issuer.url(), Mapfile.read(issuer.mapfile()));
            }
        }
        this.enforcer = builder.build();
    }

    /** The verdict on one operation. */
    public record Verdict(boolean allowed, String neededScope, String message) {
    }

    /** Verifies a bearer token. */
    public VerifiedToken verify(String token) throws TokenException {
        return enforcer.verifier().verify(token);
    }

    /** The local name the issuer's mapfile gives the caller, or {@code null}. */
    public String localName(VerifiedToken token) {
        Mapfile mapfile = mapfiles.get(token.issuer());
        return mapfile == null ? null : mapfile.localName(token);
    }

    /** Whether {@code token} allows {@code operation} on {@code path} (a path of the served tree). */
    public Verdict check(VerifiedToken token, Operation operation, ResourcePath path) {
        Decision decision = operation == Operation.STAT ? stat(token, path)
                : enforcer.test(token, operation.scopeName(true), path.toString());
        if (decision.allowed() && !withinRestrictedPaths(token.issuer(), path)) {
            return new Verdict(false, null, "path " + path + " is outside the paths issuer " + token.issuer()
                    + " may grant here");
        }
        if (decision.allowed()) {
            return new Verdict(true, null, decision.message());
        }
        if (decision.reason() != Reason.INSUFFICIENT_SCOPE) {
            return new Verdict(false, null, decision.message());
        }
        ResourcePath relative = path.relativeTo(enforcer.basePath(token.issuer()));
        String needed = relative == null ? null
                : operation.scopeName(token.profile() == Profile.WLCG_1) + ":" + relative;
        return new Verdict(false, needed, decision.message());
    }

    /** Metadata access: any storage scope on the path grants it. */
    private Decision stat(VerifiedToken token, ResourcePath path) {
        Decision read = enforcer.test(token, "storage.read", path.toString());
        if (read.allowed()) {
            return read;
        }
        for (String authz : new String[] {"storage.create", "storage.stage"}) {
            Decision other = enforcer.test(token, authz, path.toString());
            if (other.allowed()) {
                return other;
            }
        }
        return read;
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
}
