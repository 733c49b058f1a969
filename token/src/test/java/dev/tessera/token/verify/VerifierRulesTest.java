package dev.tessera.token.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tessera.token.Profile;
import dev.tessera.token.Reason;
import dev.tessera.token.TokenBuilder;
import dev.tessera.token.TokenException;
import dev.tessera.token.TokenVerifier;
import dev.tessera.token.Trace;
import dev.tessera.token.VerifiedToken;
import dev.tessera.token.discovery.IssuerKeyCache;
import dev.tessera.token.jws.CompactJws;
import dev.tessera.token.jws.JwsSigner;
import dev.tessera.token.keys.Algorithm;
import dev.tessera.token.keys.SigningKey;
import dev.tessera.token.testing.Fixture;
import dev.tessera.token.testing.MemoryKeyFetcher;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link TokenVerifier} rules: profiles and versions, times, lifetimes, audiences, issuers, keys and
 * algorithms, the verified-token cache, and what {@link TokenBuilder} emits (spec-rules §1, §2, §3, §5.1, §5.4).
 */
class VerifierRulesTest {
    private static final String WLCG_ANY = "https://wlcg.cern.ch/jwt/v1/any";

    private final Fixture f = new Fixture();

    // ---- helpers ----

    private static void assertRejected(ThrowingCallable call, Reason reason) {
        assertThatThrownBy(call).isInstanceOfSatisfying(TokenException.class,
                e -> assertThat(e.reason()).as(e.getMessage()).isEqualTo(reason));
    }

    private void assertRejected(TokenVerifier verifier, String token, Reason reason) {
        assertRejected(() -> verifier.verify(token), reason);
    }

    private VerifiedToken verify(String token) throws TokenException {
        return f.verifier().verify(token);
    }

    /** WLCG 1.0 claims, to be altered. */
    private Map<String, Object> wlcgClaims(String scope) {
        Map<String, Object> claims = f.claims(scope);
        claims.remove("ver");
        claims.put("wlcg.ver", "1.0");
        return claims;
    }

    /** SciTokens 1.0 claims (no ver, no aud). */
    private Map<String, Object> v1Claims(String scope) {
        Map<String, Object> claims = f.claims(scope);
        claims.remove("ver");
        claims.remove("aud");
        return claims;
    }

    private TokenVerifier.Builder noAudienceVerifier() {
        return TokenVerifier.builder().issuer(Fixture.ISSUER).keys(f.keys).clock(f.clock);
    }

    /** A header without kid: JwsSigner fills in the key's kid unless the header sets it to null. */
    private static Map<String, Object> noKid() {
        Map<String, Object> header = new HashMap<>();
        header.put("kid", null);
        return header;
    }

    private static Map<String, Object> decodeClaims(String token) throws TokenException {
        return CompactJws.parse(token, 1 << 20).claims();
    }

    private static Map<String, Object> decodeHeader(String token) throws TokenException {
        return CompactJws.parse(token, 1 << 20).header();
    }

    // ---- profiles and versions ----

    @Nested
    class Profiles {
        @Test
        void wlcgVersionsOneDotAnythingAreAccepted() throws Exception {
            for (String ver : new String[] {"1.0", "1.1", "1.2", "1.3", "1.10"}) {
                Map<String, Object> claims = wlcgClaims("storage.read:/");
                claims.put("wlcg.ver", ver);
                assertThat(verify(f.signed(claims)).profile()).as(ver).isEqualTo(Profile.WLCG_1);
            }
            assertThat(verify(f.wlcgToken("storage.read:/")).profile()).isEqualTo(Profile.WLCG_1);
        }

        @ParameterizedTest
        @ValueSource(strings = {"2.0", "0.9", "1", "1.0.0", "v1.0", "", " 1.0", "10.0"})
        void otherWlcgVersionsAreUnsupported(String ver) {
            Map<String, Object> claims = wlcgClaims("storage.read:/");
            claims.put("wlcg.ver", ver);
            assertRejected(f.verifier(), f.signed(claims), Reason.UNSUPPORTED_VERSION);
        }

        @Test
        void nonStringWlcgVersionIsUnsupported() {
            Map<String, Object> claims = wlcgClaims("storage.read:/");
            claims.put("wlcg.ver", 1.0);
            assertRejected(f.verifier(), f.signed(claims), Reason.UNSUPPORTED_VERSION);
        }

