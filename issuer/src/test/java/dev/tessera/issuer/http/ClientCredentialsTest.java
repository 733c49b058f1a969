package dev.tessera.issuer.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.oauth2.sdk.AccessTokenResponse;
import com.nimbusds.oauth2.sdk.ClientCredentialsGrant;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenErrorResponse;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.ClientSecretPost;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.id.ClientID;
import dev.tessera.issuer.domain.Client;
import dev.tessera.issuer.service.Administration;
import dev.tessera.issuer.store.AuditStore;
import dev.tessera.issuer.testing.RunningIssuer;
import static dev.tessera.issuer.testing.RunningIssuer.basicHeader;
import dev.tessera.token.TokenException;
import dev.tessera.token.VerifiedToken;
import dev.tessera.token.jws.Json;
import java.net.URI;
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

/** RFC 6749 §4.4 client credentials at a real HTTPS issuer, with the Nimbus OAuth SDK as the client. */
class ClientCredentialsTest {
    @TempDir
    static Path dir;
    static RunningIssuer issuer;
    static Administration.NewClient robot;

    @BeforeAll
    static void start() throws Exception {
        issuer = RunningIssuer.sqlite(dir);
        robot = issuer.client("default", "read:/data write:/data/robot compute.create offline_access");
    }

    @AfterAll
    static void stop() {
        issuer.close();
    }

    static ClientSecretBasic basic(Administration.NewClient client) {
        return new ClientSecretBasic(new ClientID(client.client().clientId()), new Secret(client.secret()));
    }

    static AccessTokenResponse success(TokenResponse response) {
        assertThat(response.indicatesSuccess())
                .as(() -> response.indicatesSuccess() ? "" : response.toErrorResponse().getErrorObject().toJSONObject().toString())
                .isTrue();
        return response.toSuccessResponse();
    }

    static String error(TokenResponse response) {
        assertThat(response.indicatesSuccess()).isFalse();
        return response.toErrorResponse().getErrorObject().getCode();
    }

    @Test
    void aRobotGetsASignedTokenServicesAccept() throws Exception {
        AccessTokenResponse response = success(issuer.token("default", basic(robot), new ClientCredentialsGrant(),
                new Scope("read:/data/frames", "compute.create")));
        assertThat(response.getTokens().getAccessToken().getScope().toString()).isEqualTo("read:/data/frames compute.create");
        assertThat(response.getTokens().getAccessToken().getLifetime()).isEqualTo(1200);
        assertThat(response.getTokens().getRefreshToken()).isNull();

        VerifiedToken token = issuer.verifier("default", "https://storage.example.org").verify(response.getTokens().getAccessToken().getValue());
        assertThat(token.issuer()).isEqualTo(issuer.iss("default"));
        assertThat(token.subject()).isEqualTo(robot.client().clientId());
        assertThat(token.claim("client_id")).isEqualTo(robot.client().clientId());
        assertThat(token.claim("ver")).isEqualTo("scitoken:2.0");
        assertThat(token.jwtId()).isNotBlank();
        assertThat(token.keyId()).isNotBlank();
        assertThat(token.claims()).containsKeys("iat", "nbf", "exp");
        assertThat(token.scopes().toString()).isEqualTo("read:/data/frames compute.create");
    }

    @Test
    void secretInTheFormWorksToo() throws Exception {
        success(issuer.token("default", new ClientSecretPost(new ClientID(robot.client().clientId()), new Secret(robot.secret())),
                new ClientCredentialsGrant(), new Scope("read:/data")));
    }

    @Test
    void withoutAScopeTheRobotGetsItsWholeClientScopeButNoProtocolScopes() throws Exception {
        AccessTokenResponse response = success(issuer.token("default", basic(robot), new ClientCredentialsGrant(), null));
        assertThat(response.getTokens().getAccessToken().getScope().toString())
                .isEqualTo("read:/data write:/data/robot compute.create");
    }

    @Test
    void whatTheClientMayNotHaveIsDroppedAndTheGrantedScopeReturned() throws Exception {
        AccessTokenResponse response = success(issuer.token("default", basic(robot), new ClientCredentialsGrant(),
                new Scope("read:/data/x", "write:/data", "read:/database", "queue")));
        assertThat(response.getTokens().getAccessToken().getScope().toString()).isEqualTo("read:/data/x");
    }

