package dev.tessera.token.testing;

import dev.tessera.token.Enforcer;
import dev.tessera.token.Profile;
import dev.tessera.token.TokenBuilder;
import dev.tessera.token.TokenVerifier;
import dev.tessera.token.discovery.IssuerKeyCache;
import dev.tessera.token.jws.JwsSigner;
import dev.tessera.token.keys.Algorithm;
import dev.tessera.token.keys.SigningKey;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The usual test setting: one issuer with an ES256 key (kid "1", as scitokens-cpp's {@code SerializeTest}),
 * keys served from memory, and a clock the test controls.
 */
public final class Fixture {
    public static final String ISSUER = "https://demo.scitokens.org/gtest";
    public static final String AUDIENCE = "https://demo.scitokens.org/";

    private static final SigningKey ES256 = SigningKey.generate(Algorithm.ES256, "1");
    private static final SigningKey RS256 = SigningKey.generate(Algorithm.RS256, "rsa-1");

    public final SigningKey key = ES256;
    public final SigningKey rsaKey = RS256;
    public final MutableClock clock = MutableClock.now();
    public final MemoryKeyFetcher fetcher = new MemoryKeyFetcher().publish(ISSUER, ES256, RS256);
    public final IssuerKeyCache keys = IssuerKeyCache.builder().fetcher(fetcher).clock(clock).build();

    /** A SciTokens 2.0 token for {@link #AUDIENCE} with these scopes. */
    public String token(String scope) {
        return builder().scope(scope).sign();
    }

    /** A WLCG 1.0 token for {@link #AUDIENCE} with these scopes. */
    public String wlcgToken(String scope) {
        return builder().profile(Profile.WLCG_1).subject("alice").scope(scope).sign();
    }

    /** A token builder with issuer, audience and clock set. */
    public TokenBuilder builder() {
        return TokenBuilder.forKey(key).issuer(ISSUER).audience(AUDIENCE).clock(clock);
    }

    /** A token with exactly these claims (plus nothing), signed with the ES256 key. */
    public String signed(Map<String, ?> claims) {
        return JwsSigner.sign(key, Map.of(), claims);
    }

    /** Valid SciTokens 2.0 claims, to be altered by a test. */
    public Map<String, Object> claims(String scope) {
        Map<String, Object> claims = new LinkedHashMap<>();
        long now = clock.instant().getEpochSecond();
        claims.put("ver", "scitoken:2.0");
        claims.put("iss", ISSUER);
        claims.put("sub", "alice");
        claims.put("aud", AUDIENCE);
        claims.put("scope", scope);
        claims.put("iat", now);
        claims.put("nbf", now);
        claims.put("exp", now + 600);
        claims.put("jti", "jti-" + System.nanoTime());
        return claims;
    }

    public Enforcer enforcer() {
        return Enforcer.builder().issuer(ISSUER).audience(AUDIENCE).keys(keys).clock(clock).build();
    }

    public Enforcer.Builder enforcerBuilder() {
        return Enforcer.builder().keys(keys).clock(clock);
    }

    public TokenVerifier verifier() {
        return verifierBuilder().build();
    }

    public TokenVerifier.Builder verifierBuilder() {
        return TokenVerifier.builder().issuer(ISSUER).audience(AUDIENCE).keys(keys).clock(clock);
    }
}