        @Test
        void sciTokensVersions() throws Exception {
            Map<String, Object> claims = f.claims("read:/");
            claims.put("ver", "scitoken:3.0");
            assertRejected(f.verifier(), f.signed(claims), Reason.UNSUPPORTED_VERSION);
            claims.put("ver", "scitoken:1.0"); // no library accepts this spelling
            assertRejected(f.verifier(), f.signed(claims), Reason.UNSUPPORTED_VERSION);
            claims.put("ver", "SCITOKEN:2.0");
            assertRejected(f.verifier(), f.signed(claims), Reason.UNSUPPORTED_VERSION);
            claims.put("ver", "scitokens:2.0"); // scitokens-cpp's spelling, tolerated
            assertThat(verify(f.signed(claims)).profile()).isEqualTo(Profile.SCITOKENS_2);
            claims.put("ver", "scitoken:2.0");
            assertThat(verify(f.signed(claims)).profile()).isEqualTo(Profile.SCITOKENS_2);
        }

        @Test
        void unknownClaimsInvalidateSciTokens1Only() throws Exception {
            Map<String, Object> v1 = v1Claims("read:/");
            assertThat(noAudienceVerifier().build().verify(f.signed(v1)).profile()).isEqualTo(Profile.SCITOKENS_1);
            v1.put("site", "T2_US_Example");
            TokenVerifier v = noAudienceVerifier().build();
            assertRejected(v, f.signed(v1), Reason.UNKNOWN_CLAIM);

            Map<String, Object> v2 = f.claims("read:/");
            v2.put("site", "T2_US_Example");
            VerifiedToken token = verify(f.signed(v2));
            assertThat(token.claim("site")).isEqualTo("T2_US_Example");

            Map<String, Object> wlcg = wlcgClaims("storage.read:/");
            wlcg.put("eduperson_assurance", List.of("https://refeds.org/assurance/profile/espresso"));
            wlcg.put("madeup", 1);
            assertThat(verify(f.signed(wlcg)).profile()).isEqualTo(Profile.WLCG_1);
        }

        @Test
        void sciTokens2NeedsItsClaims() {
            for (String name : new String[] {"aud", "nbf", "iat", "exp", "scope"}) {
                Map<String, Object> claims = f.claims("read:/");
                claims.remove(name);
                assertRejected(f.verifier(), f.signed(claims), Reason.MISSING_CLAIM);
            }
            // sub and jti may be absent in 2.0 (scitokens-cpp's 2.0 serializer never sets sub)
            Map<String, Object> claims = f.claims("read:/");
            claims.remove("sub");
            claims.remove("jti");
            assertThatCode(() -> verify(f.signed(claims))).doesNotThrowAnyException();
        }

        @Test
        void sciTokens2WithoutAudIsMissingClaimEvenWithoutServerAudience() {
            Map<String, Object> claims = f.claims("read:/");
            claims.remove("aud");
            assertRejected(noAudienceVerifier().build(), f.signed(claims), Reason.MISSING_CLAIM);
        }

        @Test
        void wlcgNeedsItsClaims() {
            for (String name : new String[] {"sub", "jti", "aud", "iat", "exp"}) {
                Map<String, Object> claims = wlcgClaims("storage.read:/");
                claims.remove(name);
                assertRejected(f.verifier(), f.signed(claims), Reason.MISSING_CLAIM);
            }
        }

        @Test
        void wlcgNbfAndScopeAreOptional() throws Exception {
            Map<String, Object> claims = wlcgClaims("storage.read:/");
            claims.remove("nbf");
            claims.remove("scope");
            claims.put("wlcg.groups", List.of("/cms", "/cms/uscms"));
            VerifiedToken token = verify(f.signed(claims));
            assertThat(token.notBefore()).isNull();
            assertThat(token.scopes().isEmpty()).isTrue();
            assertThat(token.groups()).containsExactly("/cms", "/cms/uscms");
        }

        @Test
        void wlcgTokenWithoutKidIsRejected() {
            String token = JwsSigner.sign(f.key, noKid(), wlcgClaims("storage.read:/"));
            assertThat(decodeHeaderQuietly(token)).doesNotContainKey("kid");
            assertRejected(f.verifier(), token, Reason.UNKNOWN_KEY);
            // even when the issuer publishes a single key
            assertRejected(singleKeyVerifier(), token, Reason.UNKNOWN_KEY);
        }

        @Test
        void atJwtTokenIsRefusedWhenOnlySciTokens2IsAccepted() throws Exception {
            String token = f.builder().profile(Profile.AT_JWT).subject("alice").claim("client_id", "c1")
                    .scope("read:/").sign();
            assertThat(verify(token).profile()).isEqualTo(Profile.AT_JWT);
            assertThat(f.verifierBuilder().profiles(Profile.AT_JWT).build().verify(token).profile())
                    .isEqualTo(Profile.AT_JWT);
            assertRejected(f.verifierBuilder().profiles(Profile.SCITOKENS_2).build(), token, Reason.PROFILE_NOT_ACCEPTED);
        }