    @Test
    void nothingGrantableIsInvalidScope() throws Exception {
        assertThat(error(issuer.token("default", basic(robot), new ClientCredentialsGrant(), new Scope("read:/database"))))
                .isEqualTo("invalid_scope");
        assertThat(error(issuer.token("default", basic(robot), new ClientCredentialsGrant(), new Scope("read:/data/../etc"))))
                .isEqualTo("invalid_scope");
    }

    @Test
    void clientAuthenticationFailuresAreInvalidClientWithAChallenge() throws Exception {
        TokenResponse wrongSecret = issuer.token("default",
                new ClientSecretBasic(new ClientID(robot.client().clientId()), new Secret("not-the-secret")),
                new ClientCredentialsGrant(), null);
        assertThat(error(wrongSecret)).isEqualTo("invalid_client");
        assertThat(((TokenErrorResponse) wrongSecret).getErrorObject().getHTTPStatusCode()).isEqualTo(401);

        assertThat(error(issuer.token("default", new ClientSecretBasic(new ClientID("nobody"), new Secret("x")),
                new ClientCredentialsGrant(), null))).isEqualTo("invalid_client");

        HttpResponse<String> anonymous = issuer.post("default", "/token", "grant_type=client_credentials");
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Basic"));
        assertThat(errorOf(anonymous)).isEqualTo("invalid_client");
    }

    @Test
    void twoAuthenticationMethodsAtOnceAreRefused() throws Exception {
        HttpResponse<String> both = issuer.post("default", "/token",
                "grant_type=client_credentials&client_secret=" + robot.secret(), "Authorization", basicHeader(robot));
        assertThat(both.statusCode()).isEqualTo(400);
        assertThat(errorOf(both)).isEqualTo("invalid_request");
    }

    @Test
    void aClientWithoutTheGrantIsUnauthorized() throws Exception {
        Administration.NewClient exchanger = issuer.client("default", "read:/data", Client.TOKEN_EXCHANGE);
        assertThat(error(issuer.token("default", basic(exchanger), new ClientCredentialsGrant(), null)))
                .isEqualTo("unauthorized_client");
    }

    @Test
    void unknownGrantTypesAreUnsupported() throws Exception {
        assertThat(errorOf(issuer.post("default", "/token", "grant_type=password&username=a&password=b",
                "Authorization", basicHeader(robot)))).isEqualTo("unsupported_grant_type");
        assertThat(errorOf(issuer.post("default", "/token", "grant_type=urn:example:nothing",
                "Authorization", basicHeader(robot)))).isEqualTo("unsupported_grant_type");
    }

