package dev.tessera.issuer.service.tokens;

/**
 * A successful token response (RFC 6749 §5.1; RFC 8693 §2.2.1 adds {@code issued_token_type}).
 *
 * @param refreshToken    {@code null} when none is issued
 * @param idToken         {@code null} outside OIDC logins
 * @param issuedTokenType {@code null} outside token exchange
 */
public record TokenResponse(String accessToken, long expiresIn, String scope, String refreshToken, String idToken,
                            String issuedTokenType) {
    public static TokenResponse of(AccessTokens.Issued issued, String scope) {
        return new TokenResponse(issued.token(), issued.lifetime().toSeconds(), scope, null, null, null);
    }
}