        @Test
        void sciTokensAreRefusedWhenOnlyAtJwtIsAccepted() {
            TokenVerifier atOnly = f.verifierBuilder().profiles(Profile.AT_JWT).build();
            assertRejected(atOnly, f.token("read:/"), Reason.PROFILE_NOT_ACCEPTED);
            assertRejected(atOnly, f.wlcgToken("storage.read:/"), Reason.PROFILE_NOT_ACCEPTED);
            // a token without typ at+jwt is not an RFC 9068 token (scitokens-cpp FailVerifyATJWTTest)
            Map<String, Object> claims = v1Claims("read:/");
            claims.put("aud", Fixture.AUDIENCE);
            assertRejected(atOnly, f.signed(claims), Reason.PROFILE_NOT_ACCEPTED);
        }

        @Test
        void wlcgTokenIsRefusedWhenOnlySciTokensAreAccepted() { // scitokens-cpp VerifyWLCGTest
            TokenVerifier sci = f.verifierBuilder().profiles(Profile.SCITOKENS_1, Profile.SCITOKENS_2).build();
            assertRejected(sci, f.wlcgToken("storage.read:/"), Reason.PROFILE_NOT_ACCEPTED);
            assertThatCode(() -> sci.verify(f.token("read:/"))).doesNotThrowAnyException();
        }

        @Test
        void atJwtIsReadAsScitokensCppReadsIt() throws Exception {
            // scitokens-cpp's own at+jwt tokens carry no client_id: it is not demanded, but must be a string
            Map<String, Object> claims = v1Claims("read:/");
            claims.put("aud", Fixture.AUDIENCE);
            String token = JwsSigner.sign(f.key, Map.of("typ", "at+jwt"), claims);
            assertThat(f.verifier().verify(token).profile()).isEqualTo(Profile.AT_JWT);
            claims.put("client_id", 42);
            assertRejected(f.verifier(), JwsSigner.sign(f.key, Map.of("typ", "at+jwt"), claims), Reason.INVALID_CLAIM);
            claims.remove("iat");
            claims.put("client_id", "pilot");
            assertRejected(f.verifier(), JwsSigner.sign(f.key, Map.of("typ", "at+jwt"), claims), Reason.MISSING_CLAIM);
        }
    }

    private static Map<String, Object> decodeHeaderQuietly(String token) {
        try {
            return decodeHeader(token);
        } catch (TokenException e) {
            throw new AssertionError(e);
        }
    }

    private TokenVerifier singleKeyVerifier() {
        MemoryKeyFetcher one = new MemoryKeyFetcher().publish(Fixture.ISSUER, f.key);
        IssuerKeyCache keys = IssuerKeyCache.builder().fetcher(one).clock(f.clock).build();
        return TokenVerifier.builder().issuer(Fixture.ISSUER).audience(Fixture.AUDIENCE).keys(keys).clock(f.clock).build();
    }

    // ---- times ----

    @Nested
    class Times {
        private final Instant start = f.clock.instant();

        @ParameterizedTest
        @ValueSource(longs = {0, 10_000})
        void sixtySecondTokenExpiresAndIsNotValidBeforeItsTime(long cacheSize) throws Exception { // cpp ExplicitTime
            TokenVerifier v = f.verifierBuilder().verifiedTokenCacheSize(cacheSize).build();
            String token = f.builder().lifetime(Duration.ofSeconds(60)).scope("read:/").sign();
            assertThat(v.verify(token).expiresAt()).isEqualTo(start.plusSeconds(60));

            f.clock.set(start.plusSeconds(100));
            assertRejected(v, token, Reason.EXPIRED);

            f.clock.set(start.minusSeconds(100)); // beyond the 60 s skew
            assertRejected(v, token, Reason.NOT_YET_VALID);

            f.clock.set(start.minusSeconds(60)); // within it
            assertThatCode(() -> v.verify(token)).doesNotThrowAnyException();
        }

        @Test
        void tokenIsRejectedAtExpExactly() throws Exception {
            String token = f.builder().lifetime(Duration.ofSeconds(60)).scope("read:/").sign();
            TokenVerifier v = f.verifierBuilder().verifiedTokenCacheSize(0).build();
            f.clock.set(start.plusSeconds(59));
            assertThatCode(() -> v.verify(token)).doesNotThrowAnyException();
            f.clock.set(start.plusSeconds(60));
            assertRejected(v, token, Reason.EXPIRED);
            f.clock.set(start.plusMillis(59_999));
            assertThatCode(() -> v.verify(token)).doesNotThrowAnyException();
        }

        @Test
        void expiryHasNoGracePeriod() {
            // the skew applies to nbf and iat only (WLCG 1.1: no grace period at end of life)
            String token = f.builder().lifetime(Duration.ofSeconds(60)).scope("read:/").sign();
            f.clock.set(start.plusSeconds(61));
            assertRejected(f.verifierBuilder().skew(Duration.ofMinutes(5)).build(), token, Reason.EXPIRED);
        }

