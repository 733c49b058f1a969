package dev.tessera.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.tessera.token.TokenBuilder;
import dev.tessera.token.TokenVerifier;
import dev.tessera.token.VerifiedToken;
import dev.tessera.token.discovery.TrustMaterial;
import dev.tessera.token.jws.Json;
import dev.tessera.token.keys.Algorithm;
import dev.tessera.token.keys.SigningKey;
import dev.tessera.token.scope.ScopeSet;
import dev.tessera.token.testing.TestCa;
import dev.tessera.token.testing.TestIssuer;
import dev.tessera.web.HttpServer;
import dev.tessera.web.TrustedIssuer;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gateway's delegated backend tokens, against a token-exchange endpoint that behaves as RFC 8693
 * and Tessera's attenuation rules require: client authentication, a verified subject token, and no
 * scope the subject token does not cover.
 */
class DelegationTest {
    private static final String AUDIENCE = "https://portal.example.org";
    private static final String BACKEND = "https://backend.example.org";

    @TempDir
    Path dir;
    private final SigningKey key = SigningKey.generate(Algorithm.ES256, "k1");
    private final TestCa ca = TestCa.create("delegation");
    private TestIssuer issuer;
    private HttpsServer exchange;
    private HttpServer gateway;
    private final AtomicInteger exchanges = new AtomicInteger();

    @BeforeEach
    void start() throws Exception {
        issuer = TestIssuer.start(ca, "/vo", key);
        Path caPem = ca.writeCaPem(dir.resolve("ca.pem"));
        TokenVerifier subjects = TokenVerifier.builder().issuer(issuer.url()).audience(AUDIENCE)
                .caFiles(List.of(caPem)).build();
        exchange = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        exchange.setHttpsConfigurator(new HttpsConfigurator(ca.serverContext()));
        exchange.createContext("/token", http -> {
            exchanges.incrementAndGet();
            Map<String, String> form = form(new String(http.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            String expected = "Basic " + Base64.getEncoder().encodeToString("gateway:s3cret".getBytes(StandardCharsets.UTF_8));
            int status = 200;
            String body;
            try {
                if (!expected.equals(http.getRequestHeaders().getFirst("Authorization"))) {
                    status = 401;
                    body = "{\"error\":\"invalid_client\"}";
                } else {
                    VerifiedToken subject = subjects.verify(form.get("subject_token"));
                    ScopeSet wanted = ScopeSet.parse(form.get("scope"));
                    if (!form.get("grant_type").equals("urn:ietf:params:oauth:grant-type:token-exchange")
                            || !ScopeSet.covers(subject.scopes(), wanted)) {
                        status = 400;
                        body = "{\"error\":\"invalid_scope\"}";
                    } else {
                        String token = TokenBuilder.forKey(key).issuer(issuer.url()).subject(subject.subject())
                                .audience(form.get("audience")).scopes(wanted).lifetime(java.time.Duration.ofMinutes(5)).sign();
                        body = Json.write(Map.of("access_token", token, "token_type", "Bearer", "expires_in", 300,
                                "issued_token_type", "urn:ietf:params:oauth:token-type:access_token"));
                    }
                }
            } catch (Exception e) {
                status = 400;
                body = "{\"error\":\"invalid_request\"}";
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            http.getResponseHeaders().set("Content-Type", "application/json");
            http.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = http.getResponseBody()) {
                out.write(bytes);
            }
        });
        exchange.start();
        Path secret = Files.writeString(dir.resolve("secret"), "s3cret\n");
        URI endpoint = URI.create("https://localhost:" + exchange.getAddress().getPort() + "/token");
        gateway = GatewayServer.start(new GatewayConfig(dir.resolve("data"), "localhost", 0, null, null, null, List.of(caPem),
                List.of(AUDIENCE), List.of(new TrustedIssuer(issuer.url(), "/", List.of(), List.of(), null)), "/files",
                null, null, null, null, false, new GatewayConfig.DelegationConfig(endpoint, "gateway", secret, BACKEND)));
    }

    @AfterEach
    void stop() {
        gateway.close();
        exchange.stop(0);
        issuer.close();
    }

    private static Map<String, String> form(String body) {
        Map<String, String> form = new HashMap<>();
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return form;
    }

    private HttpResponse<String> auth(String token, String originalUri, String query) throws Exception {
        HttpClient client = HttpClient.newBuilder()
                .sslContext(TrustMaterial.sslContext(List.of(dir.resolve("data/tls/server.pem")))).build();
        return client.send(HttpRequest.newBuilder(URI.create(gateway.url() + "/auth" + query))
                .header("Authorization", "Bearer " + token).header("X-Original-URI", originalUri)
                .header("X-Original-Method", "GET").build(), HttpResponse.BodyHandlers.ofString());
    }

    private String caller(String scope) {
        return TokenBuilder.forKey(key).issuer(issuer.url()).subject("alice").audience(AUDIENCE).scope(scope).sign();
    }

    @Test
    void theBackendGetsATokenNarrowedToTheRequestOnceForRepeatedCalls() throws Exception {
        String token = caller("storage.read:/data storage.modify:/data/out");
        HttpResponse<String> first = auth(token, "/files/data/run1/x.root", "");
        assertThat(first.statusCode()).isEqualTo(200);
        String delegated = first.headers().firstValue("X-Auth-Request-Token").orElseThrow();
        VerifiedToken backend = TokenVerifier.builder().issuer(issuer.url()).audience(BACKEND)
                .caFiles(List.of(dir.resolve("ca.pem"))).build().verify(delegated);
        assertThat(backend.scopes().toString()).isEqualTo("storage.read:/data/run1/x.root");
        assertThat(backend.audience()).containsExactly(BACKEND);
        assertThat(delegated).isNotEqualTo(token);

        assertThat(auth(token, "/files/data/run1/x.root", "").headers().firstValue("X-Auth-Request-Token"))
                .hasValue(delegated);
        assertThat(exchanges.get()).isEqualTo(1);
    }

    @Test
    void namedCapabilitiesAreDelegatedAsRequested() throws Exception {
        HttpResponse<String> r = auth(caller("read:tap exec:notebook"), "/files/x", "?scope=read:tap");
        assertThat(r.statusCode()).isEqualTo(200);
        String delegated = r.headers().firstValue("X-Auth-Request-Token").orElseThrow();
        assertThat(TokenVerifier.builder().issuer(issuer.url()).audience(BACKEND).caFiles(List.of(dir.resolve("ca.pem")))
                .build().verify(delegated).scopes().toString()).isEqualTo("read:tap");
    }

    @Test
    void aRefusedExchangeFailsTheRequestWithoutLeakingTheCallerToken() throws Exception {
        gateway.close();
        Path wrong = Files.writeString(dir.resolve("wrong"), "not-the-secret");
        URI endpoint = URI.create("https://localhost:" + exchange.getAddress().getPort() + "/token");
        gateway = GatewayServer.start(new GatewayConfig(dir.resolve("data"), "localhost", 0, null, null,
                null, List.of(dir.resolve("ca.pem")), List.of(AUDIENCE),
                List.of(new TrustedIssuer(issuer.url(), "/", List.of(), List.of(), null)), "/files", null, null, null,
                null, false, new GatewayConfig.DelegationConfig(endpoint, "gateway", wrong, BACKEND)));
        HttpResponse<String> r = auth(caller("storage.read:/data"), "/files/data/x", "");
        assertThat(r.statusCode()).isEqualTo(500);
        assertThat(r.headers().firstValue("X-Auth-Request-Token")).isEmpty();
    }
}
