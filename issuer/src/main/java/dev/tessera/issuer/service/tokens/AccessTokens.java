package dev.tessera.issuer.service.tokens;

import dev.tessera.issuer.domain.Vo;
import dev.tessera.issuer.service.AuditTrail;
import dev.tessera.issuer.service.OAuthException;
import dev.tessera.issuer.service.VoContext;
import dev.tessera.issuer.service.policy.Principal;
import dev.tessera.issuer.store.AuditStore;
import dev.tessera.token.Profile;
import dev.tessera.token.TokenBuilder;
import dev.tessera.token.keys.SigningKey;
import dev.tessera.token.scope.ScopeSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Mints a VO's access tokens in its profile (SciTokens 2.0 or WLCG 1.0) with its active key: always
 * {@code sub}, {@code jti}, {@code iat}, {@code nbf}, {@code exp} and {@code kid}, plus {@code client_id};
 * WLCG tokens carry the selected groups in {@code wlcg.groups}. Every token is an audit event.
 */
public final class AccessTokens {
    private final AuditTrail audit;
    private final Clock clock;

    /** What was issued. */
    public record Issued(String token, String jti, Instant expiresAt, Duration lifetime, ScopeSet scope,
                         List<String> audience) {
    }

    public AccessTokens(AuditTrail audit, Clock clock) {
        this.audit = audit;
        this.clock = clock;
    }

    public Issued issue(VoContext context, Principal who, ScopeSet scope, List<String> audience, List<String> groups,
                        Duration lifetime) throws OAuthException {
        return issue(context, who, scope, audience, groups, lifetime, null, Map.of());
    }

    /**
     * As above, expiring no later than {@code notAfter} (a parent token's expiry; {@code null}: no cap),
     * with claims beyond the standard ones (e.g. RFC 8693's {@code act}).
     *
     * @throws OAuthException {@code invalid_grant} when the cap leaves less than a second
     */
    public Issued issue(VoContext context, Principal who, ScopeSet scope, List<String> audience, List<String> groups,
                        Duration lifetime, Instant notAfter, Map<String, Object> extraClaims) throws OAuthException {
        Vo vo = context.vo();
        Instant now = Instant.ofEpochSecond(clock.instant().getEpochSecond()); // the token's times are whole seconds
        if (notAfter != null) {
            Duration left = Duration.ofSeconds(notAfter.getEpochSecond() - now.getEpochSecond());
            if (left.compareTo(Duration.ofSeconds(1)) < 0) {
                throw OAuthException.invalidGrant("the token it derives from has expired");
            }
            lifetime = left.compareTo(lifetime) < 0 ? left : lifetime;
        }
        SigningKey key = context.keys().active(now).orElseThrow(() -> new OAuthException("server_error",
                "VO " + vo.name() + " has no signing key", 500));
        String jti = UUID.randomUUID().toString();
        TokenBuilder builder = TokenBuilder.forKey(key).clock(Clock.fixed(now, java.time.ZoneOffset.UTC)).profile(vo.profile()).issuer(vo.issuer())
                .subject(who.subject()).audiences(audience).scopes(scope).lifetime(lifetime).jwtId(jti)
                .claim("client_id", who.clientId());
        if (vo.profile() == Profile.WLCG_1) {
            groups.forEach(builder::group);
        }
        extraClaims.forEach(builder::claim);
        String token = builder.sign();
        Instant expiresAt = now.plusSeconds(lifetime.toSeconds());
        audit.record(new AuditStore.Event(UUID.randomUUID().toString(), vo.name(), now.getEpochSecond(), "token_issued",
                who.clientId(), who.subject(), jti, scope.toString(), String.join(" ", audience),
                expiresAt.getEpochSecond()));
        return new Issued(token, jti, expiresAt, lifetime, scope, audience);
    }
}