        @Test
        void issuedInTheFutureBeyondSkewIsRejected() {
            long now = start.getEpochSecond();
            Map<String, Object> claims = f.claims("read:/");
            claims.put("iat", now + 61);
            assertRejected(f.verifier(), f.signed(claims), Reason.ISSUED_IN_FUTURE);
            claims.put("iat", now + 60);
            assertThatCode(() -> verify(f.signed(claims))).doesNotThrowAnyException();
            claims.put("iat", now + 30);
            assertThatCode(() -> verify(f.signed(claims))).doesNotThrowAnyException();
        }

        @Test
        void notBeforeBeyondSkewIsRejected() {
            long now = start.getEpochSecond();
            Map<String, Object> claims = f.claims("read:/");
            claims.put("nbf", now + 61);
            assertRejected(f.verifier(), f.signed(claims), Reason.NOT_YET_VALID);
            claims.put("nbf", now + 60);
            assertThatCode(() -> verify(f.signed(claims))).doesNotThrowAnyException();
        }

        @Test
        void skewIsConfigurable() {
            long now = start.getEpochSecond();
            Map<String, Object> claims = f.claims("read:/");
            claims.put("nbf", now + 1);
            assertRejected(f.verifierBuilder().skew(Duration.ZERO).build(), f.signed(claims), Reason.NOT_YET_VALID);
            claims.put("nbf", now);
            claims.put("iat", now + 1);
            assertRejected(f.verifierBuilder().skew(Duration.ZERO).build(), f.signed(claims), Reason.ISSUED_IN_FUTURE);
            claims.put("iat", now + 300);
            assertThatCode(() -> f.verifierBuilder().skew(Duration.ofMinutes(5)).build().verify(f.signed(claims)))
                    .doesNotThrowAnyException();
            assertThatThrownBy(() -> f.verifierBuilder().skew(Duration.ofSeconds(-1)))
                    .isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void clockIsReadAtEveryCheck() throws Exception {
            // unlike scitokens-cpp's Validator, which freezes "now" at construction
            TokenVerifier v = f.verifier();
            String token = f.builder().lifetime(Duration.ofMinutes(10)).scope("read:/").sign();
            v.verify(token);
            f.clock.advance(Duration.ofMinutes(9));
            v.verify(token);
            f.clock.advance(Duration.ofMinutes(1));
            assertRejected(v, token, Reason.EXPIRED);
        }

        @Test
        void maxLifetimeRefusesLongerTokens() {
            TokenVerifier v = f.verifierBuilder().maxLifetime(Duration.ofMinutes(10)).build();
            assertRejected(v, f.builder().lifetime(Duration.ofMinutes(20)).scope("read:/").sign(), Reason.LIFETIME_TOO_LONG);
            assertRejected(v, f.builder().lifetime(Duration.ofSeconds(601)).scope("read:/").sign(), Reason.LIFETIME_TOO_LONG);
            assertThatCode(() -> v.verify(f.builder().lifetime(Duration.ofMinutes(10)).scope("read:/").sign()))
                    .doesNotThrowAnyException();
            assertThatThrownBy(() -> f.verifierBuilder().maxLifetime(Duration.ZERO))
                    .isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void wlcgTokensOverSixHoursAreAlwaysRejected() {
            TokenBuilder wlcg = f.builder().profile(Profile.WLCG_1).subject("alice").scope("storage.read:/");
            String tooLong = wlcg.lifetime(Duration.ofHours(6).plusSeconds(1)).sign();
            assertRejected(f.verifier(), tooLong, Reason.LIFETIME_TOO_LONG);
            assertRejected(f.verifierBuilder().maxLifetime(Duration.ofHours(12)).build(), tooLong, Reason.LIFETIME_TOO_LONG);
            String sixHours = wlcg.lifetime(Duration.ofHours(6)).sign();
            assertThatCode(() -> verify(sixHours)).doesNotThrowAnyException();
            // a stricter limit still applies to WLCG tokens
            assertRejected(f.verifierBuilder().maxLifetime(Duration.ofHours(1)).build(), sixHours, Reason.LIFETIME_TOO_LONG);
            // SciTokens tokens have no built-in limit
            String longSciToken = f.builder().lifetime(Duration.ofHours(7)).scope("read:/").sign();
            assertThatCode(() -> verify(longSciToken)).doesNotThrowAnyException();
        }
    }

    // ---- audiences (spec-rules §1.5) ----

    @Nested
    class Audiences {
        private String v2(Object aud) {
            Map<String, Object> claims = f.claims("read:/");
            claims.put("aud", aud);
            return f.signed(claims);
        }

        private String wlcg(Object aud) {
            Map<String, Object> claims = wlcgClaims("storage.read:/");
            claims.put("aud", aud);
            return f.signed(claims);
        }

        private String v1(Object aud) {
            Map<String, Object> claims = v1Claims("read:/");
            if (aud != null) {
                claims.put("aud", aud);
            }
            return f.signed(claims);
        }

        @Test
        void tokenAnyIsAcceptedByAVerifierWithAnAudience() throws Exception {
            assertThat(verify(v2("ANY")).audience()).containsExactly("ANY");
        }

        @Test
        void verifierAudienceCannotBeAWildcard() {
            assertThatThrownBy(() -> TokenVerifier.builder().audience("ANY")).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> TokenVerifier.builder().audience(WLCG_ANY)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> TokenVerifier.builder().audiences(List.of("https://ok", "ANY")))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> TokenVerifier.builder().audience(" ")).isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void exactMatchSucceedsOtherwiseFails() throws Exception {
            assertThat(verify(v2(Fixture.AUDIENCE)).audience()).containsExactly(Fixture.AUDIENCE);
            assertRejected(f.verifier(), v2("https://notwork.com"), Reason.AUDIENCE_MISMATCH);
            // exact and case-sensitive: no normalization of trailing slash or case
            assertRejected(f.verifier(), v2("https://demo.scitokens.org"), Reason.AUDIENCE_MISMATCH);
            assertRejected(f.verifier(), v2("https://DEMO.scitokens.org/"), Reason.AUDIENCE_MISMATCH);
            assertRejected(f.verifier(), v2("any"), Reason.AUDIENCE_MISMATCH);
        }

        @Test
        void audienceListWithOneMatchIsAccepted() throws Exception {
            assertThat(verify(v2(List.of("https://a.example", Fixture.AUDIENCE, "https://b.example"))).audience())
                    .hasSize(3);
            assertRejected(f.verifier(), v2(List.of("https://a.example", "https://b.example")), Reason.AUDIENCE_MISMATCH);
        }

        @Test
        void emptyAudienceArrayIsInvalid() {
            assertRejected(f.verifier(), v2(List.of()), Reason.INVALID_CLAIM);
        }

        @Test
        void tokenWithoutAudIsRejectedWhenTheVerifierHasAudiences() throws Exception {
            assertRejected(f.verifier(), v1(null), Reason.AUDIENCE_MISMATCH);
            // and accepted by a verifier without audiences
            assertThat(noAudienceVerifier().build().verify(v1(null)).audience()).isEmpty();
        }

        @Test
        void wlcgAnyIsOnlySpecialInWlcgTokens() throws Exception {
            assertThat(verify(wlcg(WLCG_ANY)).audience()).containsExactly(WLCG_ANY);
            assertThat(verify(wlcg(List.of("https://x", WLCG_ANY))).profile()).isEqualTo(Profile.WLCG_1);
            assertRejected(f.verifier(), v2(WLCG_ANY), Reason.AUDIENCE_MISMATCH);
            assertRejected(f.verifier(), wlcg("ANY"), Reason.AUDIENCE_MISMATCH);
        }

        @Test
        void anyIsNotSpecialInSciTokens1() {
            assertRejected(f.verifier(), v1("ANY"), Reason.AUDIENCE_MISMATCH);
            assertRejected(noAudienceVerifier().build(), v1("ANY"), Reason.AUDIENCE_MISMATCH);
        }

        @Test
        void verifierWithoutAudienceAcceptsOnlyTheAnyValues() throws Exception {
            TokenVerifier none = noAudienceVerifier().build();
            assertThat(none.verify(v2("ANY")).profile()).isEqualTo(Profile.SCITOKENS_2);
            assertThat(none.verify(wlcg(WLCG_ANY)).profile()).isEqualTo(Profile.WLCG_1);
            assertRejected(none, v2(Fixture.AUDIENCE), Reason.AUDIENCE_MISMATCH);
            assertRejected(none, wlcg(Fixture.AUDIENCE), Reason.AUDIENCE_MISMATCH);
        }
    }

