package dev.tessera.cli;

import static dev.tessera.cli.Cli.tessera;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.LIST;
import static org.assertj.core.api.InstanceOfAssertFactories.MAP;

import dev.tessera.token.Profile;
import dev.tessera.token.TokenBuilder;
import dev.tessera.token.jws.Base64Url;
import dev.tessera.token.jws.JwsSigner;
import dev.tessera.token.keys.Algorithm;
import dev.tessera.token.keys.Pem;
import dev.tessera.token.keys.SigningKey;
import dev.tessera.token.testing.StaticHttpsServer;
import dev.tessera.token.testing.TestCa;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tessera verify} against a simple issuer made by {@code tessera keygen --issuer} and served over
 * HTTPS by a static file server (a throw-away CA given with --ca-file): verdicts, --test, --base-path,
 * --json, and for each failure reason the --explain line of the check that failed.
 */
class VerifyCommandTest {
    static final String AUDIENCE = "https://storage.example.org";

    @TempDir
    static Path dir;
    static TestCa ca;
    static Path caPem;
    static StaticHttpsServer server;
    static String issuer;
    static Path keys;
    static SigningKey key;

    @BeforeAll
    static void simpleIssuer() throws Exception {
        ca = TestCa.create("tessera verify test CA");
        caPem = ca.writeCaPem(dir.resolve("ca.pem"));
        keys = dir.resolve("keys");
        server = StaticHttpsServer.serve(ca, "/vo", keys.resolve("public"));
        issuer = server.url();
        Cli.Result r = tessera("keygen", "--out", keys.toString(), "--kid", "k1", "--issuer", issuer);
        assertThat(r.exit()).as(r.toString()).isZero();
        key = SigningKey.of("k1", Algorithm.ES256, Pem.readKeyPair(Files.readString(keys.resolve("k1.pem")), null));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** {@code tessera verify ARGS --ca-file ca.pem}. */
    static Cli.Result verify(String... args) {
        List<String> all = new ArrayList<>(List.of("verify"));
        all.addAll(List.of(args));
        all.addAll(List.of("--ca-file", caPem.toString()));
        return tessera(all.toArray(String[]::new));
    }

    /** A SciTokens 2.0 token from the simple issuer, made with {@code tessera create}. */
    static String created(String scope, String... more) {
        List<String> args = new ArrayList<>(List.of("create", "--key", keys.resolve("k1.pem").toString(),
                "--issuer", issuer, "--sub", "alice", "--scope", scope, "--aud", AUDIENCE));
        args.addAll(List.of(more));
        Cli.Result r = tessera(args.toArray(String[]::new));
        assertThat(r.exit()).as(r.toString()).isZero();
        return r.out().strip();
    }

    static TokenBuilder builder() {
        return TokenBuilder.forKey(key).issuer(issuer).subject("alice").audience(AUDIENCE);
    }

    /** Valid SciTokens 2.0 claims, to be altered. */
    static Map<String, Object> claims() {
        long now = Instant.now().getEpochSecond();
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("ver", "scitoken:2.0");
        claims.put("iss", issuer);
        claims.put("sub", "alice");
        claims.put("aud", AUDIENCE);
        claims.put("scope", "read:/data");
        claims.put("iat", now);
        claims.put("nbf", now);
        claims.put("exp", now + 600);
        claims.put("jti", "jti-" + System.nanoTime());
        return claims;
    }

    static String signed(Map<String, Object> claims) {
        return JwsSigner.sign(key, Map.of("typ", "JWT"), claims);
    }

    static String b64(String json) {
        return Base64Url.encode(json.getBytes(StandardCharsets.UTF_8));
    }

    /** Exit 1, the verdict line names the reason, and a FAIL line for {@code check} is shown. */
    static void assertInvalid(Cli.Result r, String reason, String check) {
        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.lastLine()).as(r.toString()).startsWith("INVALID (" + reason + "): ");
        assertThat(r.outLines()).as(r.toString())
                .anyMatch(line -> line.matches("\\[FAIL\\] " + Pattern.quote(check) + " +\\S.*"));
        List<String> lines = r.outLines();
        int firstFail = lines.indexOf(lines.stream().filter(l -> l.startsWith("[FAIL]")).findFirst().orElseThrow());
        assertThat(lines.subList(firstFail, lines.size())).as("verification stops at the first failure: " + r)
                .noneMatch(line -> line.startsWith("[ ok ]"));
        assertThat(r.out()).doesNotContain("VALID: ");
    }

