package dev.tessera.token.keys;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The usable verification keys of one issuer's JWKS, converted once and indexed by {@code kid}.
 *
 * <p>Keys that cannot verify RS256 or ES256 (encryption keys, other curves, short RSA keys, other
 * algorithms) are left out and listed in {@link #skipped()}, so a diagnosis can say why.
 *
 * @param jwks the key set as published (public keys only)
 * @param keys the usable keys, in JWKS order
 * @param skipped one line per unusable key
 */
public record IssuerKeys(JWKSet jwks, List<VerificationKey> keys, List<String> skipped) {

    public IssuerKeys {
        keys = List.copyOf(keys);
        skipped = List.copyOf(skipped);
    }

    /** The usable keys of a JWKS. */
    public static IssuerKeys of(JWKSet jwks) {
        List<VerificationKey> keys = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (JWK jwk : jwks.getKeys()) {
            try {
                keys.add(VerificationKey.fromJwk(jwk));
            } catch (IllegalArgumentException e) {
                skipped.add("kid " + jwk.getKeyID() + ": " + e.getMessage());
            }
        }
        return new IssuerKeys(jwks.toPublicJWKSet(), keys, skipped);
    }

    /** Parses a JWKS document ({@code {"keys": [...]}}). */
    public static IssuerKeys parse(String json) throws ParseException {
        return of(JWKSet.parse(json));
    }

    /**
     * The key a token names: the key with that {@code kid}, or, for a token without {@code kid},
     * the issuer's only key. {@code null} when there is no such key.
     */
    public VerificationKey select(String kid) {
        if (kid == null) {
            return keys.size() == 1 ? keys.get(0) : null;
        }
        for (VerificationKey key : keys) {
            if (kid.equals(key.keyId())) {
                return key;
            }
        }
        return null;
    }

    /** The {@code kid}s of the usable keys. */
    public List<String> keyIds() {
        List<String> ids = new ArrayList<>(keys.size());
        for (VerificationKey key : keys) {
            ids.add(key.keyId());
        }
        return Collections.unmodifiableList(ids);
    }

    /** The JWKS as JSON, public keys only. */
    public String toJson() {
        return jwks.toString(true);
    }
}