    @Test
    void malformedRequestsAreInvalidRequest() throws Exception {
        String auth = basicHeader(robot);
        assertThat(errorOf(issuer.post("default", "/token", "scope=read:/data", "Authorization", auth)))
                .isEqualTo("invalid_request");
        HttpResponse<String> repeated = issuer.post("default", "/token",
                "grant_type=client_credentials&scope=read:/data&scope=read:/data/x", "Authorization", auth);
        assertThat(repeated.statusCode()).isEqualTo(400);
        assertThat(errorOf(repeated)).isEqualTo("invalid_request");
        assertThat(repeated.body()).contains("scope is repeated");
        assertThat(errorOf(issuer.post("default", "/token", "grant_type=client_credentials&scope=%zz", "Authorization", auth)))
                .isEqualTo("invalid_request");
        HttpResponse<String> json = issuer.send(java.net.http.HttpRequest.newBuilder(issuer.tokenEndpoint("default"))
                .header("Content-Type", "application/json").header("Authorization", auth)
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"grant_type\":\"client_credentials\"}")));
        assertThat(json.statusCode()).isEqualTo(400);
        assertThat(errorOf(json)).isEqualTo("invalid_request");
        HttpResponse<String> huge = issuer.post("default", "/token",
                "grant_type=client_credentials&scope=" + "read:/data/x ".repeat(10_000), "Authorization", auth);
        assertThat(huge.statusCode()).isEqualTo(413);
        assertThat(errorOf(huge)).isEqualTo("invalid_request");
    }

    @Test
    void oidcAgentsUnencodedFormValuesAreAccepted() throws Exception {
        HttpResponse<String> response = issuer.post("default", "/token",
                "grant_type=client_credentials&scope=read:/data/a compute.create&audience=https://storage.example.org",
                "Authorization", basicHeader(robot));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        Map<String, Object> body = Json.parseObject(response.body());
        assertThat(body.get("scope")).isEqualTo("read:/data/a compute.create");
        assertThat(response.headers().firstValue("Cache-Control")).hasValue("no-store");
        VerifiedToken token = issuer.verifier("default", "https://storage.example.org").verify((String) body.get("access_token"));
        assertThat(token.audience()).containsExactly("https://storage.example.org");
    }

    @Test
    void audienceResourceAndAudScopeAreOneStory() throws Exception {
        HttpResponse<String> response = issuer.post("default", "/token",
                "grant_type=client_credentials&audience=https://a.example.org+https://b.example.org"
                        + "&resource=https://c.example.org/&resource=https://d.example.org"
                        + "&scope=read:/data+aud:https://e.example.org",
                "Authorization", basicHeader(robot));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        VerifiedToken token = issuer.verifier("default", "https://e.example.org")
                .verify((String) Json.parseObject(response.body()).get("access_token"));
        assertThat(token.audience()).containsExactly("https://a.example.org", "https://b.example.org",
                "https://c.example.org/", "https://d.example.org", "https://e.example.org");
        assertThat(token.scopes().toString()).isEqualTo("read:/data");
    }

    @Test
    void theAnyAudienceNeedsToBeRegisteredAndRegisteredAudiencesAreTheLimit() throws Exception {
        assertThat(errorOf(issuer.post("default", "/token", "grant_type=client_credentials&audience=ANY",
                "Authorization", basicHeader(robot)))).isEqualTo("invalid_target");
        assertThat(errorOf(issuer.post("default", "/token", "grant_type=client_credentials&resource=relative/path",
                "Authorization", basicHeader(robot)))).isEqualTo("invalid_target");
        Administration.NewClient limited = issuer.client("default", "read:/data", List.of("https://only.example.org"),
                Client.CLIENT_CREDENTIALS);
        assertThat(errorOf(issuer.post("default", "/token", "grant_type=client_credentials&audience=https://other.example.org",
                "Authorization", basicHeader(limited)))).isEqualTo("invalid_target");
        assertThat(issuer.post("default", "/token", "grant_type=client_credentials&audience=https://only.example.org",
                "Authorization", basicHeader(limited)).statusCode()).isEqualTo(200);
    }

    @Test
    void everyIssuanceIsAnAuditEventWithoutTheToken() throws Exception {
        AccessTokenResponse response = success(issuer.token("default", basic(robot), new ClientCredentialsGrant(),
                new Scope("compute.create")));
        String jti = (String) Json.parseObject(new String(Base64.getUrlDecoder().decode(
                response.getTokens().getAccessToken().getValue().split("\\.")[1]), StandardCharsets.UTF_8)).get("jti");
        AuditStore audit = issuer.adminHandle().stores().audit();
        AuditStore.Event event = null;
        for (int i = 0; i < 200 && event == null; i++) { // written in the background, batched
            event = audit.latest("default", 1000).stream().filter(e -> jti.equals(e.jti())).findFirst().orElse(null);
            if (event == null) {
                Thread.sleep(50);
            }
        }
        assertThat(event).isNotNull();
        assertThat(event.event()).isEqualTo("token_issued");
        assertThat(event.clientId()).isEqualTo(robot.client().clientId());
        assertThat(event.scope()).isEqualTo("compute.create");
        assertThat(event.toString()).doesNotContain(response.getTokens().getAccessToken().getValue());
    }

    @Test
    void theTokenEndpointOnlyTakesPost() throws Exception {
        HttpResponse<String> get = issuer.get(issuer.iss("default") + "/token");
        assertThat(get.statusCode()).isEqualTo(405);
        assertThat(get.headers().firstValue("Allow")).hasValue("POST");
    }

    @Test
    void aTokenFromAForgedSignatureIsRejectedByTheVerifier() throws Exception {
        String token = success(issuer.token("default", basic(robot), new ClientCredentialsGrant(), null))
                .getTokens().getAccessToken().getValue();
        String forged = token.substring(0, token.lastIndexOf('.') + 1) + "AAAA" + token.substring(token.lastIndexOf('.') + 5);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> issuer.verifier("default", "https://storage.example.org").verify(forged))
                .isInstanceOf(TokenException.class);
        assertThat(URI.create(issuer.iss("default")).getPath()).isEqualTo("/vo/default");
    }

    static String errorOf(HttpResponse<String> response) throws Exception {
        return (String) Json.parseObject(response.body()).get("error");
    }
}
