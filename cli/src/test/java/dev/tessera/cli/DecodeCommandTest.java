package dev.tessera.cli;

import static dev.tessera.cli.Cli.tessera;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.MAP;

import dev.tessera.token.TokenBuilder;
import dev.tessera.token.jws.JwsSigner;
import dev.tessera.token.keys.Algorithm;
import dev.tessera.token.keys.SigningKey;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code tessera decode} with the token as argument: what it shows, -H, --json, malformed tokens. */
class DecodeCommandTest {
    static final String ISSUER = "https://tokens.example.org/vo";
    static final SigningKey KEY = SigningKey.generate(Algorithm.ES256, "k1");
    static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("yyyy-MM-dd").withZone(ZoneOffset.UTC);

    static String token(Duration lifetime) {
        return TokenBuilder.forKey(KEY).issuer(ISSUER).subject("alice").scope("read:/data")
                .audience("https://storage.example.org").lifetime(lifetime).jwtId("jti-42").sign();
    }

    static Map<String, Object> claims(long iat, long exp) {
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("ver", "scitoken:2.0");
        claims.put("iss", ISSUER);
        claims.put("sub", "alice");
        claims.put("aud", "ANY");
        claims.put("scope", "read:/data");
        claims.put("iat", iat);
        claims.put("nbf", iat);
        claims.put("exp", exp);
        return claims;
    }

    @Test
    void showsHeaderAndPayloadAndSaysItIsNotVerified() {
        String token = token(Duration.ofMinutes(20));

        Cli.Result r = tessera("decode", token);

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("NOT VERIFIED").contains("tessera verify")
                .contains("Header:").contains("\"alg\": \"ES256\"").contains("\"kid\": \"k1\"").contains("\"typ\": \"JWT\"")
                .contains("Payload:").contains("\"iss\": \"" + ISSUER + "\"").contains("\"sub\": \"alice\"")
                .contains("\"scope\": \"read:/data\"").contains("\"jti\": \"jti-42\"").contains("\"ver\": \"scitoken:2.0\"");
        assertThat(r.out().indexOf("NOT VERIFIED")).isLessThan(r.out().indexOf("Header:"));
        assertThat(r.out().indexOf("Header:")).isLessThan(r.out().indexOf("Payload:"));
        assertThat(r.out()).doesNotContain("Token from"); // only said when discovery found it
        assertThat(r.out()).doesNotContain("Remaining lifetime");
        assertThat(r.err()).isEmpty();
    }

    @Test
    void withoutHumanTimesShowsEpochSeconds() {
        long now = Instant.now().getEpochSecond();
        String token = JwsSigner.sign(KEY, Map.of(), claims(now, now + 600));

        Cli.Result r = tessera("decode", token);

        assertThat(r.out()).contains("\"exp\": " + (now + 600)).contains("\"iat\": " + now);
    }

    @Test
    void humanShowsDatesAndRemainingLifetime() {
        long now = Instant.now().getEpochSecond();
        long exp = now + 3 * 3600 + 60;
        String token = JwsSigner.sign(KEY, Map.of(), claims(now, exp));

        Cli.Result r = tessera("decode", "-H", token);

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("\"exp\": \"" + DAY.format(Instant.ofEpochSecond(exp)))
                .containsPattern("\"exp\": \"\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC \\(in [23]h \\d+m \\d+s\\)")
                .containsPattern("\"iat\": \"\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC")
                .doesNotContain("\"exp\": " + exp)
                .containsPattern("Remaining lifetime: [23]h \\d+m \\d+s\\.")
                .contains("NOT VERIFIED");
        assertThat(r.out()).doesNotContain("Expired");
    }

    @Test
    void humanSaysAnExpiredTokenExpired() {
        long now = Instant.now().getEpochSecond();
        String token = JwsSigner.sign(KEY, Map.of(), claims(now - 7200, now - 3600));

        Cli.Result r = tessera("decode", "-H", token);

        assertThat(r.exit()).as(r.toString()).isZero(); // decode never judges
        assertThat(r.out()).containsPattern("Expired 1h \\d+m \\d+s ago\\.")
                .containsPattern("\"exp\": \"[^\"]+ UTC \\(1h \\d+m \\d+s ago\\)")
                .doesNotContain("Remaining lifetime");
    }

