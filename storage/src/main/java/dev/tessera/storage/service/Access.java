package dev.tessera.storage.service;

import dev.tessera.token.Decision;
import dev.tessera.token.Profile;
import dev.tessera.token.Reason;
import dev.tessera.token.TokenException;
import dev.tessera.token.VerifiedToken;
import dev.tessera.token.scope.ResourcePath;
import dev.tessera.web.TokenTrust;

/** Who may do what to the tree: storage operations decided through the service's {@link TokenTrust}. */
public final class Access {
    private final TokenTrust trust;

    public Access(TokenTrust trust) {
        this.trust = trust;
    }

    /** The verdict on one operation: allowed, or the scope that would allow it (when one would). */
    public record Verdict(boolean allowed, String neededScope, String message) {
    }

    public VerifiedToken verify(String token) throws TokenException {
        return trust.verify(token);
    }

    public String localName(VerifiedToken token) {
        return trust.localName(token);
    }

    /** Whether {@code token} allows {@code operation} on {@code path} (a path of the served tree). */
    public Verdict check(VerifiedToken token, Operation operation, ResourcePath path) {
        Decision decision = operation == Operation.STAT ? stat(token, path)
                : trust.test(token, operation.scopeName(true), path);
        if (decision.allowed()) {
            return new Verdict(true, null, decision.message());
        }
        if (decision.reason() != Reason.INSUFFICIENT_SCOPE) {
            return new Verdict(false, null, decision.message());
        }
        ResourcePath relative = path.relativeTo(trust.basePath(token.issuer()));
        String needed = relative == null ? null
                : operation.scopeName(token.profile() == Profile.WLCG_1) + ":" + relative;
        return new Verdict(false, needed, decision.message());
    }

    /** Metadata access: any storage scope on the path grants it (WLCG profile §2.2.1). */
    private Decision stat(VerifiedToken token, ResourcePath path) {
        Decision read = trust.test(token, "storage.read", path);
        if (read.allowed()) {
            return read;
        }
        for (String authz : new String[] {"storage.create", "storage.stage"}) {
            Decision other = trust.test(token, authz, path);
            if (other.allowed()) {
                return other;
            }
        }
        return read;
    }
}
