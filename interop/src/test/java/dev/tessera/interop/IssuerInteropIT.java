package dev.tessera.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.issuer.service.Administration;
import dev.tessera.token.Profile;
import dev.tessera.token.keys.Algorithm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tokens from Tessera's issuer, obtained with {@code client_credentials} from its real HTTPS token endpoint,
 * verified and enforced by scitokens-cpp 0.7.3 (Debian's CLI tools), which discovers the VO's keys at
 * {@code iss/.well-known/openid-configuration} over HTTPS through the system trust store.
 */
class IssuerInteropIT {
    private static final String AUDIENCE = "https://storage.example.org";

    @TempDir
    static Path work;
    private static TesseraIssuer issuer;
    private static String sciIss;
    private static String wlcgIss;
    private static Administration.NewClient sciRobot;
    private static Administration.NewClient wlcgRobot;

    @BeforeAll
    static void start() throws Exception {
        Peers.require("scitokens-verify", "scitokens-test-access", "scitokens-list-access");
        issuer = TesseraIssuer.start(work.resolve("issuer"));
        sciIss = issuer.addVo("sci", Profile.SCITOKENS_2, Algorithm.ES256);
        wlcgIss = issuer.addVo("wlcg", Profile.WLCG_1, Algorithm.RS256);
        sciRobot = issuer.client("sci", "read:/data write:/data/out");
        wlcgRobot = issuer.client("wlcg", "storage.read:/ storage.create:/store");
    }

    @AfterAll
    static void stop() {
        if (issuer != null) {
            issuer.close();
        }
    }

    /** scitokens-cpp with its key cache in {@code cache} (XDG_CACHE_HOME), never the user's. */
    private static Peers.Result cpp(Path cache, String... command) {
        return Peers.run(Map.of("XDG_CACHE_HOME", cache.toString()), command);
    }

    /** A key cache no test shared: the first verification fetches the VO's keys over HTTPS. */
    private static Path freshCache(String name) throws Exception {
        return Files.createDirectories(work.resolve("cache-" + name));
    }

    /** What scitokens-test-access decides; a refusal must be the enforcer's (the token itself verified). */
    private static boolean allowed(Path cache, String token, String iss, String authz, String path) {
        Peers.Result result = cpp(cache, "scitokens-test-access", token, iss, AUDIENCE, authz, path);
        assertThat(result.output()).as("%s %s", authz, path)
                .contains(result.exit() == 0 ? "Access test successful" : "Access test failed");
        return result.exit() == 0;
    }

    private static void assertAccepted(Path cache, String token) {
        Peers.Result verified = cpp(cache, "scitokens-verify", token);
        assertThat(verified.exit()).as(verified.output()).isZero();
        assertThat(verified.output()).contains("Token deserialization successful");
    }

    @Test
    void sciTokens2Es256TokensAreVerifiedAndTheirScopesEnforced() throws Exception {
        Path cache = freshCache("sci");
        String read = issuer.token("sci", sciRobot, "read:/data", AUDIENCE);
        Map<String, Object> header = TesseraIssuer.part(read, 0);
        Map<String, Object> claims = TesseraIssuer.part(read, 1);
        assertThat(header.get("alg")).isEqualTo("ES256");
        assertThat(issuer.publishedKids("sci")).contains((String) header.get("kid"));
        assertThat(claims).containsEntry("iss", sciIss).containsEntry("ver", "scitoken:2.0")
                .containsEntry("sub", sciRobot.client().clientId()).containsEntry("scope", "read:/data");

        assertAccepted(cache, read);
        assertThat(allowed(cache, read, sciIss, "read", "/data/x")).isTrue();
        assertThat(allowed(cache, read, sciIss, "read", "/data/sub/y")).isTrue();
        assertThat(allowed(cache, read, sciIss, "write", "/data/x")).isFalse();
        assertThat(allowed(cache, read, sciIss, "read", "/other/x")).isFalse();
        assertThat(allowed(cache, read, sciIss, "read", "/data/../etc/passwd")).isFalse();

        String write = issuer.token("sci", sciRobot, "write:/data/out", AUDIENCE);
        assertAccepted(cache, write);
        assertThat(allowed(cache, write, sciIss, "write", "/data/out/new")).isTrue();
        assertThat(allowed(cache, write, sciIss, "write", "/data/x")).isFalse();
        assertThat(allowed(cache, write, sciIss, "read", "/data/out/new")).as("write does not imply read").isFalse();

        String both = issuer.token("sci", sciRobot, "read:/data write:/data/out", AUDIENCE);
        Peers.Result acls = cpp(cache, "scitokens-list-access", both, sciIss, AUDIENCE);
        assertThat(acls.exit()).as(acls.output()).isZero();
        assertThat(acls.stdout()).contains("read:/data", "write:/data/out");
    }

    @Test
    void tokensAreBoundToTheirAudienceAndIssuer() throws Exception {
        Path cache = freshCache("binding");
        String token = issuer.token("sci", sciRobot, "read:/data", AUDIENCE);
        Peers.Result wrongAudience = cpp(cache, "scitokens-test-access", token, sciIss, "https://other.example.org",
                "read", "/data/x");
        assertThat(wrongAudience.exit()).as(wrongAudience.output()).isNotZero();
        // the other VO of the same deployment is another issuer: its enforcer refuses this VO's tokens
        Peers.Result otherVo = cpp(cache, "scitokens-test-access", token, wlcgIss, AUDIENCE, "read", "/data/x");
        assertThat(otherVo.exit()).as(otherVo.output()).isNotZero();
        // a token for another audience is not a token for this one
        String elsewhere = issuer.token("sci", sciRobot, "read:/data", "https://other.example.org");
        assertThat(allowed(cache, elsewhere, sciIss, "read", "/data/x")).isFalse();
    }

    @Test
    void wlcg1Rs256TokensCarryStorageScopesThePeerEnforces() throws Exception {
        Path cache = freshCache("wlcg");
        String token = issuer.token("wlcg", wlcgRobot, "storage.read:/ storage.create:/store", AUDIENCE);
        Map<String, Object> header = TesseraIssuer.part(token, 0);
        assertThat(header.get("alg")).isEqualTo("RS256");
        assertThat(issuer.publishedKids("wlcg")).contains((String) header.get("kid"));
        assertThat(TesseraIssuer.part(token, 1)).containsEntry("iss", wlcgIss).containsEntry("wlcg.ver", "1.0")
                .containsEntry("scope", "storage.read:/ storage.create:/store");

        assertAccepted(cache, token);
        Peers.Result acls = cpp(cache, "scitokens-list-access", token, wlcgIss, AUDIENCE);
        assertThat(acls.exit()).as(acls.output()).isZero();

        // scitokens-cpp 0.7.3 (COMPAT mode) maps storage.read to read, storage.create to create AND write
        assertThat(acls.stdout()).contains("ACL: read:/", "ACL: create:/store", "ACL: write:/store");

        assertThat(allowed(cache, token, wlcgIss, "read", "/anything/x")).isTrue();
        assertThat(allowed(cache, token, wlcgIss, "read", "/store/x")).isTrue();
        assertThat(allowed(cache, token, wlcgIss, "create", "/store/new")).isTrue();
        assertThat(allowed(cache, token, wlcgIss, "create", "/other/new")).isFalse();
        assertThat(allowed(cache, token, wlcgIss, "write", "/other/new")).isFalse();
        assertThat(allowed(cache, token, wlcgIss, "modify", "/store/new")).isFalse();
        // a peer quirk, not WLCG semantics (create = new files only, no overwrite): the generic "write"
        // authorization is granted by storage.create. XRootD's plugin maps it to exclusive creation (IssuerXrootdIT).
        assertThat(allowed(cache, token, wlcgIss, "write", "/store/new")).as("scitokens-cpp 0.7.3: create => write")
                .isTrue();

        String readOnly = issuer.token("wlcg", wlcgRobot, "storage.read:/", AUDIENCE);
        assertThat(allowed(cache, readOnly, wlcgIss, "read", "/store/x")).isTrue();
        assertThat(allowed(cache, readOnly, wlcgIss, "create", "/store/new")).isFalse();
    }

    /**
     * A rotation whose new key signs at once ({@code rotateKey(vo, Duration.ZERO)}) is invisible to a
     * scitokens-cpp 0.7.3 verifier that cached the VO's JWKS before it: the peer does not refetch for an
     * unknown {@code kid} until its cache entry's {@code next_update} (fetch + 600 s), and until then refuses
     * every new token with "Key ID is not published by the issuer.", also through the enforcer (XRootD's
     * SciTokens plugin enforces with this library and such a cache; not exercised here: IssuerXrootdIT's
     * XRootD trusts one VO, whose key must not change under its other tests). Verifiers without the VO's
     * keys cached, and the warm one once its entry is due, accept new tokens; tokens signed before the
     * rotation keep verifying everywhere, because the replaced key stays published. Hence pre-publication
     * (at least the verifiers' cache time) for planned rotations; zero pre-publication is for emergencies,
     * and costs refusals for up to 10 minutes.
     *
     * <p>Whether the entry is due depends on when it was fetched, so the test sets {@code next_update} in
     * the peer's key cache (an SQLite file) itself, first far in the future, then in the past: the outcome
     * never depends on how long the test takes.
     */
    @Test
    void aKeyRotatedWithoutPrepublicationIsUnknownToAVerifierThatCachedTheKeysBefore() throws Exception {
        String iss = issuer.addVo("rotated", Profile.SCITOKENS_2, Algorithm.ES256);
        Administration.NewClient robot = issuer.client("rotated", "read:/data");
        Path warm = freshCache("rotation-warm");
        String before = issuer.token("rotated", robot, "read:/data", AUDIENCE);
        String oldKid = kid(before);
        assertAccepted(warm, before); // the warm verifier caches the VO's JWKS now
        KeyCache warmCache = new KeyCache(warm);
        assertThat(warmCache.kids(iss)).containsExactly(oldKid);
        assertThat(warmCache.expires(iss) - warmCache.nextUpdate(iss))
                .as("next_update = fetch + 600 s, expires = fetch + 4 days").isEqualTo(4 * 86400 - 600);

        String newKid = issuer.rotateWithoutPrepublication("rotated").kid();
        String after = issuer.token("rotated", robot, "read:/data", AUDIENCE);
        assertThat(kid(after)).as("the new key signs at once").isEqualTo(newKid).isNotEqualTo(oldKid);
        assertThat(issuer.publishedKids("rotated")).containsExactlyInAnyOrder(oldKid, newKid);

        Path cold = freshCache("rotation-cold");
        assertAccepted(cold, after);
        assertAccepted(cold, before);
        assertThat(allowed(cold, after, iss, "read", "/data/x")).isTrue();

        warmCache.setNextUpdate(iss, warmCache.expires(iss) - 60); // not due for refresh: a verifier within its 10 minutes
        assertAccepted(warm, before);
        Peers.Result refused = cpp(warm, "scitokens-verify", after);
        assertThat(refused.exit()).as(refused.output()).isNotZero();
        assertThat(refused.output()).contains("Key ID is not published by the issuer");
        Peers.Result enforced = cpp(warm, "scitokens-test-access", after, iss, AUDIENCE, "read", "/data/x");
        assertThat(enforced.exit()).as(enforced.output()).isNotZero();
        assertThat(enforced.output()).contains("Key ID is not published by the issuer");
        assertThat(warmCache.kids(iss)).as("an unknown kid did not make the peer refetch").containsExactly(oldKid);

        warmCache.setNextUpdate(iss, 1); // due: the next verification refetches the JWKS
        assertAccepted(warm, after);
        assertThat(warmCache.kids(iss)).containsExactlyInAnyOrder(oldKid, newKid);
        assertThat(allowed(warm, after, iss, "read", "/data/x")).isTrue();
        assertAccepted(warm, before);
    }

    private static String kid(String jwt) {
        return (String) TesseraIssuer.part(jwt, 0).get("kid");
    }

    /**
     * scitokens-cpp 0.7.3's key cache: {@code $XDG_CACHE_HOME/scitokens/scitokens_cpp.sqllite}, table
     * {@code keycache(issuer, keys)}, {@code keys} =
     * {@code {"jwks": ..., "next_update": fetch + 600, "expires": fetch + 4 days}}.
     */
    private static final class KeyCache {
        private final String url;

        KeyCache(Path xdgCacheHome) {
            Path file = xdgCacheHome.resolve("scitokens/scitokens_cpp.sqllite");
            assertThat(file).as("scitokens-cpp's key cache").exists();
            this.url = "jdbc:sqlite:" + file;
        }

        Map<String, Object> entry(String iss) throws Exception {
            try (java.sql.Connection c = java.sql.DriverManager.getConnection(url);
                 java.sql.PreparedStatement q = c.prepareStatement("SELECT keys FROM keycache WHERE issuer = ?")) {
                q.setString(1, iss);
                try (java.sql.ResultSet rows = q.executeQuery()) {
                    assertThat(rows.next()).as("cached keys of %s", iss).isTrue();
                    return dev.tessera.token.jws.Json.parseObject(rows.getString(1));
                }
            }
        }

        @SuppressWarnings("unchecked")
        List<String> kids(String iss) throws Exception {
            Map<String, Object> jwks = (Map<String, Object>) entry(iss).get("jwks");
            return ((List<Map<String, Object>>) jwks.get("keys")).stream().map(k -> (String) k.get("kid")).toList();
        }

        long nextUpdate(String iss) throws Exception {
            return ((Number) entry(iss).get("next_update")).longValue();
        }

        long expires(String iss) throws Exception {
            return ((Number) entry(iss).get("expires")).longValue();
        }

        void setNextUpdate(String iss, long epochSecond) throws Exception {
            Map<String, Object> entry = new java.util.LinkedHashMap<>(entry(iss));
            entry.put("next_update", epochSecond);
            try (java.sql.Connection c = java.sql.DriverManager.getConnection(url);
                 java.sql.PreparedStatement u = c.prepareStatement("UPDATE keycache SET keys = ? WHERE issuer = ?")) {
                u.setString(1, dev.tessera.token.jws.Json.write(entry));
                u.setString(2, iss);
                assertThat(u.executeUpdate()).isEqualTo(1);
            }
        }
    }
}
