package dev.tessera.issuer.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.ClientCredentialsGrant;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.PrivateKeyJWT;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.id.ClientID;
import dev.tessera.issuer.domain.Client;
import dev.tessera.issuer.service.Administration;
import dev.tessera.issuer.service.Administration.ClientSettings;
import dev.tessera.issuer.service.Administration.Credentials;
import dev.tessera.issuer.testing.RunningIssuer;
import dev.tessera.token.jws.Json;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code private_key_jwt} client authentication (RFC 7523 §2.2) with the Nimbus SDK and with hand-made
 * assertions that break one rule each; and per-client lifetimes with a request's {@code expires_in}.
 */
class ClientKeysAndLifetimesTest {
    @TempDir
    static Path dir;
    static RunningIssuer issuer;
    static ECKey key;
    static Administration.NewClient signer;
    static Administration.NewClient shortLived;

    @BeforeAll
    static void start() throws Exception {
        issuer = RunningIssuer.sqlite(dir);
        key = new ECKeyGenerator(Curve.P_256).keyID("robot-key-1").generate();
        signer = issuer.admin().addClient("default", new ClientSettings("Pilot factory", Set.of(Client.CLIENT_CREDENTIALS),
                "compute.create read:/data", List.of(), List.of(), Credentials.PRIVATE_KEY_JWT,
                new JWKSet(key.toPublicJWK()).toString(), null, false));
        // the default VO: 20-minute tokens, at most an hour
        shortLived = issuer.admin().addClient("default", new ClientSettings("Short-lived robot",
                Set.of(Client.CLIENT_CREDENTIALS), "read:/data", List.of(), List.of(), Credentials.SECRET, null,
                new Client.Lifetimes(Duration.ofMinutes(5), Duration.ofMinutes(30), null), false));
        issuer.server().refresh();
    }

    @AfterAll
    static void stop() {
        issuer.close();
    }

    static ClientID id(Administration.NewClient client) {
        return new ClientID(client.client().clientId());
    }