    // ---- issuers ----

    @Nested
    class Issuers {
        @Test
        void trailingSlashMakesADifferentIssuer() {
            String slashed = Fixture.ISSUER + "/";
            f.fetcher.publish(slashed, f.key, f.rsaKey);
            Map<String, Object> claims = f.claims("read:/");
            claims.put("iss", slashed);
            assertRejected(f.verifier(), f.signed(claims), Reason.ISSUER_NOT_ALLOWED);

            TokenVerifier slashedVerifier = TokenVerifier.builder().issuer(slashed).audience(Fixture.AUDIENCE)
                    .keys(f.keys).clock(f.clock).build();
            assertRejected(slashedVerifier, f.token("read:/"), Reason.ISSUER_NOT_ALLOWED);
            assertThatCode(() -> slashedVerifier.verify(f.signed(claims))).doesNotThrowAnyException();
        }

        @Test
        void longIssuerIsTruncatedInTheMessage() { // cpp IssuerSecurityTest.LongIssuerTruncation
            Map<String, Object> claims = f.claims("read:/");
            claims.put("iss", "https://demo.scitokens.org/" + "a".repeat(1000));
            assertThatThrownBy(() -> verify(f.signed(claims))).isInstanceOfSatisfying(TokenException.class, e -> {
                assertThat(e.reason()).isEqualTo(Reason.ISSUER_NOT_ALLOWED);
                assertThat(e.getMessage()).hasSizeLessThan(400)
                        .contains("is not in the list of allowed issuers")
                        .contains("...")
                        .contains("https://demo.scitokens.org/aaaa");
            });
        }

