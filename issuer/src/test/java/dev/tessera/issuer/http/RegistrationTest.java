package dev.tessera.issuer.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.oauth2.sdk.client.ClientMetadata;
import com.nimbusds.oauth2.sdk.client.ClientRegistrationRequest;
import com.nimbusds.oauth2.sdk.client.ClientRegistrationResponse;
import com.nimbusds.oauth2.sdk.GrantType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.auth.ClientAuthenticationMethod;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import dev.tessera.issuer.testing.RunningIssuer;
import dev.tessera.token.jws.Json;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RFC 7591 dynamic registration, limited by the VO's registration policy. */
class RegistrationTest {
    @TempDir
    static Path dir;
    static RunningIssuer issuer;

    @BeforeAll
    static void start() throws Exception {
        issuer = RunningIssuer.sqlite(dir);
    }

    @AfterAll
    static void stop() {
        issuer.close();
    }

    static HttpResponse<String> register(String json) throws Exception {
        return issuer.send(HttpRequest.newBuilder(URI.create(issuer.iss("default") + "/register"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    static Map<String, Object> registered(String json) throws Exception {
        HttpResponse<String> response = register(json);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        return Json.parseObject(response.body());
    }

    static String error(HttpResponse<String> response) throws Exception {
        return (String) Json.parseObject(response.body()).get("error");
    }

    @Test
    void aClientGetsNoMoreThanThePolicyAllows() throws Exception {
        Map<String, Object> client = registered("""
                {"client_name": "oidc-agent:alice@laptop", "token_endpoint_auth_method": "none",
                 "grant_types": ["urn:ietf:params:oauth:grant-type:device_code", "refresh_token", "client_credentials",
                                 "urn:ietf:params:oauth:grant-type:token-exchange"],
                 "response_types": ["code"],
                 "scope": "openid offline_access read:/ligo compute.create queue:/x"}""");
        assertThat(client).containsKey("client_id").doesNotContainKey("client_secret");
        assertThat(client.get("grant_types")).isEqualTo(List.of("urn:ietf:params:oauth:grant-type:device_code", "refresh_token"));
        assertThat(client.get("scope")).isEqualTo("openid offline_access read:/ligo compute.create");
        assertThat(issuer.admin().clients("default")).anySatisfy(c -> {
            assertThat(c.clientId()).isEqualTo(client.get("client_id"));
            assertThat(c.selfRegistered()).isTrue();
            assertThat(c.isPublic()).isTrue();
        });
    }

    @Test
    void aConfidentialClientGetsASecretShownOnce() throws Exception {
        Map<String, Object> client = registered("""
                {"redirect_uris": ["http://localhost:4242/", "https://app.example.org/callback"],
                 "grant_types": ["authorization_code", "refresh_token"]}""");
        assertThat(client.get("client_secret")).asString().hasSizeGreaterThanOrEqualTo(43);
        assertThat(client).containsEntry("token_endpoint_auth_method", "client_secret_basic")
                .containsEntry("client_secret_expires_at", 0L);
        assertThat(issuer.admin().clients("default").toString()).doesNotContain((String) client.get("client_secret"));
    }

    @Test
    void badMetadataIsRefusedWithTheRightError() throws Exception {
        assertThat(error(register("not json"))).isEqualTo("invalid_client_metadata");
        assertThat(error(register("[1, 2]"))).isEqualTo("invalid_client_metadata");
        assertThat(error(register("{\"grant_types\": [\"authorization_code\"]}"))).isEqualTo("invalid_redirect_uri");
        assertThat(error(register("{\"redirect_uris\": [\"http://app.example.org/cb\"]}"))).isEqualTo("invalid_redirect_uri");
        assertThat(error(register("{\"redirect_uris\": [\"https://app.example.org/cb#x\"]}"))).isEqualTo("invalid_redirect_uri");
        assertThat(error(register("{\"grant_types\": [\"client_credentials\"]}"))).isEqualTo("invalid_client_metadata");
        assertThat(error(register("{\"token_endpoint_auth_method\": \"private_key_jwt\", \"grant_types\": [\"refresh_token\"]}")))
                .isEqualTo("invalid_client_metadata");
        assertThat(error(register("{\"grant_types\": \"refresh_token\"}"))).isEqualTo("invalid_client_metadata");
        assertThat(error(register("{\"response_types\": [\"token\"], \"redirect_uris\": [\"https://a.example.org/\"]}")))
                .isEqualTo("invalid_client_metadata");
        HttpResponse<String> form = issuer.post("default", "/register", "client_name=x");
        assertThat(form.statusCode()).isEqualTo(400);
        assertThat(error(form)).isEqualTo("invalid_request");
    }

    @Test
    void theNimbusSdkRegisters() throws Exception {
        ClientMetadata metadata = new ClientMetadata();
        metadata.setName("nimbus");
        metadata.setGrantTypes(Set.of(GrantType.DEVICE_CODE, GrantType.REFRESH_TOKEN));
        metadata.setTokenEndpointAuthMethod(ClientAuthenticationMethod.NONE);
        metadata.setScope(new Scope("openid", "read:/data"));
        HTTPRequest request = new ClientRegistrationRequest(URI.create(issuer.iss("default") + "/register"), metadata, null)
                .toHTTPRequest();
        request.setSSLSocketFactory(issuer.ssl().getSocketFactory());
        ClientRegistrationResponse response = ClientRegistrationResponse.parse(request.send());
        assertThat(response.indicatesSuccess()).as(() -> response.toErrorResponse().getErrorObject().toString()).isTrue();
        assertThat(response.toSuccessResponse().getClientInformation().getMetadata().getScope().toString())
                .isEqualTo("openid read:/data");
    }

    @Test
    void aClosedVoAdvertisesNoRegistrationAndRefusesIt() throws Exception {
        issuer.admin().addVo(dev.tessera.issuer.service.Administration.VoSettings.defaults("closed"), issuer.server().url());
        issuer.admin().setRegistration("closed", null, null);
        issuer.server().refresh();
        assertThat(issuer.get(issuer.iss("closed") + "/.well-known/openid-configuration").body()).doesNotContain("registration_endpoint");
        assertThat(issuer.get(issuer.iss("default") + "/.well-known/openid-configuration").body()).contains("registration_endpoint");
        HttpResponse<String> refused = issuer.send(HttpRequest.newBuilder(URI.create(issuer.iss("closed") + "/register"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")));
        assertThat(refused.statusCode()).isEqualTo(403);
    }
}
