package dev.tessera.issuer.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.issuer.testing.RunningIssuer;
import dev.tessera.token.jws.Json;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin API as a script uses it: the bootstrap administrator's one-time password opens only a password
 * change, then a token; with it, VOs, clients, users and policy are managed, and the issuer serves the change.
 */
class AdminApiTest {
    static final String NEW_PASSWORD = "a long and new admin password";
    @TempDir
    static Path dir;
    static RunningIssuer issuer;
    static String token;

    @BeforeAll
    static void start() throws Exception {
        issuer = RunningIssuer.sqlite(dir);
        String oneTime = issuer.server().bootstrapPassword().orElseThrow();
        HttpResponse<String> refused = signIn("admin", oneTime, null);
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(Json.parseObject(refused.body())).containsEntry("error", "password_change_required");
        HttpResponse<String> changed = signIn("admin", oneTime, NEW_PASSWORD);
        assertThat(changed.statusCode()).as(changed.body()).isEqualTo(200);
        token = (String) Json.parseObject(changed.body()).get("access_token");
    }

    @AfterAll
    static void stop() {
        issuer.close();
    }

    static HttpResponse<String> signIn(String name, String password, String newPassword) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(issuer.server().url() + "/admin/api/token"))
                .header("Authorization", "Basic " + Base64.getEncoder().encodeToString((name + ":" + password)
                        .getBytes(StandardCharsets.UTF_8)));
        if (newPassword == null) {
            request.POST(HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("new_password=" + newPassword.replace(" ", "+")));
        }
        return issuer.send(request);
    }

    static HttpResponse<String> call(String method, String path, String json) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(issuer.server().url() + "/admin/api" + path))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
        return issuer.send(request);
    }

    @Test
    void theOneTimePasswordIsSpentAndTheNewOneWorks() throws Exception {
        assertThat(issuer.server().bootstrapPassword()).isPresent();
        assertThat(signIn("admin", NEW_PASSWORD, null).statusCode()).isEqualTo(200);
        HttpResponse<String> wrong = signIn("admin", "not the password", null);
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(signIn("nobody", NEW_PASSWORD, null).statusCode()).isEqualTo(401);
    }

    @Test
    void withoutAValidTokenNothingIsAnswered() throws Exception {
        HttpResponse<String> none = issuer.send(HttpRequest.newBuilder(URI.create(issuer.server().url() + "/admin/api/vos")));
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        HttpResponse<String> forged = issuer.send(HttpRequest.newBuilder(URI.create(issuer.server().url() + "/admin/api/vos"))
                .header("Authorization", "Bearer " + "x".repeat(43)));
        assertThat(forged.statusCode()).isEqualTo(401);
    }

    @Test
    void aVoIsSetUpEndToEndAndServedAtOnce() throws Exception {
        HttpResponse<String> vo = call("POST", "/vos", "{\"name\":\"virgo\",\"profile\":\"wlcg\",\"algorithm\":\"RS256\","
                + "\"lifetime\":\"10m\"}");
        assertThat(vo.statusCode()).as(vo.body()).isEqualTo(201);
        assertThat(Json.parseObject(vo.body())).containsEntry("vo", "virgo").containsEntry("profile", "WLCG 1.x")
                .containsEntry("lifetime", "10m");
        assertThat(issuer.get(issuer.server().url() + "/vo/virgo/.well-known/openid-configuration").statusCode())
                .as("served without waiting for the poll").isEqualTo(200);

        HttpResponse<String> client = call("POST", "/vos/virgo/clients", "{\"name\":\"robot\",\"grants\":"
                + "[\"client_credentials\"],\"scope\":\"storage.read:/virgo\"}");
        assertThat(client.statusCode()).as(client.body()).isEqualTo(201);
        Map<String, Object> created = Json.parseObject(client.body());
        assertThat(created).containsKeys("client_id", "client_secret").containsEntry("auth_method", "client_secret_basic");
        HttpResponse<String> issued = issuer.post("virgo", "/token", "grant_type=client_credentials", "Authorization",
                "Basic " + Base64.getEncoder().encodeToString((created.get("client_id") + ":" + created.get("client_secret"))
                        .getBytes(StandardCharsets.UTF_8)));
        assertThat(issued.statusCode()).as(issued.body()).isEqualTo(200);
        assertThat(call("GET", "/vos/virgo/clients", null).body()).contains((String) created.get("client_id"))
                .doesNotContain((String) created.get("client_secret"));

        HttpResponse<String> bob = call("POST", "/vos/virgo/users", "{\"username\":\"bob\",\"password\":\"correct horse battery\","
                + "\"groups\":[\"/virgo\"],\"claims\":{\"uidNumber\":5002}}");
        assertThat(bob.statusCode()).as(bob.body()).isEqualTo(201);
        assertThat(bob.body()).contains("\"uidNumber\":5002");
        HttpResponse<String> reserved = call("POST", "/vos/virgo/users", "{\"username\":\"eve\",\"password\":\"correct horse battery\","
                + "\"claims\":{\"iss\":\"https://evil.example\"}}");
        assertThat(reserved.statusCode()).isEqualTo(400);
        assertThat(call("GET", "/vos/virgo/users", null).body()).as("nothing stored").doesNotContain("eve");
        HttpResponse<String> rule = call("POST", "/vos/virgo/policy", "{\"group\":\"/virgo\",\"scope\":\"storage.read:/virgo\"}");
        assertThat(rule.statusCode()).as(rule.body()).isEqualTo(201);
        HttpResponse<String> explained = call("POST", "/vos/virgo/policy/explain", "{\"client\":\"" + created.get("client_id")
                + "\",\"user\":\"bob\",\"scope\":\"storage.read:/virgo/run1 storage.create:/virgo\"}");
        assertThat(explained.statusCode()).as(explained.body()).isEqualTo(200);
        assertThat(Json.parseObject(explained.body())).containsEntry("granted", "storage.read:/virgo/run1");

        assertThat(call("DELETE", "/vos/virgo/policy/" + Json.parseObject(rule.body()).get("id"), null).statusCode())
                .isEqualTo(204);
        assertThat(call("PUT", "/vos/virgo/keys/schedule", "{\"every\":\"90d\"}").body()).contains("\"rotate_every\":\"90d\"");
        HttpResponse<String> rotated = call("POST", "/vos/virgo/keys/rotate", "{\"prepublish\":\"2h\"}");
        assertThat(rotated.statusCode()).as(rotated.body()).isEqualTo(201);
        assertThat(((List<?>) com.nimbusds.jose.util.JSONArrayUtils.parse(call("GET", "/vos/virgo/keys", null).body())))
                .hasSize(2);
    }

    @Test
    void badRequestsSayWhat() throws Exception {
        HttpResponse<String> noVo = call("GET", "/vos/nope/clients", null);
        assertThat(noVo.statusCode()).isEqualTo(400);
        assertThat(noVo.body()).contains("no VO named nope");
        HttpResponse<String> badJson = call("POST", "/vos", "{not json");
        assertThat(badJson.statusCode()).isEqualTo(400);
        HttpResponse<String> missing = call("POST", "/vos/default/users", "{\"username\":\"x\"}");
        assertThat(missing.statusCode()).isEqualTo(400);
        assertThat(missing.body()).contains("password is required");
        assertThat(call("PATCH", "/vos", "{}").statusCode()).isEqualTo(405);
        assertThat(call("GET", "/elsewhere", null).statusCode()).isEqualTo(404);
    }
}