        @Test
        void controlCharactersInTheIssuerAreEscaped() { // cpp IssuerSecurityTest.SpecialCharacterIssuer
            Map<String, Object> claims = f.claims("read:/");
            claims.put("iss", "https://bad.example/\n\r\t\u0000\u0007\u001b[31mred\"quote\\back\u007f");
            assertThatThrownBy(() -> verify(f.signed(claims))).isInstanceOfSatisfying(TokenException.class, e -> {
                assertThat(e.reason()).isEqualTo(Reason.ISSUER_NOT_ALLOWED);
                assertThat(e.getMessage()).hasSizeLessThan(300).doesNotContainPattern("[\\x00-\\x1f\\x7f]")
                        .contains("\\u000a").contains("\\u001b").contains("\\\"quote");
            });
        }

        @Test
        void issuerMustBeAString() {
            Map<String, Object> claims = f.claims("read:/");
            claims.put("iss", List.of(Fixture.ISSUER));
            assertRejected(f.verifier(), f.signed(claims), Reason.INVALID_ISSUER);
            claims.remove("iss");
            assertRejected(f.verifier(), f.signed(claims), Reason.MISSING_CLAIM);
        }

        @Test
        void verifierIssuersMustBeHttps() {
            for (String bad : new String[] {"http://demo.scitokens.org", "demo.scitokens.org", "https://x/?q=1",
                "https://x/#f", "https:///nohost"}) {
                assertThatThrownBy(() -> TokenVerifier.builder().issuer(bad)).as(bad)
                        .isInstanceOf(IllegalArgumentException.class);
            }
            assertThatThrownBy(() -> TokenVerifier.builder().build()).isInstanceOf(IllegalArgumentException.class);
        }
    }

    // ---- keys and algorithms ----

    @Nested
    class Keys {
        @Test
        void signatureByAnotherKeyWithTheSameKidIsInvalid() { // cpp FailVerifyToken
            SigningKey impostor = SigningKey.generate(Algorithm.ES256, "1");
            String token = TokenBuilder.forKey(impostor).issuer(Fixture.ISSUER).audience(Fixture.AUDIENCE)
                    .clock(f.clock).scope("read:/").sign();
            assertRejected(f.verifier(), token, Reason.INVALID_SIGNATURE);
        }

        @Test
        void rs256TokenIsVerified() throws Exception {
            String token = TokenBuilder.forKey(f.rsaKey).issuer(Fixture.ISSUER).audience(Fixture.AUDIENCE)
                    .clock(f.clock).scope("read:/").sign();
            VerifiedToken verified = verify(token);
            assertThat(verified.algorithm()).isEqualTo(Algorithm.RS256);
            assertThat(verified.keyId()).isEqualTo("rsa-1");
        }

        @Test
        void headerAlgorithmMustFitTheKey() {
            // ES256 key "1", header says RS256
            String token = JwsSigner.sign(f.key, Map.of("alg", "RS256"), f.claims("read:/"));
            assertRejected(f.verifier(), token, Reason.ALGORITHM_MISMATCH);
            // RSA key "rsa-1", header says ES256
            String other = JwsSigner.sign(f.rsaKey, Map.of("alg", "ES256"), f.claims("read:/"));
            assertRejected(f.verifier(), other, Reason.ALGORITHM_MISMATCH);
            // a real ES256 signature presented under the RSA key's kid
            String swapped = JwsSigner.sign(f.key, Map.of("kid", "rsa-1"), f.claims("read:/"));
            assertRejected(f.verifier(), swapped, Reason.ALGORITHM_MISMATCH);
        }

        @Test
        void tokenWithoutKidNeedsAnIssuerWithASingleKey() throws Exception { // cpp SerializeNoKidTest
            String token = JwsSigner.sign(f.key, noKid(), f.claims("read:/"));
            assertThat(decodeHeader(token)).doesNotContainKey("kid");
            VerifiedToken verified = singleKeyVerifier().verify(token);
            assertThat(verified.keyId()).isNull();
            assertThat(verified.algorithm()).isEqualTo(Algorithm.ES256);
            // the fixture issuer publishes two keys
            assertRejected(f.verifier(), token, Reason.UNKNOWN_KEY);
        }

