package dev.tessera.issuer.domain;

/**
 * An approved authorization request (RFC 6749 §4.1.2), waiting for the client to redeem its code.
 *
 * @param redirectGiven whether the request named {@code redirectUri}; then the token request must name it too
 * @param scope         what the person approved
 * @param audience      the resolved audiences, space-separated
 * @param codeChallenge the PKCE S256 challenge, or {@code null}
 * @param authTime      when the person signed in (epoch seconds)
 * @param redeemedAt    when the code was redeemed, or {@code null}
 * @param familyId      the refresh token family the redemption started, or {@code null}
 * @param accessJti     the access token the redemption gave, or {@code null}
 */
public record AuthorizationCode(String codeHash, String vo, String clientId, String redirectUri, boolean redirectGiven,
                                String username, String scope, String audience, String nonce, String codeChallenge,
                                long authTime, long createdAt, long expiresAt, Long redeemedAt, String familyId,
                                String accessJti) {
}
