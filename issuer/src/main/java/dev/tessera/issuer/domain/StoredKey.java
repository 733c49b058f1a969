package dev.tessera.issuer.domain;

import dev.tessera.token.keys.Algorithm;

/**
 * A VO's signing key as stored: the private key sealed under the master key.
 *
 * @param createdAt   from when it is published
 * @param activatesAt from when it signs (until the next key activates)
 */
public record StoredKey(String vo, String kid, Algorithm algorithm, String sealedPrivateKey, String publicJwk,
                        long createdAt, long activatesAt) {
}
