package dev.tessera.token.discovery;

import com.nimbusds.jose.jwk.JWKSet;
import dev.tessera.token.Trace;

/**
 * Obtains an issuer's current public keys. {@link HttpsKeyFetcher} does it by discovery over https;
 * tests plug in their own to count or fail fetches.
 */
@FunctionalInterface
public interface KeyFetcher {
    /**
     * The issuer's JWKS as published now.
     *
     * @throws KeyFetchException when the keys cannot be obtained; the message says which step failed
     */
    JWKSet fetch(String issuer, Trace trace) throws KeyFetchException;
}