    @Test
    void humanWithoutExpSaysNothingAboutLifetime() {
        Map<String, Object> claims = claims(Instant.now().getEpochSecond(), 0);
        claims.remove("exp");

        Cli.Result r = tessera("decode", "-H", JwsSigner.sign(KEY, Map.of(), claims));

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).doesNotContain("Remaining lifetime").doesNotContain("Expired");
    }

    @Test
    void humanLeavesANonNumericExpAsItIs() {
        Map<String, Object> claims = claims(Instant.now().getEpochSecond(), 0);
        claims.put("exp", "tomorrow");

        Cli.Result r = tessera("decode", "-H", JwsSigner.sign(KEY, Map.of(), claims));

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("\"exp\": \"tomorrow\"").doesNotContain("Remaining lifetime");
    }

    @Test
    void humanCopesWithTimesOutOfRange() {
        Map<String, Object> claims = claims(Instant.now().getEpochSecond(), 0);
        claims.put("exp", 99_999_999_999_999_999L);

        Cli.Result r = tessera("decode", "-H", JwsSigner.sign(KEY, Map.of(), claims));

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("Payload:").contains("\"sub\": \"alice\"");
        assertThat(r.err()).doesNotContain("unexpected error");
    }

    @Test
    void jsonCopesWithTimesOutOfRange() {
        Map<String, Object> claims = claims(Instant.now().getEpochSecond(), 0);
        claims.put("exp", 99_999_999_999_999_999L);

        Cli.Result r = tessera("decode", "--json", JwsSigner.sign(KEY, Map.of(), claims));

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(((Map<?, ?>) r.json().get("payload")).get("exp")).isEqualTo(99_999_999_999_999_999L);
    }

    @Test
    void jsonHasVerifiedFalseHeaderAndPayload() {
        String token = token(Duration.ofMinutes(20));

        Cli.Result r = tessera("decode", "--json", token);

        assertThat(r.exit()).as(r.toString()).isZero();
        Map<String, Object> json = r.json();
        assertThat(json).containsOnlyKeys("source", "verified", "header", "payload");
        assertThat(json).containsEntry("verified", false).containsEntry("source", "command line");
        assertThat(json.get("header")).asInstanceOf(MAP).containsEntry("alg", "ES256").containsEntry("kid", "k1");
        assertThat(json.get("payload")).asInstanceOf(MAP).containsEntry("iss", ISSUER).containsEntry("sub", "alice")
                .containsEntry("jti", "jti-42").containsKey("exp");
        assertThat(((Map<?, ?>) json.get("payload")).get("exp")).isInstanceOf(Long.class);
    }

    @Test
    void jsonIgnoresHuman() {
        Cli.Result r = tessera("decode", "--json", "-H", token(Duration.ofMinutes(20)));

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(((Map<?, ?>) r.json().get("payload")).get("exp")).isInstanceOf(Long.class);
    }

    @Test
    void surroundingWhitespaceIsIgnored() {
        Cli.Result r = tessera("decode", "  " + token(Duration.ofMinutes(20)) + "\n");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("\"sub\": \"alice\"");
    }

    @Test
    void invalidSignatureIsStillShown() {
        String token = token(Duration.ofMinutes(20));
        String tampered = token.substring(0, token.lastIndexOf('.') + 1) + "AAAA";

        Cli.Result r = tessera("decode", tampered);

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("NOT VERIFIED").contains("\"sub\": \"alice\"");
    }

    @ParameterizedTest
    @ValueSource(strings = {"not-a-token", "a.b", "a.b.c.d", "!!!.e30.x", "e30.bm90IGpzb24.x", "W10.e30.x"})
    void malformedTokenExitsOneWithTheReasonCode(String token) {
        Cli.Result r = tessera("decode", token);

        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).contains("malformed").contains("cannot decode");
        assertThat(r.out()).doesNotContain("Header:");
    }

    @Test
    void tooLargeTokenIsReportedWithItsCode() {
        String token = "e30." + "A".repeat(40_000) + ".x";

        Cli.Result r = tessera("decode", token);

        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.err()).contains("too_large");
        assertThat(r.err().length()).isLessThan(1000);
    }

    @Test
    void showsNothingBeyondTheTokensOwnContent() {
        String token = token(Duration.ofMinutes(20));
        String signature = token.substring(token.lastIndexOf('.') + 1);

        for (String[] args : new String[][] {{"decode", token}, {"decode", "-H", token}, {"decode", "--json", token}}) {
            Cli.Result r = tessera(args);
            assertThat(r.exit()).as(r.toString()).isZero();
            // neither the token (a bearer credential) nor its signature is echoed, and no key material
            assertThat(r.out() + r.err()).doesNotContain(token).doesNotContain(signature)
                    .doesNotContain("PRIVATE").doesNotContain("\"d\"");
        }
    }

    @Test
    void malformedTokenIsNotEchoedInFull() {
        String secretish = "abc" + "x".repeat(200);

        Cli.Result r = tessera("decode", secretish);

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out() + r.err()).doesNotContain(secretish);
    }

    @Test
    void describeDurations() {
        assertThat(DecodeCommand.describe(Duration.ofSeconds(42))).isEqualTo("42s");
        assertThat(DecodeCommand.describe(Duration.ofSeconds(125))).isEqualTo("2m 5s");
        assertThat(DecodeCommand.describe(Duration.ofSeconds(3 * 3600 + 5 * 60 + 3))).isEqualTo("3h 5m 3s");
        assertThat(DecodeCommand.describe(Duration.ofHours(74))).isEqualTo("3d 2h");
    }
}
