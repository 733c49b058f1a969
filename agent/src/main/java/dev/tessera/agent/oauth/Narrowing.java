package dev.tessera.agent.oauth;

import java.time.Duration;
import java.util.List;

/**
 * What a token request asks for beyond its grant, each part optional: a {@code scope} (capabilities and
 * protocol scopes, space-separated), {@code audience} values, and a lifetime ({@code expires_in}, which
 * the issuer caps). On a refresh or exchange these can only narrow what the grant or parent token holds.
 *
 * @param scope     the {@code scope} parameter, or {@code null} for whatever the grant holds
 * @param audiences the {@code audience} values; empty for the grant's (or the VO's default)
 * @param lifetime  the access token lifetime to ask for, or {@code null} for the issuer's default
 */
public record Narrowing(String scope, List<String> audiences, Duration lifetime) {
    /** Nothing narrowed: what the grant holds. */
    public static final Narrowing NONE = new Narrowing(null, List.of(), null);

    public Narrowing {
        scope = scope == null || scope.isBlank() ? null : scope.strip();
        audiences = List.copyOf(audiences);
        if (lifetime != null && (lifetime.isNegative() || lifetime.isZero())) {
            throw new IllegalArgumentException("a token lifetime must be positive: " + lifetime);
        }
    }
}
