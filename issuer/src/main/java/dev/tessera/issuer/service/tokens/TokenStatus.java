package dev.tessera.issuer.service.tokens;

import dev.tessera.issuer.domain.RefreshGrant;
import dev.tessera.issuer.service.OAuthException;
import dev.tessera.issuer.service.Secrets;
import dev.tessera.issuer.service.VoContext;
import dev.tessera.issuer.service.VoContext.RegisteredClient;
import dev.tessera.issuer.store.RefreshTokenStore;
import dev.tessera.issuer.store.RevokedTokenStore;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Introspection (RFC 7662) and revocation (RFC 7009) of this VO's tokens. Access tokens are JWTs checked
 * like any other of the VO's own tokens, plus the list of revoked {@code jti}s; refresh tokens are looked up
 * by hash, and only the client they were issued to may introspect or revoke them.
 */
public final class TokenStatus {
    private final RefreshTokenStore refreshTokens;
    private final RevokedTokenStore revoked;
    private final Clock clock;

    public TokenStatus(RefreshTokenStore refreshTokens, RevokedTokenStore revoked, Clock clock) {
        this.refreshTokens = refreshTokens;
        this.revoked = revoked;
        this.clock = clock;
    }

    /**
     * RFC 7662 §2.2: {@code active} and, when active, what the token says.
     *
     * @throws OAuthException {@code invalid_client} when the caller is a public client
     */
    public Map<String, Object> introspect(VoContext vo, RegisteredClient caller, String token) throws OAuthException {
        if (caller.client().isPublic()) {
            throw OAuthException.invalidClient("introspection is for confidential clients (resource servers)");
        }
        Instant now = clock.instant();
        Map<String, Object> out = new LinkedHashMap<>();
        if (isJwt(token)) {
            Optional<OwnTokens.Parent> access = access(vo, token, now);
            if (access.isPresent()) {
                out.put("active", true);
                for (String claim : List.of("scope", "client_id", "sub", "aud", "iss", "exp", "iat", "nbf", "jti",
                        "wlcg.groups", "act")) {
                    if (access.get().claims().containsKey(claim)) {
                        out.put(claim, access.get().claims().get(claim));
                    }
                }
                out.put("token_type", "Bearer");
                return out;
            }
        } else {
            Optional<RefreshGrant> refresh = refresh(vo, caller, token, now);
            if (refresh.isPresent()) {
                RefreshGrant g = refresh.get();
                out.put("active", true);
                out.put("scope", g.scope());
                out.put("client_id", g.clientId());
                out.put("sub", g.subject());
                if (g.username() != null) {
                    out.put("username", g.username());
                }
                out.put("iss", vo.vo().issuer());
                out.put("exp", g.expiresAt());
                out.put("iat", g.issuedAt());
                out.put("token_type", "refresh_token");
                return out;
            }
        }
        out.put("active", false);
        return out;
    }

    /**
     * RFC 7009 §2.1: revokes a refresh token (with its whole grant) or an access token; unknown and foreign
     * tokens are ignored, as §2.2 says, so the answer never tells which tokens exist.
     */
    public void revoke(VoContext vo, RegisteredClient caller, String token) {
        Instant now = clock.instant();
        if (isJwt(token)) {
            access(vo, token, now).filter(t -> caller.client().clientId().equals(t.clientId()))
                    .ifPresent(t -> revoked.revoke(t.jti(), vo.vo().name(), now.getEpochSecond(), t.expiresAt().getEpochSecond()));
        } else {
            refreshTokens.find(Secrets.hash(token))
                    .filter(g -> g.vo().equals(vo.vo().name()) && g.clientId().equals(caller.client().clientId()))
                    .ifPresent(g -> refreshTokens.revokeFamily(g.familyId(), now.getEpochSecond()));
        }
    }

    /**
     * Revokes what one grant gave: its refresh token family and an access token (kept on the list until
     * {@code until}, when it has surely expired). Either may be {@code null}.
     */
    public void revokeIssued(VoContext vo, String familyId, String accessJti, long until) {
        long now = clock.instant().getEpochSecond();
        if (familyId != null) {
            refreshTokens.revokeFamily(familyId, now);
        }
        if (accessJti != null) {
            revoked.revoke(accessJti, vo.vo().name(), now, until);
        }
    }

    /** A live access token of this VO (signed by it, unexpired, not revoked), as a resource server sees it. */
    public Optional<OwnTokens.Parent> active(VoContext vo, String token) {
        return access(vo, token, clock.instant());
    }

    /** Whether an access token was revoked. */
    boolean isRevoked(String jti) {
        return revoked.isRevoked(jti);
    }

    private Optional<OwnTokens.Parent> access(VoContext vo, String token, Instant now) {
        try {
            OwnTokens.Parent parent = OwnTokens.verify(vo, token, now);
            return parent.jti() != null && revoked.isRevoked(parent.jti()) ? Optional.empty() : Optional.of(parent);
        } catch (OAuthException e) {
            return Optional.empty();
        }
    }

    private Optional<RefreshGrant> refresh(VoContext vo, RegisteredClient caller, String token, Instant now) {
        return refreshTokens.find(Secrets.hash(token))
                .filter(g -> g.vo().equals(vo.vo().name()) && g.clientId().equals(caller.client().clientId()))
                .filter(g -> g.usedAt() == null && g.revokedAt() == null && g.expiresAt() > now.getEpochSecond());
    }

    private static boolean isJwt(String token) {
        return token.indexOf('.') > 0;
    }
}
