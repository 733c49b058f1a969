package dev.tessera.issuer.http;

import static dev.tessera.issuer.testing.RunningIssuer.basicHeader;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.issuer.domain.StoredKey;
import dev.tessera.issuer.service.Administration;
import dev.tessera.issuer.testing.RunningIssuer;
import dev.tessera.token.Profile;
import dev.tessera.token.VerifiedToken;
import dev.tessera.token.jws.Json;
import dev.tessera.token.keys.Algorithm;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several VOs in one deployment, each its own issuer with its own metadata and keys; key rotation. */
class VosAndKeysTest {
    @TempDir
    static Path dir;
    static RunningIssuer issuer;

    @BeforeAll
    static void start() throws Exception {
        issuer = RunningIssuer.sqlite(dir);
        String publicUrl = issuer.server().url();
        issuer.admin().addVo(new Administration.VoSettings("cms", Profile.WLCG_1, Algorithm.RS256, Duration.ofMinutes(10),
                Duration.ofHours(1), "https://cms.example.org"), publicUrl);
        issuer.admin().addVo(new Administration.VoSettings("ligo", Profile.SCITOKENS_2, Algorithm.ES256,
                Duration.ofMinutes(20), Duration.ofHours(6), null), publicUrl);
        issuer.server().refresh();
    }

    @AfterAll
    static void stop() {
        issuer.close();
    }

    @Test
    void theIndexListsEveryIssuer() throws Exception {
        Map<String, Object> index = Json.parseObject(issuer.get(issuer.server().url() + "/").body());
        assertThat(index.get("issuers").toString()).contains("vo=cms", "vo=ligo", "vo=default");
    }

    @Test
    void eachVoPublishesItsMetadataAtEveryWellKnownLocation() throws Exception {
        String iss = issuer.iss("cms");
        String base = issuer.server().url();
        List<String> urls = List.of(iss + "/.well-known/openid-configuration", iss + "/.well-known/oauth-authorization-server",
                base + "/.well-known/oauth-authorization-server/vo/cms", base + "/.well-known/openid-configuration/vo/cms");
        String first = null;
        for (String url : urls) {
            HttpResponse<String> response = issuer.get(url);
            assertThat(response.statusCode()).as(url).isEqualTo(200);
            first = first == null ? response.body() : first;
            assertThat(response.body()).isEqualTo(first);
        }
        Map<String, Object> metadata = Json.parseObject(first);
        assertThat(metadata).containsEntry("issuer", iss).containsEntry("jwks_uri", iss + "/jwks")
                .containsEntry("token_endpoint", iss + "/token");
        assertThat(metadata.get("grant_types_supported").toString()).contains("client_credentials");
        assertThat(issuer.get(base + "/vo/nosuch/.well-known/openid-configuration").statusCode()).isEqualTo(404);
        assertThat(issuer.get(base + "/.well-known/oauth-authorization-server/vo/nosuch").statusCode()).isEqualTo(404);
    }

    @Test
    void eachVoSignsWithItsOwnKeysInItsOwnProfile() throws Exception {
        Administration.NewClient cmsRobot = issuer.client("cms", "storage.read:/ storage.create:/store/user");
        Administration.NewClient ligoRobot = issuer.client("ligo", "read:/ligo");

        HttpResponse<String> cms = issuer.post("cms", "/token", "grant_type=client_credentials&scope=storage.read:/store",
                "Authorization", basicHeader(cmsRobot));
        VerifiedToken cmsToken = issuer.verifier("cms", "https://cms.example.org")
                .verify((String) Json.parseObject(cms.body()).get("access_token"));
        assertThat(cmsToken.profile()).isEqualTo(Profile.WLCG_1);
        assertThat(cmsToken.algorithm()).isEqualTo(Algorithm.RS256);
        assertThat(cmsToken.claim("wlcg.ver")).isEqualTo("1.0");
        assertThat(cmsToken.expiresAt().getEpochSecond() - cmsToken.issuedAt().getEpochSecond()).isEqualTo(600);

        HttpResponse<String> ligo = issuer.post("ligo", "/token", "grant_type=client_credentials", "Authorization",
                basicHeader(ligoRobot));
        VerifiedToken ligoToken = issuer.verifier("ligo", "https://data.example.org")
                .verify((String) Json.parseObject(ligo.body()).get("access_token"));
        assertThat(ligoToken.issuer()).isEqualTo(issuer.iss("ligo")).isNotEqualTo(cmsToken.issuer());
        assertThat(ligoToken.keyId()).isNotEqualTo(cmsToken.keyId());

        // a client belongs to its VO only
        HttpResponse<String> elsewhere = issuer.post("ligo", "/token", "grant_type=client_credentials", "Authorization",
                basicHeader(cmsRobot));
        assertThat(elsewhere.statusCode()).isEqualTo(401);
    }

