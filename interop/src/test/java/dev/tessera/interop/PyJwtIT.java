package dev.tessera.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.token.Decision;
import dev.tessera.token.Enforcer;
import dev.tessera.token.Reason;
import dev.tessera.token.jws.Json;
import dev.tessera.token.keys.Algorithm;
import dev.tessera.token.keys.Pem;
import dev.tessera.token.keys.SigningKey;
import dev.tessera.token.testing.TestIssuer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Tokens minted by PyJWT (an independent JOSE implementation) are verified and enforced by Tessera. */
class PyJwtIT {
    private static final String AUDIENCE = "https://storage.example.org";

    private static TestIssuer issuer;
    private static SigningKey es256;
    private static SigningKey rs256;
    private static String script;

    @BeforeAll
    static void start() throws IOException {
        Peers.require(Peers.PYTHON);
        assertThat(Peers.run(Map.of(), Peers.PYTHON, "-c", "import jwt, cryptography").exit())
                .as("python3-jwt missing: run interop/setup.sh as root").isZero();
        es256 = SigningKey.generate(Algorithm.ES256, "py-es256");
        rs256 = SigningKey.generate(Algorithm.RS256, "py-rs256");
        issuer = TestIssuer.start(Peers.trustedCa(), "/vo", es256, rs256);
        try (InputStream in = PyJwtIT.class.getResourceAsStream("/pyjwt_mint.py")) {
            script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @AfterAll
    static void stop() {
        if (issuer != null) {
            issuer.close();
        }
    }

    private static String mint(SigningKey key, Map<String, Object> claims) {
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("alg", key.algorithm().name());
        request.put("kid", key.keyId());
        request.put("key", Pem.write(key.privateKey()));
        request.put("claims", claims);
        Peers.Result result = Peers.runWithInput(Map.of(), Json.write(request), Peers.PYTHON, "-c", script);
        assertThat(result.exit()).as(result.output()).isZero();
        return result.stdout().trim();
    }

    private static Map<String, Object> claims(String scope, Object audience) {
        long now = Instant.now().getEpochSecond();
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("ver", "scitoken:2.0");
        claims.put("iss", issuer.url());
        claims.put("sub", "bob");
        claims.put("aud", audience);
        claims.put("scope", scope);
        claims.put("iat", now);
        claims.put("nbf", now);
        claims.put("exp", now + 600);
        claims.put("jti", "py-" + System.nanoTime());
        return claims;
    }

    private static Enforcer enforcer() {
        return Enforcer.builder().issuer(issuer.url(), "/vo").audience(AUDIENCE)
                .caFiles(List.of(Peers.CA_PEM)).build();
    }

    @Test
    void es256AndRs256TokensFromPyJwtAreAccepted() {
        Enforcer enforcer = enforcer();
        for (SigningKey key : List.of(es256, rs256)) {
            String token = mint(key, claims("read:/frames write:/user/bob", AUDIENCE));
            Decision read = enforcer.test(token, "read", "/vo/frames/H1.gwf");
            assertThat(read.allowed()).as(key + ": " + read.message()).isTrue();
            assertThat(read.token().algorithm()).isEqualTo(key.algorithm());
            assertThat(enforcer.test(token, "write", "/vo/user/bob/out.dat").allowed()).isTrue();
            assertThat(enforcer.test(token, "write", "/vo/frames/H1.gwf").allowed()).isFalse();
            assertThat(enforcer.test(token, "read", "/frames/H1.gwf").allowed()).as("outside base path").isFalse();
        }
    }

    @Test
    void audienceListsFromPyJwtMatchOnAnyElement() {
        Enforcer enforcer = enforcer();
        String listed = mint(es256, claims("read:/", List.of("https://other.example", AUDIENCE)));
        assertThat(enforcer.test(listed, "read", "/vo/x").allowed()).isTrue();
        String wrong = mint(es256, claims("read:/", List.of("https://other.example")));
        assertThat(enforcer.test(wrong, "read", "/vo/x").reason()).isEqualTo(Reason.AUDIENCE_MISMATCH);
    }

    @Test
    void pyJwtTokensBreakingTheRulesAreRefused() {
        Enforcer enforcer = enforcer();
        Map<String, Object> expired = claims("read:/", AUDIENCE);
        expired.put("exp", Instant.now().getEpochSecond() - 120);
        assertThat(enforcer.test(mint(rs256, expired), "read", "/vo/x").reason()).isEqualTo(Reason.EXPIRED);

        Map<String, Object> traversal = claims("read:/frames/%2e%2e/secret", AUDIENCE);
        assertThat(enforcer.test(mint(es256, traversal), "read", "/vo/secret").reason()).isEqualTo(Reason.INVALID_SCOPE);

        Map<String, Object> stringExp = claims("read:/", AUDIENCE);
        stringExp.put("exp", String.valueOf(Instant.now().getEpochSecond() + 600));
        assertThat(enforcer.test(mint(es256, stringExp), "read", "/vo/x").reason()).isEqualTo(Reason.INVALID_CLAIM);
    }
}
