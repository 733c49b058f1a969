package dev.tessera.agent.manager;

import java.time.Instant;
import java.util.List;

/**
 * A stored grant as its owner may see it: never the refresh token.
 *
 * @param issuer        the issuer
 * @param clientId      the client
 * @param scope         the scope granted, as the issuer reported it, or {@code null}
 * @param audiences     the audience of the grant's tokens, when known
 * @param renewedAt     when the refresh token was stored or last rotated
 * @param expiresAbout  when the refresh token expires unless used again, as far as the agent knows
 *                      (the issuer does not say: renewal time plus the configured refresh-token lifetime)
 * @param cachedTokens  how many access tokens of it the agent holds
 */
public record GrantInfo(String issuer, String clientId, String scope, List<String> audiences, Instant renewedAt,
                        Instant expiresAbout, int cachedTokens) {
    public GrantInfo {
        audiences = List.copyOf(audiences);
    }
}
