package dev.tessera.issuer.service.tokens;

import dev.tessera.issuer.domain.RefreshGrant;
import dev.tessera.issuer.service.OAuthException;
import dev.tessera.issuer.service.Secrets;
import dev.tessera.issuer.service.VoContext;
import dev.tessera.issuer.service.policy.Principal;
import dev.tessera.issuer.store.RefreshTokenStore;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refresh tokens: random, stored only as hashes, rotated on every use (the new one lasts the VO's refresh
 * lifetime from then, so an agent that keeps refreshing keeps its grant). Presenting a token that was
 * already rotated means two parties hold it: the whole family is revoked (OAuth 2.0 Security BCP §4.14).
 */
public final class RefreshTokens {
    private static final Logger LOG = LoggerFactory.getLogger(RefreshTokens.class);

    private final RefreshTokenStore store;
    private final Clock clock;

    /**
     * The refresh token a request presents, checked and not yet used, and what the rotated one carries on
     * from it: its family and its ceiling.
     */
    public record Continuation(RefreshGrant presented, String familyId, String scope, List<String> audience) {
    }

    public RefreshTokens(RefreshTokenStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** The family id of a new grant. */
    public static String newFamily() {
        return UUID.randomUUID().toString();
    }

    /**
     * A new refresh token.
     *
     * @param familyId the family it continues, or a {@link #newFamily()} for a new grant
     * @param lifetime how long it lasts unused
     */
    public String issue(VoContext vo, Principal who, String scope, List<String> audience, String familyId,
                        Duration lifetime) {
        String token = Secrets.newSecret();
        long now = clock.instant().getEpochSecond();
        store.insert(new RefreshGrant(Secrets.hash(token), familyId,
                vo.vo().name(), who.clientId(), who.username(), who.subject(), scope, String.join(" ", audience), now,
                now + lifetime.toSeconds(), null, null));
        return token;
    }

    /**
     * A refresh token presented for use, checked but not yet used: the request may still be refused, and a
     * refused request must leave the token usable (oidc-agent keeps its only one).
     *
     * @throws OAuthException {@code invalid_grant} when it is unknown, another client's, expired, revoked, or
     *                        already used (then its family is revoked too)
     */
    public RefreshGrant check(VoContext vo, String clientId, String token) throws OAuthException {
        RefreshGrant grant = store.find(Secrets.hash(token)).filter(g -> g.vo().equals(vo.vo().name()))
                .orElseThrow(() -> OAuthException.invalidGrant("unknown refresh token"));
        if (!grant.clientId().equals(clientId)) {
            throw OAuthException.invalidGrant("the refresh token was issued to another client");
        }
        return live(vo, grant);
    }

    /**
     * Uses a checked token, once: of two requests racing with the same token, one gets here second.
     *
     * @throws OAuthException as {@link #check}
     */
    public void consume(VoContext vo, RefreshGrant grant) throws OAuthException {
        if (!store.use(grant.tokenHash(), clock.instant().getEpochSecond())) {
            live(vo, store.find(grant.tokenHash()).orElse(grant));
            throw OAuthException.invalidGrant("the refresh token was just used");
        }
    }

    /** The grant if it may still be used; otherwise the refusal, revoking the family on reuse. */
    private RefreshGrant live(VoContext vo, RefreshGrant grant) throws OAuthException {
        long now = clock.instant().getEpochSecond();
        if (grant.revokedAt() != null) {
            throw OAuthException.invalidGrant("the refresh token has been revoked");
        }
        if (grant.usedAt() != null) {
            int revoked = store.revokeFamily(grant.familyId(), now);
            LOG.warn("refresh token reuse in VO {} by client {} (sub {}): revoked {} tokens of its grant", vo.vo().name(),
                    grant.clientId(), grant.subject(), revoked);
            throw OAuthException.invalidGrant("the refresh token was already used: every token of this grant is revoked");
        }
        if (grant.expiresAt() <= now) {
            throw OAuthException.invalidGrant("the refresh token has expired");
        }
        return grant;
    }
}
