package dev.tessera.issuer.domain;

/**
 * A stored refresh token (only its hash) and what it may still give.
 *
 * @param familyId every token rotated from one original grant shares it; reuse revokes them all
 * @param scope    the granted capabilities and protocol scopes, the ceiling of every refresh
 * @param audience space-separated
 */
public record RefreshGrant(String tokenHash, String familyId, String vo, String clientId, String username,
                           String subject, String scope, String audience, long issuedAt, long expiresAt, Long usedAt,
                           Long revokedAt) {
}