        @Test
        void unknownKidIsUnknownKey() {
            String token = JwsSigner.sign(f.key, Map.of("kid", "not-published"), f.claims("read:/"));
            assertRejected(f.verifier(), token, Reason.UNKNOWN_KEY);
        }

        @Test
        void issuerThatCannotBeReachedGivesKeysUnavailable() {
            f.fetcher.down(true);
            assertRejected(f.verifier(), f.token("read:/"), Reason.KEYS_UNAVAILABLE);
        }
    }

    // ---- verified-token cache ----

    @Nested
    class VerifiedTokenCache {
        @Test
        void secondVerificationUsesTheCacheButStillChecksTime() throws Exception {
            TokenVerifier v = f.verifier();
            String token = f.builder().lifetime(Duration.ofMinutes(5)).scope("read:/").sign();
            VerifiedToken first = v.verify(token);
            assertThat(f.fetcher.fetches(Fixture.ISSUER)).isEqualTo(1);

            // take the keys away: only the cache can verify the token now
            f.keys.remove(Fixture.ISSUER);
            f.fetcher.down(true);
            Trace.Recorder trace = Trace.recorder();
            VerifiedToken second = v.verify(token, trace);
            assertThat(second).isEqualTo(first);
            assertThat(f.fetcher.fetches(Fixture.ISSUER)).isEqualTo(1);
            assertThat(trace.steps()).extracting(Trace.Step::check).contains("cache").doesNotContain("signature");

            f.clock.advance(Duration.ofMinutes(5));
            assertRejected(v, token, Reason.EXPIRED);
            assertThat(f.fetcher.fetches(Fixture.ISSUER)).isEqualTo(1);
        }

        @Test
        void withoutTheCacheEveryVerificationNeedsTheKeys() throws Exception {
            TokenVerifier v = f.verifierBuilder().verifiedTokenCacheSize(0).build();
            String token = f.token("read:/");
            v.verify(token);
            f.keys.remove(Fixture.ISSUER);
            f.fetcher.down(true);
            assertRejected(v, token, Reason.KEYS_UNAVAILABLE);
            assertThat(f.fetcher.fetches(Fixture.ISSUER)).isEqualTo(2);
        }

        @Test
        void aTamperedCopyIsNotACacheHit() throws Exception {
            TokenVerifier v = f.verifier();
            String token = f.token("read:/");
            v.verify(token);
            String other = JwsSigner.sign(SigningKey.generate(Algorithm.ES256, "1"), Map.of(), f.claims("read:/"));
            // The other token's own signature segment: its length may differ from ours.
            String tampered = token.substring(0, token.lastIndexOf('.') + 1)
                    + other.substring(other.lastIndexOf('.') + 1);
            assertRejected(v, tampered, Reason.INVALID_SIGNATURE);
        }
    }

    // ---- TokenBuilder ----

    @Nested
    class Building {
        @Test
        void sciTokens2Claims() throws Exception {
            Instant now = f.clock.instant();
            String token = f.builder().subject("alice").scope("read:/a  write:/b").lifetime(Duration.ofMinutes(15))
                    .notBeforeBackdate(Duration.ofSeconds(30)).sign();
            Map<String, Object> claims = decodeClaims(token);
            assertThat(claims).containsEntry("ver", "scitoken:2.0").doesNotContainKey("wlcg.ver")
                    .containsEntry("iss", Fixture.ISSUER).containsEntry("sub", "alice")
                    .containsEntry("aud", Fixture.AUDIENCE).containsEntry("scope", "read:/a write:/b")
                    .containsEntry("iat", now.getEpochSecond())
                    .containsEntry("nbf", now.getEpochSecond() - 30)
                    .containsEntry("exp", now.getEpochSecond() + 900);
            assertThat(claims.get("jti")).isInstanceOf(String.class);
            Map<String, Object> header = decodeHeader(token);
            assertThat(header).containsEntry("alg", "ES256").containsEntry("kid", "1").containsEntry("typ", "JWT");
            assertThat(verify(token).scopes().toString()).isEqualTo("read:/a write:/b");
        }

        @Test
        void defaultLifetimeAndNotBefore() throws Exception {
            Map<String, Object> claims = decodeClaims(f.token("read:/"));
            long iat = (Long) claims.get("iat");
            assertThat(claims.get("nbf")).isEqualTo(iat);
            assertThat(claims.get("exp")).isEqualTo(iat + TokenBuilder.DEFAULT_LIFETIME.toSeconds());
        }

