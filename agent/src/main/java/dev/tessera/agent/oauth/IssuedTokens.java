package dev.tessera.agent.oauth;

import java.time.Duration;

/**
 * A token endpoint's successful answer.
 *
 * @param accessToken     the access token
 * @param refreshToken    the (rotated) refresh token, or {@code null} when none was issued
 * @param expiresIn       the access token's lifetime as the issuer reported it, or {@code null}
 * @param scope           the granted {@code scope} as reported (may include protocol scopes), or {@code null}
 * @param issuedTokenType RFC 8693 {@code issued_token_type} of an exchange, or {@code null}
 */
public record IssuedTokens(String accessToken, String refreshToken, Duration expiresIn, String scope,
                           String issuedTokenType) {
    /** Never shows the tokens. */
    @Override
    public String toString() {
        return "IssuedTokens[scope=" + scope + ", expiresIn=" + expiresIn
                + (refreshToken == null ? "" : ", with refresh token") + "]";
    }
}
