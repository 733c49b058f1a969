package dev.tessera.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.token.Decision;
import dev.tessera.token.Enforcer;
import dev.tessera.token.Profile;
import dev.tessera.token.TokenBuilder;
import dev.tessera.token.VerifiedToken;
import dev.tessera.token.keys.Algorithm;
import dev.tessera.token.keys.Pem;
import dev.tessera.token.keys.SigningKey;
import dev.tessera.token.testing.TestIssuer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tessera and scitokens-cpp (Debian's 0.7.3 CLI tools) against one HTTPS issuer on loopback: tokens we
 * create are accepted by scitokens-cpp, and tokens scitokens-cpp creates are accepted by us.
 */
class ScitokensCppIT {
    private static final String AUDIENCE = "https://storage.example.org";

    private static TestIssuer issuer;
    private static SigningKey es256;
    private static SigningKey rs256;
    @TempDir
    static Path work;

    @BeforeAll
    static void startIssuer() {
        Peers.require("scitokens-create", "scitokens-verify", "scitokens-list-access", "scitokens-test-access");
        es256 = SigningKey.generate(Algorithm.ES256, "tessera-es256");
        rs256 = SigningKey.generate(Algorithm.RS256, "tessera-rs256");
        issuer = TestIssuer.start(Peers.trustedCa(), "", es256, rs256);
    }

    @AfterAll
    static void stopIssuer() {
        if (issuer != null) {
            issuer.close();
        }
    }

    /** The peer's key cache lives in a private directory, so every run fetches our keys over HTTPS. */
    private static Map<String, String> peerEnv() {
        return Map.of("XDG_CACHE_HOME", work.resolve("cpp-cache").toString());
    }

    private static Peers.Result cpp(String... command) {
        return Peers.run(peerEnv(), command);
    }

    private static TokenBuilder ours(SigningKey key, String scope) {
        return TokenBuilder.forKey(key).issuer(issuer.url()).subject("alice").audience(AUDIENCE).scope(scope);
    }

    private static Enforcer ourEnforcer() {
        return Enforcer.builder().issuer(issuer.url()).audience(AUDIENCE).caFiles(List.of(Peers.CA_PEM)).build();
    }

    @Test
    void scitokensVerifyAcceptsOurEs256AndRs256Tokens() {
        for (SigningKey key : List.of(es256, rs256)) {
            Peers.Result result = cpp("scitokens-verify", ours(key, "read:/data").sign());
            assertThat(result.exit()).as(key + ": " + result.output()).isZero();
            assertThat(result.output()).contains("Token deserialization successful");
        }
        assertThat(issuer.jwksFetches()).as("scitokens-cpp fetched our JWKS over HTTPS").isPositive();
    }

    @Test
    void scitokensVerifyAcceptsOurWlcgTokenAndListsItsAccess() {
        String token = ours(es256, "storage.read:/data storage.create:/data/out").profile(Profile.WLCG_1)
                .group("/tessera").sign();
        assertThat(cpp("scitokens-verify", token).exit()).isZero();
        Peers.Result acls = cpp("scitokens-list-access", token, issuer.url(), AUDIENCE);
        assertThat(acls.exit()).as(acls.output()).isZero();
        assertThat(acls.stdout()).contains("read:/data", "write:/data/out", "create:/data/out");
    }

    @Test
    void scitokensRejectsOurTamperedAndExpiredTokens() {
        String token = ours(es256, "read:/data").sign();
        String tampered = token.substring(0, token.length() - 4) + (token.endsWith("AAAA") ? "BBBB" : "AAAA");
        assertThat(cpp("scitokens-verify", tampered).exit()).isNotZero();
        String expired = ours(es256, "read:/data").clock(java.time.Clock.offset(java.time.Clock.systemUTC(),
                Duration.ofHours(-2))).sign();
        assertThat(cpp("scitokens-verify", expired).output()).contains("expired");
    }

    @Test
    void accessDecisionsAgreeWithScitokensTestAccess() {
        String token = ours(es256, "read:/data write:/data/out").sign();
        Enforcer enforcer = ourEnforcer();
        Object[][] cases = {
                {"read", "/data/file.txt", true},
                {"write", "/data/out/new", true},
                {"write", "/data/file.txt", false},
                {"read", "/other/file", false},
                {"read", "/data/../etc/passwd", false},
        };
        for (Object[] c : cases) {
            String authz = (String) c[0];
            String path = (String) c[1];
            boolean expected = (Boolean) c[2];
            Peers.Result peer = cpp("scitokens-test-access", token, issuer.url(), AUDIENCE, authz, path);
            assertThat(peer.exit() == 0).as("scitokens-cpp %s %s: %s", authz, path, peer.output()).isEqualTo(expected);
            assertThat(enforcer.test(token, authz, path).allowed()).as("tessera %s %s", authz, path).isEqualTo(expected);
        }
        Peers.Result wrongAudience = cpp("scitokens-test-access", token, issuer.url(), "https://wrong.example",
                "read", "/data/file.txt");
        assertThat(wrongAudience.exit()).isNotZero();
    }

    /**
     * scitokens-cpp 0.7.3 matches scope paths as plain string prefixes (CVE-2026-32716, fixed in 1.4.1):
     * {@code read:/data} lets it read {@code /database}. Tessera matches on segment boundaries and denies.
     */
    @Test
    void siblingPrefixIsGrantedByThePeerButDeniedByUs() {
        String token = ours(es256, "read:/data").sign();
        Peers.Result peer = cpp("scitokens-test-access", token, issuer.url(), AUDIENCE, "read", "/database");
        assertThat(peer.exit()).as("the known scitokens-cpp 0.7.3 prefix bug: " + peer.output()).isZero();
        Decision ours = ourEnforcer().test(token, "read", "/database");
        assertThat(ours.allowed()).isFalse();
        assertThat(ours.message()).contains("no scope grants");
    }

    @Test
    void weAcceptTokensCreatedByScitokensCreate() throws Exception {
        Path key = Files.writeString(work.resolve("es256.key"), Pem.write(es256.privateKey()));
        Path pub = Files.writeString(work.resolve("es256.pub"), Pem.write(es256.publicKey()));
        Enforcer enforcer = ourEnforcer();
        for (String profile : new String[] {null, "scitokens2", "wlcg", "atjwt"}) {
            List<String> command = new java.util.ArrayList<>(List.of("scitokens-create", "--cred", pub.toString(),
                    "--key", key.toString(), "--keyid", es256.keyId(), "--issuer", issuer.url(),
                    "--claim", "sub=alice", "--claim", "aud=" + AUDIENCE));
            command.addAll(List.of("--claim", "wlcg".equals(profile) ? "scope=storage.read:/data" : "scope=read:/data"));
            if (profile != null) {
                command.addAll(List.of("--profile", profile));
            }
            Peers.Result created = cpp(command.toArray(String[]::new));
            assertThat(created.exit()).as(created.output()).isZero();
            String token = created.stdout().trim();

            Decision decision = enforcer.test(token, "read", "/data/file.txt");
            assertThat(decision.allowed()).as("profile %s: %s", profile, decision.message()).isTrue();
            VerifiedToken verified = decision.token();
            assertThat(verified.subject()).isEqualTo("alice");
            assertThat(verified.profile()).isEqualTo(profile == null ? Profile.SCITOKENS_1
                    : "wlcg".equals(profile) ? Profile.WLCG_1
                    : "atjwt".equals(profile) ? Profile.AT_JWT : Profile.SCITOKENS_2);
            assertThat(enforcer.test(token, "write", "/data/file.txt").allowed()).isFalse();
            assertThat(enforcer.test(token, "read", "/database").allowed()).isFalse();
        }
    }
}