        @Test
        void wlcgClaims() throws Exception {
            String token = f.wlcgToken("storage.read:/");
            Map<String, Object> claims = decodeClaims(token);
            assertThat(claims).containsEntry("wlcg.ver", "1.0").doesNotContainKey("ver").containsEntry("sub", "alice")
                    .containsKeys("jti", "iat", "nbf", "exp");
            assertThat(decodeHeader(token)).containsEntry("kid", "1");
            String grouped = f.builder().profile(Profile.WLCG_1).subject("alice").group("/cms").group("/cms/uscms")
                    .sign();
            assertThat(decodeClaims(grouped)).containsEntry("wlcg.groups", List.of("/cms", "/cms/uscms"))
                    .doesNotContainKey("scope");
            assertThat(verify(grouped).groups()).containsExactly("/cms", "/cms/uscms");
        }

        @Test
        void jtiIsUniqueAcrossAThousandTokens() throws Exception {
            Set<Object> ids = new HashSet<>();
            TokenBuilder builder = f.builder().scope("read:/");
            for (int i = 0; i < 1000; i++) {
                ids.add(decodeClaims(builder.sign()).get("jti"));
            }
            assertThat(ids).hasSize(1000).doesNotContainNull();
            assertThat(decodeClaims(builder.jwtId("fixed").sign())).containsEntry("jti", "fixed");
        }

        @Test
        void typeAtJwtWhenAsked() throws Exception {
            assertThat(decodeHeader(f.builder().scope("read:/").type("at+jwt").sign())).containsEntry("typ", "at+jwt");
            String at = f.builder().profile(Profile.AT_JWT).subject("alice").claim("client_id", "c").sign();
            assertThat(decodeHeader(at)).containsEntry("typ", "at+jwt");
            assertThat(decodeClaims(at)).doesNotContainKeys("ver", "wlcg.ver").containsEntry("client_id", "c");
            assertThatThrownBy(() -> f.builder().type("jwt+foo")).isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void audienceIsAStringForOneAndAListForSeveral() throws Exception {
            assertThat(decodeClaims(f.token("read:/")).get("aud")).isEqualTo(Fixture.AUDIENCE);
            String two = f.builder().audience("https://second.example").scope("read:/").sign();
            assertThat(decodeClaims(two).get("aud")).isEqualTo(List.of(Fixture.AUDIENCE, "https://second.example"));
            assertThat(verify(two).audience()).containsExactly(Fixture.AUDIENCE, "https://second.example");
        }

        @Test
        void rsaKeySignsRs256() throws Exception {
            String token = TokenBuilder.forKey(f.rsaKey).issuer(Fixture.ISSUER).audience("ANY").scope("read:/").sign();
            assertThat(decodeHeader(token)).containsEntry("alg", "RS256").containsEntry("kid", "rsa-1");
        }

        @ParameterizedTest
        @ValueSource(strings = {"read", "storage.read", "read:/a/../b", "read:/ok write:/x/%2e%2e", "read:/caf\u00e9",
            "read:/ok storage.create", "read:/a%zz"})
        void builderRefusesInvalidScopes(String scope) {
            assertThatThrownBy(() -> f.builder().scope(scope)).as(scope).isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void builderRefusesMissingAudienceForSciTokens2AndWlcg() {
            TokenBuilder noAud = TokenBuilder.forKey(f.key).issuer(Fixture.ISSUER).subject("alice").scope("read:/");
            assertThatThrownBy(noAud::sign).isInstanceOf(IllegalStateException.class).hasMessageContaining("audience");
            assertThatThrownBy(() -> noAud.profile(Profile.WLCG_1).sign()).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("audience");
            // SciTokens 1.0 may go without aud
            Map<String, Object> v1 = noAud.profile(Profile.SCITOKENS_1).claims();
            assertThat(v1).doesNotContainKeys("aud", "ver", "wlcg.ver");
        }

        @Test
        void builderRefusesOtherMistakes() {
            assertThatThrownBy(() -> TokenBuilder.forKey(f.key).audience("ANY").sign())
                    .isInstanceOf(IllegalStateException.class); // no issuer
            assertThatThrownBy(() -> TokenBuilder.forKey(f.key).issuer("http://insecure.example"))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> f.builder().profile(Profile.WLCG_1).scope("storage.read:/").sign())
                    .isInstanceOf(IllegalStateException.class); // WLCG needs sub
            assertThatThrownBy(() -> f.builder().claim("exp", 1)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> f.builder().lifetime(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> f.builder().profile(Profile.SCITOKENS_1).claim("site", "x").sign())
                    .isInstanceOf(IllegalStateException.class);
        }

        @Test
        void extraClaimsAreCarried() throws Exception {
            Map<String, Object> extra = new LinkedHashMap<>();
            extra.put("n", 1L);
            String token = f.builder().scope("read:/").claim("opt", extra).claim("site", "T2").sign();
            VerifiedToken verified = verify(token);
            assertThat(verified.claim("opt")).isEqualTo(extra);
            assertThat(verified.claim("site")).isEqualTo("T2");
        }
    }
}