    static List<String> failedChecks(Cli.Result r) {
        return r.outLines().stream().filter(l -> l.startsWith("[FAIL]"))
                .map(l -> l.substring(7).split(" +")[0]).toList();
    }

    // --- valid tokens ---

    @Test
    void validTokenFromTesseraCreate() {
        Cli.Result r = verify(created("read:/data"), "--issuer", issuer, "--audience", AUDIENCE);

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.outLines()).hasSize(1);
        assertThat(r.lastLine()).startsWith("VALID: SciTokens 2.0 token from " + issuer + " for alice, expires in ")
                .matches(".*expires in (1?\\d|20)m \\d+s"); // at most the 20 minutes create gave it
        assertThat(r.err()).isEmpty();
        assertThat(server.hits("/vo/.well-known/openid-configuration")).isPositive();
        assertThat(server.hits("/vo/jwks.json")).isPositive();
    }

    @Test
    void explainShowsEveryStepAndEndsWithTheVerdict() {
        Cli.Result r = verify(created("read:/data"), "--issuer", issuer, "--audience", AUDIENCE, "--explain");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).doesNotContain("[FAIL]");
        assertThat(r.outLines()).anyMatch(l -> l.startsWith("[    ] token ") && l.contains("command line"))
                .anyMatch(l -> l.startsWith("[ ok ] parse "))
                .anyMatch(l -> l.startsWith("[ ok ] header ") && l.contains("ES256") && l.contains("k1"))
                .anyMatch(l -> l.startsWith("[ ok ] issuer ") && l.contains(issuer))
                .anyMatch(l -> l.startsWith("[ ok ] discovery ")
                        && l.contains(issuer + "/.well-known/openid-configuration") && l.contains("HTTP 200"))
                .anyMatch(l -> l.startsWith("[ ok ] jwks ") && l.contains(issuer + "/jwks.json") && l.contains("1 key"))
                .anyMatch(l -> l.startsWith("[ ok ] key ") && l.contains("k1"))
                .anyMatch(l -> l.startsWith("[ ok ] signature "))
                .anyMatch(l -> l.startsWith("[ ok ] profile ") && l.contains("SciTokens 2.0"))
                .anyMatch(l -> l.startsWith("[ ok ] exp "))
                .anyMatch(l -> l.startsWith("[ ok ] audience ") && l.contains(AUDIENCE))
                .anyMatch(l -> l.startsWith("[ ok ] scope ") && l.contains("read:/data"));
        assertThat(r.lastLine()).startsWith("VALID: ");
        assertThat(r.outLines().stream().filter(l -> l.startsWith("VALID"))).hasSize(1);
    }

    @Test
    void withoutIssuerAndAudienceTheTokensOwnAreUsedAndSaidSo() {
        Cli.Result r = verify(created("read:/data"), "--explain");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("no --issuer given: trusting the token's own issuer " + issuer)
                .contains("no --audience given: not checking the audience");
        assertThat(r.lastLine()).startsWith("VALID: ");
    }

    @Test
    void rotatedKeyVerifies() throws Exception {
        Path rotating = dir.resolve("rotating");
        try (StaticHttpsServer s = StaticHttpsServer.serve(ca, "/r", rotating.resolve("public"))) {
            assertThat(tessera("keygen", "--out", rotating.toString(), "--kid", "old", "--issuer", s.url()).exit()).isZero();
            assertThat(tessera("keygen", "--add", "--out", rotating.toString(), "--kid", "new").exit()).isZero();
            for (String kid : List.of("old", "new")) {
                Cli.Result created = tessera("create", "--key", rotating.resolve(kid + ".pem").toString(), "--issuer", s.url(),
                        "--sub", "bob", "--aud", AUDIENCE);
                assertThat(created.exit()).as(created.toString()).isZero();

                Cli.Result r = verify(created.out().strip(), "--issuer", s.url(), "--explain");

                assertThat(r.exit()).as(r.toString()).isZero();
                assertThat(r.out()).contains("2 key(s)").containsPattern("\\[ ok \\] key +key " + kid);
            }
        }
    }

    @Test
    void sciTokens1TokenFromCreateVerifiesWithProfileScitokens1() {
        Cli.Result created = tessera("create", "--key", keys.resolve("k1.pem").toString(), "--issuer", issuer,
                "--sub", "alice", "--scope", "read:/data", "--profile", "scitokens1");
        assertThat(created.exit()).as(created.toString()).isZero();

        Cli.Result r = verify(created.out().strip(), "--profile", "scitokens1");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.lastLine()).startsWith("VALID: SciTokens 1.0 token");
    }

    // --- access tests ---

    @Test
    void pathTestAllowed() {
        Cli.Result r = verify(created("read:/data"), "--audience", AUDIENCE, "--test", "read:/data/x");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("VALID: ").contains("ALLOWED: read:/data/x: granted by scope read:/data");
    }

    @Test
    void pathTestDenied() {
        Cli.Result r = verify(created("read:/data"), "--audience", AUDIENCE, "--test", "write:/data/x", "--explain");

        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.out()).contains("VALID: ");
        assertThat(r.outLines()).anyMatch(l -> l.startsWith("DENIED (insufficient_scope): write:/data/x: no scope grants"))
                .anyMatch(l -> l.matches("\\[FAIL\\] access +write:/data/x: .*"));
    }

    @Test
    void oneDeniedTestAmongAllowedOnesFails() {
        Cli.Result r = verify(created("read:/data"), "--test", "read:/data/a", "--test", "read:/other", "--test", "read:/data/b");

        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.outLines()).filteredOn(l -> l.startsWith("ALLOWED: ")).hasSize(2);
        assertThat(r.outLines()).filteredOn(l -> l.startsWith("DENIED (insufficient_scope): read:/other")).hasSize(1);
    }

    @Test
    void namedCapabilityTest() {
        String token = builder().profile(Profile.WLCG_1).scope("compute.create storage.read:/").sign();

        Cli.Result allowed = verify(token, "--test", "compute.create");
        assertThat(allowed.exit()).as(allowed.toString()).isZero();
        assertThat(allowed.out()).contains("VALID: WLCG 1.x token").contains("ALLOWED: compute.create: granted by scope compute.create");

        Cli.Result denied = verify(token, "--test", "compute.cancel");
        assertThat(denied.exit()).as(denied.toString()).isEqualTo(1);
        assertThat(denied.out()).contains("DENIED (insufficient_scope): compute.cancel");
    }

    @Test
    void basePathMapsTheIssuersScopes() {
        String token = created("read:/data");

        Cli.Result inside = verify(token, "--base-path", issuer + "=/vo", "--test", "read:/vo/data/x");
        assertThat(inside.exit()).as(inside.toString()).isZero();
        assertThat(inside.out()).contains("ALLOWED: read:/vo/data/x");

        Cli.Result outside = verify(token, "--base-path", issuer + "=/vo", "--test", "read:/data/x");
        assertThat(outside.exit()).as(outside.toString()).isEqualTo(1);
        assertThat(outside.out()).contains("DENIED (insufficient_scope): read:/data/x").contains("outside the base path");
    }

    @Test
    void basePathWithoutEqualsIsAUsageError() {
        Cli.Result r = verify(created("read:/data"), "--base-path", "/vo");

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("--base-path");
    }

    @Test
    void invalidPathInTest() {
        Cli.Result r = verify(created("read:/"), "--test", "read:/../etc/passwd", "--explain");

        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.out()).contains("VALID: ").contains("DENIED (invalid_path): read:/../etc/passwd");
        assertThat(r.outLines()).anyMatch(l -> l.matches("\\[FAIL\\] access +read:/\\.\\./etc/passwd: .*"));
    }

    @Test
    void insufficientScopeInTestOnAnotherAuthorization() {
        Cli.Result r = verify(created("read:/data"), "--test", "storage.modify:/data/x", "--explain");

        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.out()).contains("DENIED (insufficient_scope): storage.modify:/data/x");
        assertThat(failedChecks(r)).containsExactly("access");
    }

    @Test
    void testsAreNotEvaluatedForAnInvalidToken() {
        Map<String, Object> claims = claims();
        claims.put("exp", Instant.now().getEpochSecond() - 10);

        Cli.Result r = verify(signed(claims), "--test", "read:/data/x", "--json");

        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.json()).containsEntry("ok", false).containsEntry("valid", false).containsEntry("reason", "expired");
        assertThat(r.json().get("tests")).asInstanceOf(LIST).isEmpty();
    }

    // --- JSON ---

    @Test
    void jsonForAValidTokenWithTests() {
        Cli.Result r = verify(created("read:/data"), "--audience", AUDIENCE, "--test", "read:/data/x",
                "--test", "write:/data/x", "--json");

        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        Map<String, Object> json = r.json();
        assertThat(json).containsEntry("ok", false).containsEntry("valid", true)
                .containsEntry("reason", null).containsEntry("message", null)
                .containsEntry("source", "command line").containsEntry("profile", "SCITOKENS_2")
                .containsEntry("issuer", issuer).containsEntry("subject", "alice")
                .containsKeys("expires_at", "scopes", "claims", "tests", "steps");
        assertThat(Instant.parse((String) json.get("expires_at"))).isAfter(Instant.now());
        assertThat(json.get("claims")).asInstanceOf(MAP).containsEntry("sub", "alice").containsEntry("aud", AUDIENCE);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> tests = (List<Map<String, Object>>) json.get("tests");
        assertThat(tests).hasSize(2);
        assertThat(tests.get(0)).containsEntry("test", "read:/data/x").containsEntry("allowed", true)
                .containsEntry("reason", null).containsEntry("granted_by", "read:/data").containsKey("message");
        assertThat(tests.get(1)).containsEntry("test", "write:/data/x").containsEntry("allowed", false)
                .containsEntry("reason", "insufficient_scope").containsEntry("granted_by", null);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> steps = (List<Map<String, Object>>) json.get("steps");
        assertThat(steps).allSatisfy(s -> assertThat(s).containsOnlyKeys("check", "status", "detail"));
        assertThat(steps).extracting(s -> s.get("status")).containsOnly("pass", "fail", "info");
        assertThat(steps).anySatisfy(s -> assertThat(s).containsEntry("check", "signature").containsEntry("status", "pass"));
        assertThat(steps).anySatisfy(s -> assertThat(s).containsEntry("check", "access").containsEntry("status", "fail"));
    }

    @Test
    void jsonForAValidTokenIsOk() {
        Cli.Result r = verify(created("read:/data"), "--test", "read:/data/x", "--json");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.json()).containsEntry("ok", true).containsEntry("valid", true).containsEntry("reason", null);
    }

    @Test
    void jsonForAnInvalidToken() {
        Cli.Result r = verify(created("read:/data"), "--audience", "https://other.example.org", "--json");

        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        Map<String, Object> json = r.json();
        assertThat(json).containsEntry("ok", false).containsEntry("valid", false)
                .containsEntry("reason", "audience_mismatch").doesNotContainKeys("profile", "claims", "subject");
        assertThat((String) json.get("message")).contains("https://other.example.org");
        assertThat(json.get("steps")).asInstanceOf(LIST).anySatisfy(s -> assertThat(s).asInstanceOf(MAP)
                .containsEntry("check", "audience").containsEntry("status", "fail"));
    }

    // --- every failure reason, with --explain ---

    @Test
    void expired() {
        Map<String, Object> claims = claims();
        long now = Instant.now().getEpochSecond();
        claims.put("iat", now - 1200);
        claims.put("nbf", now - 1200);
        claims.put("exp", now - 600);

        Cli.Result r = verify(signed(claims), "--explain");

        assertInvalid(r, "expired", "exp");
        assertThat(r.lastLine()).contains("expired at");
    }

    @Test
    void notYetValid() {
        Map<String, Object> claims = claims();
        long now = Instant.now().getEpochSecond();
        claims.put("nbf", now + 600);
        claims.put("exp", now + 1200);

        assertInvalid(verify(signed(claims), "--explain"), "not_yet_valid", "nbf");
    }

    @Test
    void notBeforeWithinTheSkewIsAccepted() {
        Map<String, Object> claims = claims();
        claims.put("nbf", Instant.now().getEpochSecond() + 300);
        String token = signed(claims);

        Cli.Result lenient = verify(token, "--skew", "10m");
        assertThat(lenient.exit()).as(lenient.toString()).isZero();

        assertInvalid(verify(token, "--explain"), "not_yet_valid", "nbf"); // default skew 60 s
    }

    @Test
    void issuedInFuture() {
        Map<String, Object> claims = claims();
        long now = Instant.now().getEpochSecond();
        claims.put("iat", now + 600);
        claims.put("exp", now + 1200);

        assertInvalid(verify(signed(claims), "--explain"), "issued_in_future", "iat");
    }

    @Test
    void audienceMismatch() {
        Cli.Result r = verify(created("read:/data"), "--audience", "https://other.example.org", "--explain");

        assertInvalid(r, "audience_mismatch", "audience");
        assertThat(r.lastLine()).contains(AUDIENCE).contains("https://other.example.org");
    }

    @Test
    void issuerNotAllowed() {
        String token = created("read:/data");
        int fetches = server.hits("/vo/.well-known/openid-configuration");

        Cli.Result r = verify(token, "--issuer", "https://other.example.org", "--explain");

        assertInvalid(r, "issuer_not_allowed", "issuer");
        assertThat(r.lastLine()).contains(issuer);
        assertThat(server.hits("/vo/.well-known/openid-configuration")).as("an untrusted issuer is never contacted")
                .isEqualTo(fetches);
    }

    @Test
    void invalidSignatureFromAnotherKeyWithTheSameKid() {
        SigningKey impostor = SigningKey.generate(Algorithm.ES256, "k1");
        String token = JwsSigner.sign(impostor, Map.of("typ", "JWT"), claims());

        Cli.Result r = verify(token, "--explain");

        assertInvalid(r, "invalid_signature", "signature");
        assertThat(r.outLines()).anyMatch(l -> l.startsWith("[ ok ] key "));
    }

    @Test
    void invalidSignatureOfATamperedPayload() {
        String token = created("read:/data");
        String[] parts = token.split("\\.");
        String forged = parts[0] + "." + b64(new String(Base64Url.decode(parts[1], 0, parts[1].length()),
                StandardCharsets.UTF_8).replace("read:/data", "write:/dat")) + "." + parts[2];

        assertInvalid(verify(forged, "--explain"), "invalid_signature", "signature");
    }

    @Test
    void unknownKey() {
        SigningKey other = SigningKey.generate(Algorithm.ES256, "k9");
        String token = JwsSigner.sign(other, Map.of("typ", "JWT"), claims());

        Cli.Result r = verify(token, "--explain");

        assertInvalid(r, "unknown_key", "key");
        assertThat(r.lastLine()).contains("k9").contains("k1");
    }

    @Test
    void algorithmMismatch() {
        SigningKey rsa = SigningKey.generate(Algorithm.RS256, "k1");
        String token = JwsSigner.sign(rsa, Map.of("typ", "JWT"), claims());

        assertInvalid(verify(token, "--explain"), "algorithm_mismatch", "key");
    }

    @Test
    void keysUnavailableWhenTheServerIsDown() throws Exception {
        Path downDir = dir.resolve("down");
        String url;
        try (StaticHttpsServer s = StaticHttpsServer.serve(ca, "/down", downDir.resolve("public"))) {
            url = s.url();
            assertThat(tessera("keygen", "--out", downDir.toString(), "--kid", "d1", "--issuer", url).exit()).isZero();
        }
        Cli.Result created = tessera("create", "--key", downDir.resolve("d1.pem").toString(), "--issuer", url,
                "--sub", "alice", "--aud", AUDIENCE);
        assertThat(created.exit()).isZero();

        Cli.Result r = verify(created.out().strip(), "--explain");

        assertInvalid(r, "keys_unavailable", "discovery");
        assertThat(r.outLines()).anyMatch(l -> l.startsWith("[FAIL] discovery ")
                && l.contains("GET " + url + "/.well-known/openid-configuration failed"));
    }

    @Test
    void keysUnavailableWithoutTheCaFile() {
        String token = created("read:/data");

        Cli.Result r = tessera("verify", token, "--explain"); // the test CA is not trusted

        assertInvalid(r, "keys_unavailable", "discovery");
        assertThat(r.outLines()).anyMatch(l -> l.startsWith("[FAIL] discovery ")
                && l.contains(issuer + "/.well-known/openid-configuration") && l.contains("SSLHandshakeException"));
    }

    @Test
    void keysUnavailableWhenThePublicDirectoryIsMissing() {
        try (StaticHttpsServer empty = StaticHttpsServer.serve(ca, "/empty", dir.resolve("nothing-here"))) {
            String token = TokenBuilder.forKey(key).issuer(empty.url()).subject("alice").audience(AUDIENCE).sign();

            Cli.Result r = verify(token, "--explain");

            assertInvalid(r, "keys_unavailable", "discovery");
            assertThat(r.outLines())
                    .anyMatch(l -> l.startsWith("[    ] discovery ")
                            && l.contains("GET " + empty.url() + "/.well-known/openid-configuration -> HTTP 404"))
                    .anyMatch(l -> l.contains("/.well-known/oauth-authorization-server/empty -> HTTP 404"));
            assertThat(r.lastLine()).contains("did not answer 200");
        }
    }

    @Test
    void unsupportedAlgorithmNone() {
        String token = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + b64(dev.tessera.token.jws.Json.write(claims())) + ".";

        Cli.Result r = verify(token, "--explain");

        assertInvalid(r, "unsupported_algorithm", "header");
        assertThat(r.out()).doesNotContain("[ ok ] signature");
    }

    @Test
    void unsupportedAlgorithmHs256() {
        String token = JwsSigner.signRaw(key, "{\"alg\":\"HS256\",\"kid\":\"k1\",\"typ\":\"JWT\"}",
                dev.tessera.token.jws.Json.write(claims()));

        assertInvalid(verify(token, "--explain"), "unsupported_algorithm", "header");
    }

    @Test
    void invalidHeaderType() {
        String token = JwsSigner.sign(key, Map.of("typ", "JOSE+JSON"), claims());

        assertInvalid(verify(token, "--explain"), "invalid_header", "header");
    }

    @Test
    void malformed() {
        Cli.Result r = verify("not-a-token", "--explain");

        assertInvalid(r, "malformed", "parse");
    }

    @Test
    void malformedPayload() {
        Cli.Result r = verify(b64("{\"alg\":\"ES256\"}") + "." + b64("[1,2]") + ".c2ln", "--explain");

        assertInvalid(r, "malformed", "parse");
    }

    @Test
    void tooLarge() {
        Cli.Result r = verify("e30." + "A".repeat(40_000) + ".x", "--explain");

        assertInvalid(r, "too_large", "parse");
    }

    @Test
    void invalidScopeWithTraversal() {
        Map<String, Object> claims = claims();
        claims.put("scope", "read:/data/../etc");

        Cli.Result r = verify(signed(claims), "--explain");

        assertInvalid(r, "invalid_scope", "scope");
        assertThat(r.out()).contains("[ ok ] signature");
    }

    @Test
    void missingClaim() {
        Map<String, Object> claims = claims();
        claims.remove("nbf");

        Cli.Result r = verify(signed(claims), "--explain");

        assertInvalid(r, "missing_claim", "claims");
        assertThat(r.lastLine()).contains("nbf");
    }

    @Test
    void missingIssuer() {
        Map<String, Object> claims = claims();
        claims.remove("iss");

        assertInvalid(verify(signed(claims), "--explain"), "missing_claim", "issuer");
    }

    @Test
    void invalidClaimExpAsString() {
        Map<String, Object> claims = claims();
        claims.put("exp", "tomorrow");

        Cli.Result r = verify(signed(claims), "--explain");

        assertInvalid(r, "invalid_claim", "claims");
        assertThat(r.lastLine()).contains("exp");
    }

    @Test
    void unsupportedVersion() {
        Map<String, Object> claims = claims();
        claims.put("ver", "scitoken:3.0");

        assertInvalid(verify(signed(claims), "--explain"), "unsupported_version", "profile");
    }

    @Test
    void unknownClaimInASciTokens1Token() {
        Map<String, Object> claims = claims();
        claims.remove("ver");
        claims.put("extra", "surprise");

        Cli.Result r = verify(signed(claims), "--profile", "scitokens1", "--explain");

        assertInvalid(r, "unknown_claim", "claims");
        assertThat(r.out()).containsPattern("\\[ ok \\] profile +SciTokens 1\\.0");
        assertThat(r.lastLine()).contains("extra");
    }

    @Test
    void lifetimeTooLong() {
        Cli.Result r = verify(created("read:/data"), "--max-lifetime", "10m", "--explain");

        assertInvalid(r, "lifetime_too_long", "lifetime");
        assertThat(r.lastLine()).contains("1200 s").contains("600 s");
    }

    @Test
    void wlcgTokensAreHeldToSixHours() {
        String token = builder().profile(Profile.WLCG_1).scope("storage.read:/").lifetime(Duration.ofHours(7)).sign();

        assertInvalid(verify(token, "--explain"), "lifetime_too_long", "lifetime");
    }

    @Test
    void profileNotAccepted() {
        Cli.Result r = verify(created("read:/data"), "--profile", "wlcg", "--explain");

        assertInvalid(r, "profile_not_accepted", "profile");
        assertThat(r.lastLine()).contains("SciTokens 2.0");
    }

    @Test
    void severalProfilesAccepted() {
        Cli.Result r = verify(created("read:/data"), "--profile", "wlcg", "--profile", "scitokens");

        assertThat(r.exit()).as(r.toString()).isZero();
    }

    // --- usage and configuration errors ---

    @Test
    void missingCaFileIsAUsageError() {
        Cli.Result r = tessera("verify", created("read:/data"), "--ca-file", dir.resolve("no-such-ca.pem").toString());

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("no-such-ca.pem");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void caDirectoryIsAccepted() throws Exception {
        Path caDir = Files.createDirectories(dir.resolve("ca-dir"));
        ca.writeCaPem(caDir.resolve("test-ca.pem"));

        Cli.Result r = tessera("verify", created("read:/data"), "--ca-file", caDir.toString());

        assertThat(r.exit()).as(r.toString()).isZero();
    }

    @Test
    void unknownProfileIsAUsageError() {
        Cli.Result r = verify(created("read:/data"), "--profile", "bogus");

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("bogus");
    }

    @Test
    void wildcardAudienceIsAUsageError() {
        Cli.Result r = verify(created("read:/data"), "--audience", "ANY");

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("ANY");
    }

    @Test
    void plainHttpIssuerIsAUsageError() {
        Cli.Result r = verify(created("read:/data"), "--issuer", "http://tokens.example.org");

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("https");
    }

    @Test
    void badSkewIsAUsageError() {
        Cli.Result r = verify(created("read:/data"), "--skew", "soon");

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
    }
}
