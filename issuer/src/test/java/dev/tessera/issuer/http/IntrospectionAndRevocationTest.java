package dev.tessera.issuer.http;

import static dev.tessera.issuer.testing.RunningIssuer.basicHeader;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.oauth2.sdk.TokenIntrospectionRequest;
import com.nimbusds.oauth2.sdk.TokenIntrospectionResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import dev.tessera.issuer.domain.Client;
import dev.tessera.issuer.service.Administration;
import dev.tessera.issuer.testing.RunningIssuer;
import dev.tessera.token.jws.Json;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RFC 7662 introspection and RFC 7009 revocation of access tokens (refresh tokens: DeviceFlowTest). */
class IntrospectionAndRevocationTest {
    @TempDir
    static Path dir;
    static RunningIssuer issuer;
    static Administration.NewClient robot;
    static Administration.NewClient resourceServer;

    @BeforeAll
    static void start() throws Exception {
        issuer = RunningIssuer.sqlite(dir);
        robot = issuer.client("default", "read:/data compute.create");
        resourceServer = issuer.client("default", "", Client.TOKEN_EXCHANGE);
    }

    @AfterAll
    static void stop() {
        issuer.close();
    }

    static String token() throws Exception {
        HttpResponse<String> response = issuer.post("default", "/token", "grant_type=client_credentials&scope=read:/data",
                "Authorization", basicHeader(robot));
        return (String) Json.parseObject(response.body()).get("access_token");
    }

    static Map<String, Object> introspect(Administration.NewClient caller, String token) throws Exception {
        HttpResponse<String> response = issuer.post("default", "/introspect", "token=" + token, "Authorization",
                basicHeader(caller));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
        return Json.parseObject(response.body());
    }

    @Test
    void aLiveTokenIsActiveWithItsClaims() throws Exception {
        String token = token();
        Map<String, Object> answer = introspect(resourceServer, token);
        assertThat(answer).containsEntry("active", true).containsEntry("scope", "read:/data")
                .containsEntry("client_id", robot.client().clientId()).containsEntry("sub", robot.client().clientId())
                .containsEntry("iss", issuer.iss("default")).containsEntry("token_type", "Bearer").containsKeys("exp", "iat", "jti");
    }

    @Test
    void theNimbusSdkReadsTheAnswer() throws Exception {
        HTTPRequest request = new TokenIntrospectionRequest(URI.create(issuer.iss("default") + "/introspect"),
                new ClientSecretBasic(new ClientID(resourceServer.client().clientId()), new Secret(resourceServer.secret())),
                new BearerAccessToken(token())).toHTTPRequest();
        request.setSSLSocketFactory(issuer.ssl().getSocketFactory());
        TokenIntrospectionResponse response = TokenIntrospectionResponse.parse(request.send());
        assertThat(response.indicatesSuccess()).isTrue();
        assertThat(response.toSuccessResponse().isActive()).isTrue();
        assertThat(response.toSuccessResponse().getScope().toString()).isEqualTo("read:/data");
    }

    @Test
    void anythingElseIsInactiveWithoutDetail() throws Exception {
        assertThat(introspect(resourceServer, "garbage")).isEqualTo(Map.of("active", false));
        assertThat(introspect(resourceServer, "eyJhbGciOiJub25lIn0.e30.")).isEqualTo(Map.of("active", false));
        String token = token();
        String tampered = token.substring(0, token.length() - 3) + (token.endsWith("AAA") ? "BBB" : "AAA");
        assertThat(introspect(resourceServer, tampered)).isEqualTo(Map.of("active", false));
    }

    @Test
    void introspectionNeedsAConfidentialClient() throws Exception {
        Administration.NewClient device = issuer.admin().addClient("default", "cli", java.util.Set.of(Client.DEVICE_CODE), "",
                java.util.List.of(), java.util.List.of(), true);
        issuer.server().refresh();
        HttpResponse<String> anonymous = issuer.post("default", "/introspect", "token=" + token());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        HttpResponse<String> publicClient = issuer.post("default", "/introspect", "token=" + token() + "&client_id="
                + device.client().clientId());
        assertThat(publicClient.statusCode()).isEqualTo(401);
        assertThat(Json.parseObject(publicClient.body()).get("error")).isEqualTo("invalid_client");
    }

    @Test
    void aRevokedTokenIsInactiveAndCannotBeExchanged() throws Exception {
        String token = token();
        HttpResponse<String> notMine = issuer.post("default", "/revoke", "token=" + token, "Authorization",
                basicHeader(resourceServer));
        assertThat(notMine.statusCode()).isEqualTo(200);
        assertThat(introspect(resourceServer, token)).containsEntry("active", true); // only its client may revoke it

        HttpResponse<String> revoked = issuer.post("default", "/revoke", "token=" + token + "&token_type_hint=access_token",
                "Authorization", basicHeader(robot));
        assertThat(revoked.statusCode()).isEqualTo(200);
        assertThat(introspect(resourceServer, token)).isEqualTo(Map.of("active", false));
        HttpResponse<String> exchanged = issuer.post("default", "/token", "grant_type=urn:ietf:params:oauth:grant-type:token-exchange"
                + "&subject_token=" + token + "&subject_token_type=urn:ietf:params:oauth:token-type:access_token",
                "Authorization", basicHeader(resourceServer));
        assertThat(exchanged.statusCode()).isEqualTo(400);
        assertThat(exchanged.body()).contains("revoked");

        assertThat(issuer.post("default", "/revoke", "token=never-issued", "Authorization", basicHeader(robot)).statusCode())
                .isEqualTo(200);
        assertThat(issuer.post("default", "/revoke", "token=" + token, "Authorization", "Basic bm9ib2R5Ong=").statusCode())
                .isEqualTo(401);
    }
}
