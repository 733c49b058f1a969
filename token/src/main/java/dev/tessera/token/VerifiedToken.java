package dev.tessera.token;

import dev.tessera.token.keys.Algorithm;
import dev.tessera.token.scope.ScopeSet;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A token whose signature, issuer, profile, times, audience and scopes have been verified.
 *
 * <p>It holds the claims, never the token itself: a bearer token is a secret, and logs should name a
 * token by {@link #jwtId()} or {@link #fingerprint()} only.
 *
 * @param profile the profile the token follows
 * @param issuer {@code iss}
 * @param subject {@code sub}, or {@code null}
 * @param audience {@code aud} as a list (empty when absent)
 * @param issuedAt {@code iat}
 * @param notBefore {@code nbf}, or {@code null}
 * @param expiresAt {@code exp}
 * @param jwtId {@code jti}, or {@code null}
 * @param scopes the parsed {@code scope}
 * @param groups {@code wlcg.groups} (empty when absent)
 * @param keyId the header {@code kid}, or {@code null}
 * @param algorithm the signature algorithm
 * @param claims every claim, as parsed
 * @param fingerprint the first 16 hex digits of the token's SHA-256, for logs
 */
public record VerifiedToken(Profile profile, String issuer, String subject, List<String> audience,
                            Instant issuedAt, Instant notBefore, Instant expiresAt, String jwtId,
                            ScopeSet scopes, List<String> groups, String keyId, Algorithm algorithm,
                            Map<String, Object> claims, String fingerprint) {

    public VerifiedToken {
        audience = List.copyOf(audience);
        groups = List.copyOf(groups);
        claims = java.util.Collections.unmodifiableMap(claims);
    }

    /** A claim's value as parsed ({@code String}, {@code Long}, {@code Double}, {@code List}, {@code Map}...), or {@code null}. */
    public Object claim(String name) {
        return claims.get(name);
    }
}
