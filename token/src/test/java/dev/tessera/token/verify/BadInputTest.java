package dev.tessera.token.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.tessera.token.Decision;
import dev.tessera.token.Enforcer;
import dev.tessera.token.Reason;
import dev.tessera.token.SafeText;
import dev.tessera.token.TokenException;
import dev.tessera.token.TokenVerifier;
import dev.tessera.token.jws.Base64Url;
import dev.tessera.token.jws.JwsSigner;
import dev.tessera.token.testing.Fixture;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile and broken tokens: each is refused with the right {@link Reason}, and nothing but a
 * {@link TokenException} ever leaves {@link TokenVerifier#verify} (an {@link Enforcer} never throws at all).
 */
class BadInputTest {
    private static final String JSON_CHARS = "{}[]\":,0123456789.eE-+tfn\\u ";

    private final Fixture f = new Fixture();
    private final TokenVerifier verifier = f.verifier();
    private final Enforcer enforcer = f.enforcer();

    /** Verifies, expecting a refusal; anything else than a TokenException fails the test. */
    private TokenException refusal(TokenVerifier v, String token) {
        try {
            v.verify(token);
        } catch (TokenException e) {
            assertThat(e.reason()).isNotNull();
            assertThat(e.getMessage()).isNotNull().hasSizeLessThanOrEqualTo(SafeText.MAX_MESSAGE);
            // verify() turns an unexpected RuntimeException into MALFORMED "token could not be processed":
            // that is a safety net, not an answer, so a test hitting it has found a library bug
            assertThat(e.getMessage()).doesNotContain("could not be processed");
            return e;
        } catch (Throwable t) {
            throw new AssertionError("verify threw " + t + " instead of a TokenException", t);
        }
        return fail("token was accepted: " + abbreviate(token));
    }

    private TokenException refusal(String token) {
        return refusal(verifier, token);
    }

    /** Asserts the reason from the verifier and from the enforcer alike. */
    private void assertRejected(String token, Reason reason) {
        assertThat(refusal(token).reason()).isEqualTo(reason);
        Decision d = enforcer.test(token, "read", "/x");
        assertThat(d.allowed()).isFalse();
        assertThat(d.reason()).isEqualTo(reason);
        assertThat(d.message()).hasSizeLessThanOrEqualTo(SafeText.MAX_MESSAGE);
    }

    private static String abbreviate(String token) {
        return token == null || token.length() < 200 ? String.valueOf(token) : token.substring(0, 200) + "...";
    }

    private static String b64(String text) {
        return Base64Url.encode(text.getBytes(StandardCharsets.UTF_8));
    }

    private String valid() {
        return f.token("read:/");
    }

    private String validHeaderJson() {
        return "{\"alg\":\"ES256\",\"kid\":\"1\"}";
    }

    private String validClaimsJson() {
        return dev.tessera.token.jws.Json.write(f.claims("read:/"));
    }

    /** Signs raw JSON texts with the fixture's ES256 key. */
    private String signRaw(String header, String payload) {
        return JwsSigner.signRaw(f.key, header, payload);
    }

    @Test
    void theBaselineTokenIsValid() throws Exception {
        assertThat(verifier.verify(valid()).scopes().toString()).isEqualTo("read:/");
        assertThat(verifier.verify(signRaw(validHeaderJson(), validClaimsJson()))).isNotNull();
    }

    // ---- structure ----

    @Test
    void nullAndEmpty() {
        assertRejected(null, Reason.MALFORMED);
        assertRejected("", Reason.MALFORMED);
    }

    @Test
    void whitespaceAndGarbage() {
        for (String s : new String[] {" ", "asdf1234", ".", "..", "...", "a.b.c", "\u0000.\u0000.\u0000", "Bearer x.y.z"}) {
            assertThat(refusal(s).reason()).as(s).isEqualTo(Reason.MALFORMED);
        }
    }

    @Test
    void truncatedAtRandomPoints() {
        String token = valid();
        Random random = new Random(20260413);
        for (int i = 0; i < 200; i++) {
            int cut = random.nextInt(token.length());
            String truncated = token.substring(0, cut);
            TokenException e = refusal(truncated);
            assertThat(e.reason()).as("cut at " + cut).isIn(Reason.MALFORMED, Reason.INVALID_SIGNATURE);
            Decision d = enforcer.test(truncated, "read", "/x");
            assertThat(d.allowed()).isFalse();
        }
    }

    @Test
    void overlongTokenIsTooLarge() {
        String huge = valid() + "A".repeat(40_000);
        assertRejected(huge, Reason.TOO_LARGE);
        assertThat(refusal("x".repeat(32 * 1024 + 1)).reason()).isEqualTo(Reason.TOO_LARGE);
        // the limit is configurable
        TokenVerifier small = f.verifierBuilder().maxTokenLength(100).build();
        assertThat(refusal(small, valid()).reason()).isEqualTo(Reason.TOO_LARGE);
        assertThat(refusal(small, valid()).getMessage()).contains("100");
    }

    @Test
    void invalidBase64() {
        String token = valid();
        String[] parts = token.split("\\.");
        // padding
        assertRejected(parts[0] + "=." + parts[1] + "." + parts[2], Reason.MALFORMED);
        assertRejected(parts[0] + "." + parts[1] + "==." + parts[2], Reason.MALFORMED);
        assertRejected(parts[0] + "." + parts[1] + "." + parts[2] + "=", Reason.MALFORMED);
        // standard-alphabet characters
        assertRejected("+" + parts[0].substring(1) + "." + parts[1] + "." + parts[2], Reason.MALFORMED);
        assertRejected(parts[0] + "." + "/" + parts[1].substring(1) + "." + parts[2], Reason.MALFORMED);
        assertRejected(parts[0] + "." + parts[1] + "." + "+/" + parts[2].substring(2), Reason.MALFORMED);
        // impossible lengths (4n+1 characters)
        String header = b64("{\"alg\":\"ES256\",\"kid\":\"1\"}");
        String oddHeader = header.length() % 4 == 1 ? header : header + "A".repeat((5 - header.length() % 4) % 4);
        assertThat(oddHeader.length() % 4).isEqualTo(1);
        assertRejected(oddHeader + "." + parts[1] + "." + parts[2], Reason.MALFORMED);
        String oddSig = parts[2].length() % 4 == 1 ? parts[2] : parts[2] + "A".repeat((5 - parts[2].length() % 4) % 4);
        assertRejected(parts[0] + "." + parts[1] + "." + oddSig, Reason.MALFORMED);
        // characters outside ASCII and whitespace
        assertRejected(parts[0] + "." + parts[1] + "." + parts[2].substring(1) + "\u00e9", Reason.MALFORMED);
        assertRejected(parts[0] + " ." + parts[1] + "." + parts[2], Reason.MALFORMED);
        assertRejected(token + "\n", Reason.MALFORMED);
    }

    @Test
    void wrongNumberOfParts() {
        String token = valid();
        String[] parts = token.split("\\.");
        assertRejected(parts[0] + "." + parts[1], Reason.MALFORMED);
        assertRejected(parts[0], Reason.MALFORMED);
        assertRejected(token + ".", Reason.MALFORMED);
        assertRejected(token + "." + parts[2], Reason.MALFORMED);
        // a JWE compact serialization: five parts
        String jwe = b64("{\"alg\":\"RSA-OAEP\",\"enc\":\"A256GCM\"}") + ".AAAA.AAAA.AAAA.AAAA";
        TokenException e = refusal(jwe);
        assertThat(e.reason()).isEqualTo(Reason.MALFORMED);
        assertThat(e.getMessage()).contains("JWE");
    }

    @Test
    void emptyParts() {
        String[] parts = valid().split("\\.");
        assertRejected("." + parts[1] + "." + parts[2], Reason.MALFORMED);
        assertRejected(parts[0] + ".." + parts[2], Reason.MALFORMED);
        // empty signature on a real ES256 header: unsigned
        assertRejected(parts[0] + "." + parts[1] + ".", Reason.INVALID_SIGNATURE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"not json", "{", "{\"alg\":\"ES256\"", "[{\"alg\":\"ES256\"}]", "\"ES256\"", "42",
        "{\"alg\":\"ES256\",}", "{'alg':'ES256','kid':'1'}", "{alg:ES256,kid:\"1\"}", "{\"alg\":\"ES256\"} trailing"})
    void nonJsonOrNonObjectHeader(String header) {
        assertRejected(signRaw(header, validClaimsJson()), Reason.MALFORMED);
    }

    @ParameterizedTest
    @ValueSource(strings = {"not json", "{", "[{\"iss\":\"x\"}]", "\"claims\"", "1", "true",
        "{\"iss\":}", "{\"a\":1}{\"b\":2}", "[\"iss\",\"x\"]"})
    void nonJsonOrNonObjectPayload(String payload) {
        assertRejected(signRaw(validHeaderJson(), payload), Reason.MALFORMED);
    }

    /** The claims as a JSON array of [name, value] pairs, which is not a JSON object. */
    private String claimsAsPairs() {
        StringBuilder pairs = new StringBuilder("[");
        for (Map.Entry<String, Object> e : f.claims("read:/").entrySet()) {
            pairs.append(pairs.length() > 1 ? "," : "").append("[\"").append(e.getKey()).append("\",")
                    .append(e.getValue() instanceof String v ? "\"" + v + "\"" : e.getValue()).append(']');
        }
        return pairs.append(']').toString();
    }

    @Test
    void jsonArrayPayloadOrHeaderIsMalformed() {
        assertRejected(signRaw(validHeaderJson(), claimsAsPairs()), Reason.MALFORMED);
        assertRejected(signRaw("[[\"alg\",\"ES256\"],[\"kid\",\"1\"]]", validClaimsJson()), Reason.MALFORMED);
        assertRejected(signRaw(validHeaderJson(), "[]"), Reason.MALFORMED);
        assertRejected(signRaw("[]", validClaimsJson()), Reason.MALFORMED);
    }

    @Test
    void jsonNullPayloadOrHeaderIsMalformed() {
        TokenException payload = refusal(signRaw(validHeaderJson(), "null"));
        assertThat(payload.reason()).isEqualTo(Reason.MALFORMED);
        assertThat(payload.getMessage()).doesNotContain("Exception");
        TokenException header = refusal(signRaw("null", validClaimsJson()));
        assertThat(header.reason()).isEqualTo(Reason.MALFORMED);
        assertThat(header.getMessage()).doesNotContain("Exception");
    }

    @Test
    void invalidUtf8InPayload() {
        byte[] bad = {'{', '"', 'i', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'};
        String input = b64(validHeaderJson()) + "." + Base64Url.encode(bad);
        String token = input + "." + Base64Url.encode(f.key.sign(input.getBytes(StandardCharsets.US_ASCII)));
        assertRejected(token, Reason.MALFORMED);
    }

    // ---- JSON bombs ----

    @Test
    void deeplyNestedJson() {
        // a raised size limit, so that the parser, not the length check, meets the bomb
        TokenVerifier roomy = f.verifierBuilder().maxTokenLength(200_000).build();
        String deep = "[".repeat(10_000) + "]".repeat(10_000);
        String payload = validClaimsJson().replaceFirst("\\{", "{\"deep\":" + deep + ",");
        assertThat(refusal(roomy, signRaw(validHeaderJson(), payload)).reason()).isEqualTo(Reason.MALFORMED);
        String deepObjects = "{\"a\":".repeat(10_000) + "1" + "}".repeat(10_000);
        assertThat(refusal(roomy, signRaw(validHeaderJson(), deepObjects)).reason()).isEqualTo(Reason.MALFORMED);
        String deepHeader = "{\"x\":" + deep + ",\"alg\":\"ES256\",\"kid\":\"1\"}";
        assertThat(refusal(roomy, signRaw(deepHeader, validClaimsJson())).reason()).isEqualTo(Reason.MALFORMED);
        // at the default limit the same payload is refused (as malformed or too large) before any harm
        assertThat(refusal(signRaw(validHeaderJson(), payload)).reason()).isIn(Reason.MALFORMED, Reason.TOO_LARGE);
        // moderate nesting in a claim nobody reads is fine in 2.0
        String shallow = validClaimsJson().replaceFirst("\\{", "{\"n\":" + "[".repeat(100) + "]".repeat(100) + ",");
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> verifier.verify(signRaw(validHeaderJson(), shallow))))
                .isNull();
    }

    @Test
    void hugeNumbers() {
        long now = f.clock.instant().getEpochSecond();
        String payload = validClaimsJson().replace("\"exp\":" + (now + 600), "\"exp\":1e400");
        assertThat(payload).contains("1e400");
        assertRejected(signRaw(validHeaderJson(), payload), Reason.MALFORMED);

        String negative = validClaimsJson().replace("\"exp\":" + (now + 600), "\"exp\":-1e400");
        assertRejected(signRaw(validHeaderJson(), negative), Reason.MALFORMED);

        // a 30 KB number: within a raised size limit, so the parser sees it
        TokenVerifier roomy = f.verifierBuilder().maxTokenLength(200_000).build();
        String digits = "9".repeat(30_000);
        String longNumber = validClaimsJson().replace("\"exp\":" + (now + 600), "\"exp\":" + digits);
        assertThat(refusal(roomy, signRaw(validHeaderJson(), longNumber)).reason())
                .isIn(Reason.MALFORMED, Reason.INVALID_CLAIM);
        // the same number in a claim nobody reads is still a payload that cannot be represented
        String unread = validClaimsJson().replaceFirst("\\{", "{\"x\":" + digits + ",");
        assertThat(refusal(roomy, signRaw(validHeaderJson(), unread)).reason()).isEqualTo(Reason.MALFORMED);
        // and at the default limit it is too large before it is parsed
        assertRejected(signRaw(validHeaderJson(), longNumber), Reason.TOO_LARGE);
    }

    @Test
    void outOfRangeDates() {
        for (Object exp : new Object[] {-1L, 253402300800L, Long.MAX_VALUE, 1.0e300, -0.5}) {
            Map<String, Object> claims = f.claims("read:/");
            claims.put("exp", exp);
            assertThat(refusal(f.signed(claims)).reason()).as("exp " + exp).isEqualTo(Reason.INVALID_CLAIM);
        }
    }

    // ---- algorithms ----

    @Test
    void algNoneWithEmptySignature() {
        String token = b64("{\"alg\":\"none\"}") + "." + b64(validClaimsJson()) + ".";
        assertRejected(token, Reason.UNSUPPORTED_ALGORITHM);
        String withKid = b64("{\"alg\":\"none\",\"kid\":\"1\"}") + "." + b64(validClaimsJson()) + ".";
        assertRejected(withKid, Reason.UNSUPPORTED_ALGORITHM);
        for (String alg : new String[] {"None", "NONE", "nOnE"}) {
            assertRejected(b64("{\"alg\":\"" + alg + "\"}") + "." + b64(validClaimsJson()) + ".",
                    Reason.UNSUPPORTED_ALGORITHM);
        }
    }

    @Test
    void hs256WithThePublicKeyAsSecret() throws Exception { // the RS256/HS256 key-confusion attack
        for (String kid : new String[] {"rsa-1", "1"}) {
            byte[] secret = (kid.equals("1") ? f.key : f.rsaKey).publicKey().getEncoded();
            String input = b64("{\"alg\":\"HS256\",\"kid\":\"" + kid + "\"}") + "." + b64(validClaimsJson());
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            String token = input + "." + Base64Url.encode(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
            assertRejected(token, Reason.UNSUPPORTED_ALGORITHM);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"HS256", "HS512", "RS512", "PS256", "ES384", "ES512", "EdDSA", "es256", "rs256", "ES256 ", ""})
    void otherAlgorithmsAreUnsupported(String alg) {
        String token = JwsSigner.sign(f.key, Map.of("alg", alg), f.claims("read:/"));
        assertRejected(token, Reason.UNSUPPORTED_ALGORITHM);
    }

    @Test
    void nonStringAlg() {
        assertRejected(signRaw("{\"alg\":256,\"kid\":\"1\"}", validClaimsJson()), Reason.UNSUPPORTED_ALGORITHM);
        assertRejected(signRaw("{\"alg\":[\"ES256\"],\"kid\":\"1\"}", validClaimsJson()), Reason.UNSUPPORTED_ALGORITHM);
        assertRejected(signRaw("{\"kid\":\"1\"}", validClaimsJson()), Reason.UNSUPPORTED_ALGORITHM);
    }

    // ---- headers ----

    @ParameterizedTest
    @ValueSource(strings = {"../../etc/passwd", "a/b", "..", "a\\b", "key 1", "", "k\u0000", "%2e%2e", "k\nid"})
    void unsafeKidIsAnInvalidHeader(String kid) {
        assertRejected(JwsSigner.sign(f.key, Map.of("kid", kid), f.claims("read:/")), Reason.INVALID_HEADER);
    }

    @Test
    void overlongOrNonStringKid() {
        assertRejected(JwsSigner.sign(f.key, Map.of("kid", "k".repeat(257)), f.claims("read:/")), Reason.INVALID_HEADER);
        assertRejected(JwsSigner.sign(f.key, Map.of("kid", 1), f.claims("read:/")), Reason.INVALID_HEADER);
    }

    @Test
    void critHeaderIsRefused() {
        assertRejected(JwsSigner.sign(f.key, Map.of("crit", List.of("exp")), f.claims("read:/")), Reason.INVALID_HEADER);
        assertRejected(JwsSigner.sign(f.key, Map.of("crit", List.of()), f.claims("read:/")), Reason.INVALID_HEADER);
    }

    @Test
    void unexpectedTyp() {
        assertRejected(JwsSigner.sign(f.key, Map.of("typ", "JWE"), f.claims("read:/")), Reason.INVALID_HEADER);
        assertRejected(JwsSigner.sign(f.key, Map.of("typ", 1), f.claims("read:/")), Reason.INVALID_HEADER);
    }

    // ---- claims ----

    @Test
    void duplicateClaimsAreMalformed() {
        long now = f.clock.instant().getEpochSecond();
        String payload = "{\"ver\":\"scitoken:2.0\",\"iss\":\"" + Fixture.ISSUER + "\",\"aud\":\"" + Fixture.AUDIENCE
                + "\",\"scope\":\"read:/\",\"iat\":" + now + ",\"nbf\":" + now + ",\"exp\":" + (now + 600)
                + ",\"exp\":" + (now + 999_999) + "}";
        assertRejected(signRaw(validHeaderJson(), payload), Reason.MALFORMED);
        // the same for scope, where the second value would widen the grant
        String scopes = "{\"ver\":\"scitoken:2.0\",\"iss\":\"" + Fixture.ISSUER + "\",\"aud\":\"" + Fixture.AUDIENCE
                + "\",\"scope\":\"read:/public\",\"scope\":\"write:/\",\"iat\":" + now + ",\"nbf\":" + now
                + ",\"exp\":" + (now + 600) + "}";
        assertRejected(signRaw(validHeaderJson(), scopes), Reason.MALFORMED);
        // and in the header
        assertRejected(signRaw("{\"alg\":\"ES256\",\"kid\":\"1\",\"kid\":\"rsa-1\"}", validClaimsJson()), Reason.MALFORMED);
    }

    @Test
    void scopeAsJsonArrayIsInvalid() {
        Map<String, Object> claims = f.claims("read:/");
        claims.put("scope", List.of("read:/"));
        assertRejected(f.signed(claims), Reason.INVALID_CLAIM);
        claims.put("scope", 42);
        assertRejected(f.signed(claims), Reason.INVALID_CLAIM);
    }

    @Test
    void wrongClaimTypes() {
        Object[][] cases = {
            {"sub", 42L}, {"sub", List.of("alice")}, {"sub", Map.of("id", "alice")}, {"sub", true},
            {"jti", 7L},
            {"exp", "1700000000"}, {"exp", true}, {"exp", List.of(1L)},
            {"iat", "now"}, {"nbf", Map.of()},
            {"aud", 42L}, {"aud", List.of(Fixture.AUDIENCE, 1L)}, {"aud", Map.of("x", "y")}, {"aud", true},
        };
        for (Object[] c : cases) {
            Map<String, Object> claims = f.claims("read:/");
            claims.put((String) c[0], c[1]);
            assertThat(refusal(f.signed(claims)).reason()).as(c[0] + " = " + c[1]).isEqualTo(Reason.INVALID_CLAIM);
        }
    }

    /** The claims JSON text with one member's value replaced by null. */
    private static String withNull(String json, String name) {
        String out = json.replaceFirst("\"" + java.util.regex.Pattern.quote(name) + "\":(\"[^\"]*\"|[0-9]+)",
                "\"" + name + "\":null");
        assertThat(out).contains("\"" + name + "\":null");
        return out;
    }

    private String wlcgClaimsJson() {
        Map<String, Object> claims = f.claims("storage.read:/");
        claims.remove("ver");
        claims.put("wlcg.ver", "1.0");
        return dev.tessera.token.jws.Json.write(claims);
    }

    @Test
    void nullExpOrAudIsRefused() {
        assertRejected(signRaw(validHeaderJson(), withNull(validClaimsJson(), "exp")), Reason.MISSING_CLAIM);
        assertRejected(signRaw(validHeaderJson(), withNull(validClaimsJson(), "iss")), Reason.MISSING_CLAIM);
        assertRejected(signRaw(validHeaderJson(), withNull(validClaimsJson(), "aud")), Reason.MISSING_CLAIM);
    }

    @Test
    void requiredClaimsWithNullValuesAreRefused() {
        for (String name : new String[] {"iat", "nbf", "scope"}) {
            TokenException e = refusal(signRaw(validHeaderJson(), withNull(validClaimsJson(), name)));
            assertThat(e.reason()).as(name).isIn(Reason.MISSING_CLAIM, Reason.INVALID_CLAIM);
        }
        for (String name : new String[] {"iat", "sub", "jti"}) {
            TokenException e = refusal(signRaw(validHeaderJson(), withNull(wlcgClaimsJson(), name)));
            assertThat(e.reason()).as("WLCG " + name).isIn(Reason.MISSING_CLAIM, Reason.INVALID_CLAIM);
        }
    }

    // ---- signatures ----

    @Test
    void allZeroEcdsaSignatureIsInvalid() { // CVE-2022-21449, the "psychic signature"
        String[] parts = valid().split("\\.");
        String zeros = Base64Url.encode(new byte[64]);
        assertRejected(parts[0] + "." + parts[1] + "." + zeros, Reason.INVALID_SIGNATURE);
        // r = s = n (the curve order) is as bad as zero
        byte[] order = hex("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551");
        byte[] rs = new byte[64];
        System.arraycopy(order, 0, rs, 0, 32);
        System.arraycopy(order, 0, rs, 32, 32);
        assertRejected(parts[0] + "." + parts[1] + "." + Base64Url.encode(rs), Reason.INVALID_SIGNATURE);
        byte[] ones = new byte[64];
        java.util.Arrays.fill(ones, (byte) 0xff);
        assertRejected(parts[0] + "." + parts[1] + "." + Base64Url.encode(ones), Reason.INVALID_SIGNATURE);
    }

    @Test
    void signatureOfWrongLength() {
        String[] parts = valid().split("\\.");
        byte[] good = java.util.Base64.getUrlDecoder().decode(parts[2]);
        for (int len : new int[] {1, 32, 63, 65, 72, 128, 256}) {
            byte[] sig = java.util.Arrays.copyOf(good, len);
            assertRejected(parts[0] + "." + parts[1] + "." + Base64Url.encode(sig), Reason.INVALID_SIGNATURE);
        }
        // a DER-encoded ECDSA signature is not the JWS form
        String rsa = com.nimbusds.jose.util.Base64URL.encode(new byte[256]).toString();
        assertRejected(parts[0] + "." + parts[1] + "." + rsa, Reason.INVALID_SIGNATURE);
        String rsaToken = dev.tessera.token.TokenBuilder.forKey(f.rsaKey).issuer(Fixture.ISSUER)
                .audience(Fixture.AUDIENCE).clock(f.clock).scope("read:/").sign();
        String[] r = rsaToken.split("\\.");
        assertRejected(r[0] + "." + r[1] + "." + Base64Url.encode(new byte[255]), Reason.INVALID_SIGNATURE);
        assertRejected(r[0] + "." + r[1] + "." + Base64Url.encode(new byte[64]), Reason.INVALID_SIGNATURE);
    }

    @Test
    void signatureOverADifferentPayload() {
        String[] a = valid().split("\\.");
        String[] b = f.token("write:/").split("\\.");
        assertRejected(a[0] + "." + b[1] + "." + a[2], Reason.INVALID_SIGNATURE);
    }

    // ---- fuzzing ----

    @Test
    void randomCharacterMutationsOnlyEverGiveTokenExceptions() {
        String token = valid();
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ %\u00e9\u0000";
        Random random = new Random(4242);
        for (int i = 0; i < 2000; i++) {
            StringBuilder s = new StringBuilder(token);
            int edits = 1 + random.nextInt(4);
            for (int k = 0; k < edits; k++) {
                int pos = random.nextInt(s.length());
                switch (random.nextInt(3)) {
                    case 0 -> s.setCharAt(pos, alphabet.charAt(random.nextInt(alphabet.length())));
                    case 1 -> s.deleteCharAt(pos);
                    default -> s.insert(pos, alphabet.charAt(random.nextInt(alphabet.length())));
                }
            }
            String mutated = s.toString();
            if (!mutated.equals(token)) {
                checkFuzzed(mutated, token);
            }
        }
    }

    @Test
    void randomPayloadByteMutationsResignedOnlyEverGiveTokenExceptions() {
        // re-signing makes the verifier go past the signature into JSON and claim checking
        byte[] header = validHeaderJson().getBytes(StandardCharsets.UTF_8);
        byte[] payload = validClaimsJson().getBytes(StandardCharsets.UTF_8);
        Random random = new Random(777);
        TokenVerifier v = f.verifierBuilder().verifiedTokenCacheSize(0).build();
        int accepted = 0;
        for (int i = 0; i < 2000; i++) {
            boolean inHeader = random.nextInt(4) == 0;
            byte[] bytes = (inHeader ? header : payload).clone();
            int edits = 1 + random.nextInt(3);
            for (int k = 0; k < edits; k++) {
                bytes[random.nextInt(bytes.length)] = (byte) (random.nextBoolean()
                        ? random.nextInt(256)
                        : JSON_CHARS.charAt(random.nextInt(JSON_CHARS.length())));
            }
            String input = Base64Url.encode(inHeader ? bytes : header) + "." + Base64Url.encode(inHeader ? payload : bytes);
            String token = input + "." + Base64Url.encode(f.key.sign(input.getBytes(StandardCharsets.US_ASCII)));
            try {
                v.verify(token);
                accepted++; // a change in a value nobody checks (jti, sub...) keeps the token valid
            } catch (TokenException e) {
                assertThat(e.reason()).isNotNull();
                assertThat(e.getMessage()).isNotNull().hasSizeLessThanOrEqualTo(SafeText.MAX_MESSAGE)
                        .doesNotContain("could not be processed");
            } catch (Throwable t) {
                throw new AssertionError("verify threw " + t + " for " + abbreviate(token), t);
            }
            Decision d;
            try {
                d = enforcer.test(token, "read", "/x");
            } catch (Throwable t) {
                throw new AssertionError("Enforcer.test threw " + t + " for " + abbreviate(token), t);
            }
            assertThat(d.message()).hasSizeLessThanOrEqualTo(SafeText.MAX_MESSAGE);
        }
        assertThat(accepted).isLessThan(2000);
    }

    private void checkFuzzed(String mutated, String original) {
        try {
            verifier.verify(mutated);
            // accepted: then header and payload are untouched (the signature covers them), and the signature
            // differs only in the spare low bits of its last base64url character, which decode to the same bytes
            int dot = original.lastIndexOf('.');
            assertThat(mutated.lastIndexOf('.')).as("accepted mutation " + mutated).isEqualTo(dot);
            assertThat(mutated.substring(0, dot)).isEqualTo(original.substring(0, dot));
            assertThat(java.util.Base64.getUrlDecoder().decode(mutated.substring(dot + 1)))
                    .isEqualTo(java.util.Base64.getUrlDecoder().decode(original.substring(dot + 1)));
        } catch (TokenException e) {
            assertThat(e.reason()).isNotNull();
            assertThat(e.getMessage()).isNotNull().hasSizeLessThanOrEqualTo(SafeText.MAX_MESSAGE)
                    .doesNotContain("could not be processed");
        } catch (Throwable t) {
            throw new AssertionError("verify threw " + t + " for " + mutated, t);
        }
        Decision d;
        try {
            d = enforcer.test(mutated, "read", "/x");
        } catch (Throwable t) {
            throw new AssertionError("Enforcer.test threw " + t + " for " + mutated, t);
        }
        assertThat(d.message()).hasSizeLessThanOrEqualTo(SafeText.MAX_MESSAGE);
    }

    // ---- requests to the enforcer ----

    @Test
    void badRequestsNeverThrow() {
        String token = valid();
        String[] paths = {null, "", "relative", "/..", "/%", "/%zz", "/\u0000", "/a%00b", "/" + "a/".repeat(10_000)};
        for (String path : paths) {
            Decision d = enforcer.test(token, "read", path);
            assertThat(d.message()).hasSizeLessThanOrEqualTo(SafeText.MAX_MESSAGE);
        }
        assertThat(enforcer.test(token, null, "/x").allowed()).isFalse();
        assertThat(enforcer.test(token, "", "/x").allowed()).isFalse();
        assertThat(enforcer.test(token, "read", "/..").reason()).isEqualTo(Reason.INVALID_PATH);
        assertThat(enforcer.test(token, "read", "relative").reason()).isEqualTo(Reason.INVALID_PATH);
    }

    private static byte[] hex(String s) {
        byte[] out = new byte[s.length() / 2];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
        }
        return out;
    }
}