    @Test
    void aRotatedKeyIsPublishedBeforeItSignsAndTheOldOneAfter() throws Exception {
        Administration.NewClient robot = issuer.client("ligo", "read:/ligo");
        String before = token(robot);
        String oldKid = header(before).get("kid").toString();
        StoredKey next = issuer.admin().rotateKey("ligo", Duration.ofHours(1));
        issuer.server().refresh();

        assertThat(jwksKids("ligo")).containsExactlyInAnyOrder(oldKid, next.kid());
        assertThat(header(token(robot)).get("kid")).isEqualTo(oldKid); // not signing before its time
        assertThat(issuer.admin().keys("ligo")).hasSize(2);

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> issuer.admin().rotateKey("ligo", Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already waits");
    }

    @Test
    void aKeyRotationWithoutPrepublicationSignsAtOnceAndKeepsTheOldKeyPublished() throws Exception {
        Administration.NewClient robot = issuer.client("cms", "storage.read:/");
        String oldKid = header(token(robot, "cms")).get("kid").toString();
        long oldActivation = issuer.admin().keys("cms").stream().filter(k -> k.kid().equals(oldKid)).findFirst()
                .orElseThrow().activatesAt();
        StoredKey next = issuer.admin().rotateKey("cms", Duration.ZERO);
        // activation times are whole seconds: a rotation in the old key's second activates in the next one
        assertThat(next.activatesAt()).isGreaterThan(oldActivation)
                .isLessThanOrEqualTo(Math.max(oldActivation + 1, next.createdAt()));
        issuer.server().refresh();
        while (java.time.Instant.now().getEpochSecond() < next.activatesAt()) {
            Thread.sleep(20);
        }
        String after = token(robot, "cms");
        assertThat(header(after).get("kid")).isEqualTo(next.kid());
        assertThat(jwksKids("cms")).contains(oldKid, next.kid());
        issuer.verifier("cms", "https://cms.example.org").verify(after);
    }

    @Test
    void metadataAndKeysAreCacheableByAnyone() throws Exception {
        HttpResponse<String> jwks = issuer.get(issuer.iss("default") + "/jwks");
        assertThat(jwks.headers().firstValue("Cache-Control")).hasValue("public, max-age=600");
        assertThat(jwks.headers().firstValue("Access-Control-Allow-Origin")).hasValue("*");
        assertThat(jwks.body()).doesNotContain("\"d\"");
        HttpResponse<String> post = issuer.send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(issuer.iss("default") + "/jwks")).POST(java.net.http.HttpRequest.BodyPublishers.noBody()));
        assertThat(post.statusCode()).isEqualTo(405);
    }

    private static String token(Administration.NewClient robot) throws Exception {
        return token(robot, "ligo");
    }

    private static String token(Administration.NewClient robot, String vo) throws Exception {
        HttpResponse<String> response = issuer.post(vo, "/token", "grant_type=client_credentials", "Authorization",
                basicHeader(robot));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return (String) Json.parseObject(response.body()).get("access_token");
    }

    private static Map<String, Object> header(String token) throws Exception {
        return Json.parseObject(new String(java.util.Base64.getUrlDecoder().decode(token.substring(0, token.indexOf('.')))));
    }

    @SuppressWarnings("unchecked")
    private static List<String> jwksKids(String vo) throws Exception {
        List<Map<String, Object>> keys = (List<Map<String, Object>>) Json.parseObject(
                issuer.get(issuer.iss(vo) + "/jwks").body()).get("keys");
        return keys.stream().map(k -> (String) k.get("kid")).toList();
    }
}