    /** An assertion as a client makes it, with {@code change} applied to the claims. */
    static String assertion(ECKey signWith, java.util.function.UnaryOperator<JWTClaimsSet.Builder> change) throws Exception {
        Instant now = Instant.now();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().issuer(signer.client().clientId())
                .subject(signer.client().clientId()).audience(issuer.tokenEndpoint("default").toString())
                .expirationTime(Date.from(now.plusSeconds(120))).issueTime(Date.from(now)).jwtID(UUID.randomUUID().toString());
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(signWith.getKeyID()).build(),
                change.apply(claims).build());
        jwt.sign(new ECDSASigner(signWith));
        return jwt.serialize();
    }

    static HttpResponse<String> withAssertion(String assertion) throws Exception {
        return issuer.post("default", "/token", "grant_type=client_credentials&client_assertion_type="
                + URLEncoder.encode("urn:ietf:params:oauth:client-assertion-type:jwt-bearer", StandardCharsets.UTF_8)
                + "&client_assertion=" + assertion);
    }

    static String error(HttpResponse<String> response) throws Exception {
        return Json.parseObject(response.body()).get("error") + ": " + Json.parseObject(response.body()).get("error_description");
    }

    @Test
    void theSdksPrivateKeyJwtAuthenticatesAndIsAdvertised() throws Exception {
        Map<String, Object> metadata = Json.parseObject(issuer.get(issuer.iss("default") + "/.well-known/openid-configuration").body());
        assertThat(metadata.get("token_endpoint_auth_methods_supported").toString()).contains("private_key_jwt");
        PrivateKeyJWT auth = new PrivateKeyJWT(id(signer), issuer.tokenEndpoint("default"), JWSAlgorithm.ES256,
                key.toECPrivateKey(), key.getKeyID(), null);
        TokenResponse response = issuer.token("default", auth, new ClientCredentialsGrant(), new Scope("compute.create"));
        assertThat(response.indicatesSuccess()).as("%s", response.toHTTPResponse().getBody()).isTrue();
        assertThat(response.toSuccessResponse().getTokens().getAccessToken().getScope()).isEqualTo(new Scope("compute.create"));
    }

    @Test
    void anAssertionAuthenticatesOnce() throws Exception {
        String once = assertion(key, c -> c);
        assertThat(withAssertion(once).statusCode()).isEqualTo(200);
        HttpResponse<String> replay = withAssertion(once);
        assertThat(replay.statusCode()).isEqualTo(401);
        assertThat(error(replay)).startsWith("invalid_client").contains("used before");
    }

    @Test
    void assertionsBreakingARuleAreRefused() throws Exception {
        ECKey other = new ECKeyGenerator(Curve.P_256).keyID("robot-key-1").generate();
        Map<String, String> cases = Map.of(
                assertion(other, c -> c), "signature",
                assertion(key, c -> c.audience("https://elsewhere.example.org/token")), "aud",
                assertion(key, c -> c.expirationTime(Date.from(Instant.now().plus(Duration.ofHours(2))))), "too long",
                assertion(key, c -> c.expirationTime(Date.from(Instant.now().minusSeconds(300)))), "expired",
                assertion(key, c -> c.jwtID(null)), "jti",
                assertion(key, c -> c.subject("someone-else")), "iss and sub",
                "not.a.jwt", "not a JWT");
        for (Map.Entry<String, String> bad : cases.entrySet()) {
            HttpResponse<String> response = withAssertion(bad.getKey());
            assertThat(response.statusCode()).as(bad.getValue()).isEqualTo(401);
            assertThat(error(response)).as(bad.getValue()).startsWith("invalid_client").contains(bad.getValue());
        }
    }

    @Test
    void aKeyClientCannotUseASecretAndNoRequestMayUseTwoMethods() throws Exception {
        HttpResponse<String> secret = issuer.post("default", "/token", "grant_type=client_credentials&client_id="
                + signer.client().clientId() + "&client_secret=guess");
        assertThat(error(secret)).startsWith("invalid_client").contains("private_key_jwt");
        HttpResponse<String> both = issuer.send(java.net.http.HttpRequest.newBuilder(issuer.tokenEndpoint("default"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Authorization", RunningIssuer.basicHeader(shortLived))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("grant_type=client_credentials&client_assertion_type="
                        + "urn:ietf:params:oauth:client-assertion-type:jwt-bearer&client_assertion=" + assertion(key, c -> c))));
        assertThat(both.statusCode()).isEqualTo(400);
        assertThat(error(both)).startsWith("invalid_request");
    }

    @Test
    void introspectionAcceptsAnAssertionForItsEndpoint() throws Exception {
        String token = (String) Json.parseObject(withAssertion(assertion(key, c -> c)).body()).get("access_token");
        HttpResponse<String> introspection = issuer.post("default", "/introspect", "token=" + token
                + "&client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer&client_assertion="
                + assertion(key, c -> c.audience(issuer.iss("default") + "/introspect")));
        assertThat(introspection.statusCode()).as(introspection.body()).isEqualTo(200);
        assertThat(Json.parseObject(introspection.body())).containsEntry("active", true);
    }

    @Test
    void registeringWithKeysGivesNoSecret() throws Exception {
        ECKey own = new ECKeyGenerator(Curve.P_256).keyID("app-1").generate();
        String metadata = "{\"client_name\":\"Key app\",\"grant_types\":[\"urn:ietf:params:oauth:grant-type:device_code\"],"
                + "\"token_endpoint_auth_method\":\"private_key_jwt\",\"jwks\":" + new JWKSet(own.toPublicJWK()) + "}";
        HttpResponse<String> registered = issuer.send(java.net.http.HttpRequest.newBuilder(
                URI.create(issuer.iss("default") + "/register")).header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(metadata)));
        assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
        assertThat(Json.parseObject(registered.body())).containsEntry("token_endpoint_auth_method", "private_key_jwt")
                .doesNotContainKey("client_secret");
        // a private key among the "public" keys is refused
        String leaked = metadata.replace(new JWKSet(own.toPublicJWK()).toString(), new JWKSet(own).toString(false));
        HttpResponse<String> refused = issuer.send(java.net.http.HttpRequest.newBuilder(
                URI.create(issuer.iss("default") + "/register")).header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(leaked)));
        assertThat(refused.statusCode()).isEqualTo(400);
        assertThat(refused.body()).contains("private key");
    }

    /** The lifetime of a token the short-lived robot asks for with {@code extra} form parameters. */
    static long lifetime(String extra) throws Exception {
        HttpResponse<String> response = issuer.post("default", "/token", "grant_type=client_credentials" + extra,
                "Authorization", RunningIssuer.basicHeader(shortLived));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        Map<String, Object> body = Json.parseObject(response.body());
        Map<String, Object> claims = Json.parseObject(new String(java.util.Base64.getUrlDecoder().decode(
                ((String) body.get("access_token")).split("\\.")[1]), StandardCharsets.UTF_8));
        long lifetime = ((Number) claims.get("exp")).longValue() - ((Number) claims.get("iat")).longValue();
        assertThat(((Number) body.get("expires_in")).longValue()).isEqualTo(lifetime);
        return lifetime;
    }

    @Test
    void aClientsLifetimesApplyAndARequestMayAskWithinTheirMaximum() throws Exception {
        assertThat(lifetime("")).as("the client's default").isEqualTo(300);
        assertThat(lifetime("&expires_in=1200")).isEqualTo(1200);
        assertThat(lifetime("&expires_in=86400")).as("capped at the client's maximum").isEqualTo(1800);
        assertThat(lifetime("&expires_in=60")).isEqualTo(60);
        HttpResponse<String> bad = issuer.post("default", "/token", "grant_type=client_credentials&expires_in=soon",
                "Authorization", RunningIssuer.basicHeader(shortLived));
        assertThat(error(bad)).startsWith("invalid_request").contains("expires_in");
        // a robot with the VO's lifetimes is capped by the VO's maximum (an hour)
        Administration.NewClient plain = issuer.client("default", "read:/data");
        TokenResponse capped = issuer.token("default", new ClientSecretBasic(id(plain), new Secret(plain.secret())),
                new ClientCredentialsGrant(), null);
        assertThat(capped.toSuccessResponse().getTokens().getAccessToken().getLifetime()).isEqualTo(1200);
    }

    @Test
    void aClientsDeviceCodesMayWaitLessThanTheVos() throws Exception {
        Administration.NewClient quick = issuer.admin().addClient("default", new ClientSettings("Kiosk",
                Set.of(Client.DEVICE_CODE), "read:/data", List.of(), List.of(), Credentials.NONE, null,
                new Client.Lifetimes(null, null, null, null, Duration.ofMinutes(2)), false));
        Administration.NewClient plain = issuer.admin().addClient("default", "Laptop", Set.of(Client.DEVICE_CODE), "read:/data",
                List.of(), List.of(), true);
        issuer.server().refresh();
        for (var expected : Map.of(quick, 120, plain, 600).entrySet()) {
            HttpResponse<String> started = issuer.post("default", "/device_authorization", "client_id="
                    + expected.getKey().client().clientId());
            assertThat(((Number) Json.parseObject(started.body()).get("expires_in")).intValue()).isEqualTo(expected.getValue());
        }
    }

    @Test
    void clientLifetimesMustBeConsistent() {
        assertThatThrownBy(() -> issuer.admin().addClient("default", new ClientSettings("bad", Set.of(Client.CLIENT_CREDENTIALS),
                "read:/data", List.of(), List.of(), Credentials.SECRET, null,
                new Client.Lifetimes(Duration.ofHours(2), Duration.ofHours(1), null), false)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("exceeds");
        assertThatThrownBy(() -> issuer.admin().addClient("default", new ClientSettings("bad", Set.of(Client.CLIENT_CREDENTIALS),
                "read:/data", List.of(), List.of(), Credentials.PRIVATE_KEY_JWT, "{\"keys\":[]}", null, false)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no usable");
    }
}
