package dev.tessera.token.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.JWKSet;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.tessera.token.Reason;
import dev.tessera.token.TokenBuilder;
import dev.tessera.token.TokenException;
import dev.tessera.token.TokenVerifier;
import dev.tessera.token.Trace;
import dev.tessera.token.VerifiedToken;
import dev.tessera.token.keys.Algorithm;
import dev.tessera.token.keys.SigningKey;
import dev.tessera.token.testing.TestCa;
import dev.tessera.token.testing.TestIssuer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Key discovery over real HTTPS against an in-process issuer on loopback: OIDC discovery, the RFC 8414
 * fallback, failures (404, 500, plain-http jwks_uri, slow, down, untrusted CA), CA trust material, and the
 * verifier end to end (scitokens-cpp {@code integration_test.cpp}: VerifyTokenWithJWKSDiscovery,
 * MonitoringFailedIssuerLookup404, MonitoringFailedTCPConnection, ConcurrentNewIssuerLookup).
 */
class HttpsDiscoveryTest {
    static final String AUDIENCE = "https://data.example.org";
    static final SigningKey K1 = SigningKey.generate(Algorithm.ES256, "k1");
    static final SigningKey K2 = SigningKey.generate(Algorithm.ES256, "k2");

    static TestCa ca;
    static Path caDir;
    static Path caPem;
    static HttpsKeyFetcher fetcher;

    @BeforeAll
    static void trust() throws IOException {
        ca = TestCa.create("discovery test CA");
        caDir = Files.createTempDirectory("tessera-ca");
        caPem = ca.writeCaPem(caDir.resolve("ca.pem"));
        fetcher = new HttpsKeyFetcher(TrustMaterial.sslContext(List.of(caPem)), Duration.ofSeconds(5));
    }

    @AfterAll
    static void cleanUp() throws IOException {
        Files.deleteIfExists(caPem);
        Files.deleteIfExists(caDir);
    }

    final List<AutoCloseable> servers = new ArrayList<>();

    TestIssuer issuer(String path, SigningKey... keys) {
        TestIssuer issuer = TestIssuer.start(ca, path, keys);
        servers.add(issuer);
        return issuer;
    }

    @AfterEach
    void stopServers() throws Exception {
        for (AutoCloseable server : servers) {
            server.close();
        }
    }

    static String origin(TestIssuer issuer) {
        return "https://localhost:" + issuer.port();
    }

    // ---- discovery ---------------------------------------------------------------------------------

    @Test
    void oidcDiscoveryThenJwks() throws Exception {
        TestIssuer issuer = issuer("", K1);

        JWKSet jwks = fetcher.fetch(issuer.url(), Trace.NONE);

        assertThat(jwks.getKeys()).extracting(k -> k.getKeyID()).containsExactly("k1");
        assertThat(issuer.hits("/.well-known/openid-configuration")).isEqualTo(1);
        assertThat(issuer.hits("/.well-known/oauth-authorization-server")).isZero();
        assertThat(issuer.jwksFetches()).isEqualTo(1);
    }

    @Test
    void issuerWithAPath() throws Exception {
        TestIssuer issuer = issuer("/vo", K1, K2);

        JWKSet jwks = fetcher.fetch(issuer.url(), Trace.NONE);

        assertThat(issuer.url()).endsWith("/vo");
        assertThat(jwks.getKeys()).extracting(k -> k.getKeyID()).containsExactly("k1", "k2");
        assertThat(issuer.hits("/vo/.well-known/openid-configuration")).isEqualTo(1);
        assertThat(issuer.hits("/vo/jwks.json")).isEqualTo(1);
    }

    @Test
    void issuerWithATrailingSlashDoesNotAskForADoubleSlash() throws Exception {
        TestIssuer root = issuer("", K1);
        TestIssuer vo = issuer("/vo", K1);

        assertThat(fetcher.jwksUri(root.url() + "/", Trace.NONE).toString()).isEqualTo(root.url() + "/jwks.json");
        assertThat(fetcher.fetch(vo.url() + "/", Trace.NONE).getKeys()).hasSize(1);

        assertThat(root.hits("/.well-known/openid-configuration")).isEqualTo(1);
        assertThat(vo.hits("/vo/.well-known/openid-configuration")).isEqualTo(1);
        assertThat(vo.hits("/vo//.well-known/openid-configuration")).isZero();
    }

    @Test
    void rfc8414FallbackWhenOnlyThatFormIsServed() throws Exception {
        TestIssuer issuer = issuer("/vo", K1);
        issuer.rfc8414Only(true);

        JWKSet jwks = fetcher.fetch(issuer.url(), Trace.NONE);

        assertThat(jwks.getKeys()).hasSize(1);
        assertThat(issuer.hits("/vo/.well-known/openid-configuration")).as("OIDC form tried first").isEqualTo(1);
        assertThat(issuer.hits("/.well-known/oauth-authorization-server/vo")).as("then RFC 8414").isEqualTo(1);
        assertThat(issuer.jwksFetches()).isEqualTo(1);
    }

    @Test
    void rfc8414FallbackForAPathIssuerWithTrailingSlashAndForARootIssuer() throws Exception {
        TestIssuer vo = issuer("/vo", K1);
        vo.rfc8414Only(true);
        TestIssuer root = issuer("", K1);
        root.rfc8414Only(true);

        assertThat(fetcher.fetch(vo.url() + "/", Trace.NONE).getKeys()).hasSize(1);
        assertThat(fetcher.fetch(root.url(), Trace.NONE).getKeys()).hasSize(1);

        assertThat(vo.hits("/.well-known/oauth-authorization-server/vo")).isEqualTo(1);
        assertThat(root.hits("/.well-known/oauth-authorization-server")).isEqualTo(1);
    }

    @Test
    void notFoundEverywhereNamesBothUrls() {
        TestIssuer issuer = issuer("/vo", K1);
        issuer.mode(TestIssuer.Mode.NOT_FOUND);

        assertThatThrownBy(() -> fetcher.fetch(issuer.url(), Trace.NONE))
                .isInstanceOf(KeyFetchException.class)
                .hasMessageContaining(issuer.url() + "/.well-known/openid-configuration")
                .hasMessageContaining(origin(issuer) + "/.well-known/oauth-authorization-server/vo");
        assertThat(issuer.hits("/vo/.well-known/openid-configuration")).isEqualTo(1);
        assertThat(issuer.hits("/.well-known/oauth-authorization-server/vo")).isEqualTo(1);
        assertThat(issuer.jwksFetches()).isZero();
    }

    @Test
    void serverErrorFails() {
        TestIssuer issuer = issuer("", K1);
        issuer.mode(TestIssuer.Mode.SERVER_ERROR);

        assertThatThrownBy(() -> fetcher.fetch(issuer.url(), Trace.NONE))
                .isInstanceOf(KeyFetchException.class)
                .hasMessageContaining("no metadata for issuer");
        assertThat(issuer.jwksFetches()).isZero();
    }

    @Test
    void jwksServerErrorFailsNamingTheJwksUrl() throws Exception {
        try (MiniServer server = MiniServer.https(ca)) {
            server.route("/.well-known/openid-configuration", 200,
                    "{\"issuer\":\"" + server.url() + "\",\"jwks_uri\":\"" + server.url() + "/keys\"}");
            server.route("/keys", 500, "{\"error\":\"oops\"}");

            assertThatThrownBy(() -> fetcher.fetch(server.url(), Trace.NONE))
                    .isInstanceOf(KeyFetchException.class)
                    .hasMessageContaining(server.url() + "/keys")
                    .hasMessageContaining("500");
        }
    }

    @Test
    void plainHttpJwksUriIsRefusedAndNeverFetched() throws Exception {
        try (MiniServer http = MiniServer.http(); MiniServer https = MiniServer.https(ca)) {
            http.route("/keys", 200, new JWKSet(K1.toPublicJwk()).toString(true));
            https.route("/.well-known/openid-configuration", 200,
                    "{\"issuer\":\"" + https.url() + "\",\"jwks_uri\":\"" + http.url() + "/keys\"}");

            assertThatThrownBy(() -> fetcher.fetch(https.url(), Trace.NONE))
                    .isInstanceOf(KeyFetchException.class)
                    .hasMessageContaining("jwks_uri")
                    .hasMessageContaining("not an https URL");
            assertThat(https.hits("/.well-known/openid-configuration")).isEqualTo(1);
            assertThat(http.hits("/keys")).isZero();
        }
    }

    @Test
    void redirectFromHttpsToHttpIsNotFollowed() throws Exception {
        try (MiniServer http = MiniServer.http(); MiniServer https = MiniServer.https(ca)) {
            http.route("/keys", 200, new JWKSet(K1.toPublicJwk()).toString(true));
            https.route("/.well-known/openid-configuration", 200, "{\"jwks_uri\":\"" + https.url() + "/keys\"}");
            https.redirect("/keys", http.url() + "/keys");

            assertThatThrownBy(() -> fetcher.fetch(https.url(), Trace.NONE))
                    .isInstanceOf(KeyFetchException.class)
                    .hasMessageContaining("HTTP 302");
            assertThat(https.hits("/keys")).isEqualTo(1);
            assertThat(http.hits("/keys")).isZero();
        }
    }

    @Test
    void redirectWithinHttpsIsFollowed() throws Exception {
        try (MiniServer https = MiniServer.https(ca)) {
            https.route("/.well-known/openid-configuration", 200, "{\"jwks_uri\":\"" + https.url() + "/old-keys\"}");
            https.redirect("/old-keys", https.url() + "/keys");
            https.route("/keys", 200, new JWKSet(K1.toPublicJwk()).toString(true));

            assertThat(fetcher.fetch(https.url(), Trace.NONE).getKeys()).hasSize(1);
            assertThat(https.hits("/keys")).isEqualTo(1);
        }
    }

    @Test
    void plainHttpIssuerIsRefusedWithoutAnyRequest() throws Exception {
        try (MiniServer http = MiniServer.http()) {
            http.route("/.well-known/openid-configuration", 200, "{\"jwks_uri\":\"" + http.url() + "/keys\"}");

            assertThatThrownBy(() -> fetcher.fetch(http.url(), Trace.NONE))
                    .isInstanceOf(KeyFetchException.class)
                    .hasMessageContaining("not an https URL");
            assertThat(http.hits("/.well-known/openid-configuration")).isZero();
        }
    }

    @Test
    void metadataThatIsNotJsonOrLacksJwksUriFails() throws Exception {
        try (MiniServer server = MiniServer.https(ca)) {
            server.route("/a/.well-known/openid-configuration", 200, "<html>hello</html>");
            server.route("/b/.well-known/openid-configuration", 200, "{\"issuer\":\"x\"}");
            server.route("/c/.well-known/openid-configuration", 200, "{\"jwks_uri\": 42}");

            assertThatThrownBy(() -> fetcher.fetch(server.url() + "/a", Trace.NONE))
                    .isInstanceOf(KeyFetchException.class).hasMessageContaining("not a JSON object");
            assertThatThrownBy(() -> fetcher.fetch(server.url() + "/b", Trace.NONE))
                    .isInstanceOf(KeyFetchException.class).hasMessageContaining("no jwks_uri");
            assertThatThrownBy(() -> fetcher.fetch(server.url() + "/c", Trace.NONE))
                    .isInstanceOf(KeyFetchException.class).hasMessageContaining("no jwks_uri");
        }
    }

    @Test
    void invalidOrOversizedJwksFails() throws Exception {
        try (MiniServer server = MiniServer.https(ca)) {
            server.route("/a/.well-known/openid-configuration", 200, "{\"jwks_uri\":\"" + server.url() + "/a/keys\"}");
            server.route("/a/keys", 200, "{\"keys\": \"nope\"}");
            server.route("/b/.well-known/openid-configuration", 200, "{\"jwks_uri\":\"" + server.url() + "/b/keys\"}");
            server.route("/b/keys", 200, "{\"keys\": [], \"pad\": \"" + "x".repeat(HttpsKeyFetcher.MAX_BODY) + "\"}");

            assertThatThrownBy(() -> fetcher.fetch(server.url() + "/a", Trace.NONE))
                    .isInstanceOf(KeyFetchException.class).hasMessageContaining("not a valid JWK set");
            assertThatThrownBy(() -> fetcher.fetch(server.url() + "/b", Trace.NONE))
                    .isInstanceOf(KeyFetchException.class).hasMessageContaining("more than " + HttpsKeyFetcher.MAX_BODY);
        }
    }

    @Test
    void slowIssuerBeyondTheTimeoutFailsCleanly() throws Exception {
        TestIssuer issuer = issuer("", K1);
        issuer.delay(Duration.ofSeconds(3));
        HttpsKeyFetcher impatient = new HttpsKeyFetcher(TrustMaterial.sslContext(List.of(caPem)), Duration.ofMillis(300));

        assertThatThrownBy(() -> impatient.fetch(issuer.url(), Trace.NONE))
                .isInstanceOf(KeyFetchException.class)
                .hasMessageContaining(issuer.url() + "/.well-known/openid-configuration")
                .hasMessageContaining("failed")
                .hasMessageContaining("Timeout");
        assertThat(issuer.jwksFetches()).isZero();
    }

    @Test
    void issuerThatIsDownFails() {
        TestIssuer issuer = issuer("", K1);
        String url = issuer.url();
        issuer.close();

        assertThatThrownBy(() -> fetcher.fetch(url, Trace.NONE))
                .isInstanceOf(KeyFetchException.class)
                .hasMessageContaining(url + "/.well-known/openid-configuration")
                .hasMessageContaining("failed");
    }

    @Test
    void untrustedCaFailsWithATlsErrorAndNothingIsServed() throws Exception {
        TestIssuer issuer = issuer("", K1);
        HttpsKeyFetcher jdkTrustOnly = new HttpsKeyFetcher(TrustMaterial.sslContext(List.of()), Duration.ofSeconds(5));
        Path otherCa = TestCa.create("some other CA").writeCaPem(Files.createTempFile("other-ca", ".pem"));
        HttpsKeyFetcher wrongCa = new HttpsKeyFetcher(TrustMaterial.sslContext(List.of(otherCa)), Duration.ofSeconds(5));
        Files.delete(otherCa);

        for (HttpsKeyFetcher untrusting : List.of(jdkTrustOnly, wrongCa)) {
            assertThatThrownBy(() -> untrusting.fetch(issuer.url(), Trace.NONE))
                    .isInstanceOf(KeyFetchException.class)
                    .hasMessageContaining("SSLHandshakeException")
                    .satisfies(e -> assertThat(causes(e)).anyMatch(c -> c instanceof SSLHandshakeException));
        }
        assertThat(issuer.hits("/.well-known/openid-configuration")).as("no request got through TLS").isZero();
        assertThat(issuer.jwksFetches()).isZero();
    }

    static List<Throwable> causes(Throwable e) {
        List<Throwable> chain = new ArrayList<>();
        for (Throwable t = e; t != null && !chain.contains(t); t = t.getCause()) {
            chain.add(t);
        }
        return chain;
    }

    // ---- trust material ----------------------------------------------------------------------------

    @Test
    void trustFromACaDirectoryWithGridJunk(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("ca.pem"), ca.caPem());
        Files.writeString(dir.resolve("x.signing_policy"), "access_id_CA X509 '/CN=whatever'\n");
        Files.writeString(dir.resolve("y.r0"), "-----BEGIN X509 CRL-----\nnot really\n-----END X509 CRL-----\n");
        Files.writeString(dir.resolve("broken.pem"), "-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n");
        Files.writeString(dir.resolve("README"), "not a certificate");
        Files.createDirectory(dir.resolve("sub.0"));
        TestIssuer issuer = issuer("", K1);

        HttpsKeyFetcher fromDir = new HttpsKeyFetcher(TrustMaterial.sslContext(List.of(dir)), Duration.ofSeconds(5));

        assertThat(fromDir.fetch(issuer.url(), Trace.NONE).getKeys()).hasSize(1);
        assertThat(TrustMaterial.loadCertificates(dir)).containsExactly(ca.caCertificate());
    }

    @Test
    void trustFromAHashedNameInACaDirectory(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("1a2b3c4d.0"), ca.caPem());
        Files.writeString(dir.resolve("1a2b3c4d.signing_policy"), "junk");
        TestIssuer issuer = issuer("", K1);

        HttpsKeyFetcher fromDir = new HttpsKeyFetcher(TrustMaterial.sslContext(List.of(dir)), Duration.ofSeconds(5));

        assertThat(fromDir.fetch(issuer.url(), Trace.NONE).getKeys()).hasSize(1);
    }

    @Test
    void bundleWithSeveralCertificatesLoadsThemAll(@TempDir Path dir) throws Exception {
        TestCa other = TestCa.create("other");
        Path bundle = Files.writeString(dir.resolve("bundle.crt"), other.caPem() + ca.caPem());

        assertThat(TrustMaterial.loadCertificates(bundle)).containsExactly(other.caCertificate(), ca.caCertificate());
    }

    @Test
    void trustMaterialWithoutCertificatesIsAnError(@TempDir Path dir) throws Exception {
        Path empty = Files.writeString(dir.resolve("empty.pem"), "");
        Path text = Files.writeString(dir.resolve("text.pem"), "no certificates here\n");
        Path keyOnly = Files.writeString(dir.resolve("key.pem"), dev.tessera.token.keys.Pem.write(K1.publicKey()));
        Path emptyDir = Files.createDirectory(dir.resolve("empty-dir"));
        Path junkDir = Files.createDirectory(dir.resolve("junk-dir"));
        Files.writeString(junkDir.resolve("x.signing_policy"), "junk");
        Files.writeString(junkDir.resolve("bad.pem"), "junk");

        for (Path path : List.of(empty, text, keyOnly, emptyDir, junkDir, dir.resolve("missing.pem"))) {
            assertThatThrownBy(() -> TrustMaterial.sslContext(List.of(path)))
                    .as(path.getFileName().toString())
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining(path.getFileName().toString());
        }
    }

    // ---- end to end with the verifier --------------------------------------------------------------

    TokenVerifier verifier(TestIssuer issuer) {
        return TokenVerifier.builder()
                .issuer(issuer.url())
                .audience(AUDIENCE)
                .keys(IssuerKeyCache.builder().fetcher(fetcher).build())
                .build();
    }

    static String token(TestIssuer issuer, SigningKey key) {
        return TokenBuilder.forKey(key).issuer(issuer.url()).subject("alice").audience(AUDIENCE)
                .scope("read:/data").sign();
    }

    @Test
    void verifierDiscoversTheKeysAndVerifies() throws Exception {
        TestIssuer issuer = issuer("/vo", K1);
        TokenVerifier verifier = verifier(issuer);

        VerifiedToken token = verifier.verify(token(issuer, K1));

        assertThat(token.issuer()).isEqualTo(issuer.url());
        assertThat(token.subject()).isEqualTo("alice");
        assertThat(issuer.jwksFetches()).isEqualTo(1);

        // a second token is verified with the cached keys
        verifier.verify(token(issuer, K1));
        assertThat(issuer.jwksFetches()).isEqualTo(1);
    }

    @Test
    void tokenSignedByAnUnpublishedKeyIsRefused() throws Exception {
        TestIssuer issuer = issuer("", K1);
        SigningKey impostor = SigningKey.generate(Algorithm.ES256, "k1"); // same kid, other key

        assertThatThrownBy(() -> verifier(issuer).verify(token(issuer, impostor)))
                .isInstanceOfSatisfying(TokenException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_SIGNATURE));
    }

    @Test
    void verificationFailsWhenTheIssuerAnswers404() {
        TestIssuer issuer = issuer("", K1);
        issuer.mode(TestIssuer.Mode.NOT_FOUND);

        assertThatThrownBy(() -> verifier(issuer).verify(token(issuer, K1)))
                .isInstanceOfSatisfying(TokenException.class,
                        e -> assertThat(e.reason()).isEqualTo(Reason.KEYS_UNAVAILABLE));
    }

    @Test
    void keyRotationAtTheIssuerWorksImmediately() throws Exception {
        TestIssuer issuer = issuer("", K1);
        TokenVerifier verifier = verifier(issuer);
        verifier.verify(token(issuer, K1));
        assertThat(issuer.jwksFetches()).isEqualTo(1);

        issuer.publish(K1, K2);
        VerifiedToken rotated = verifier.verify(token(issuer, K2));

        assertThat(rotated.keyId()).isEqualTo("k2");
        assertThat(issuer.jwksFetches()).isEqualTo(2);
        verifier.verify(token(issuer, K1));
        verifier.verify(token(issuer, K2));
        assertThat(issuer.jwksFetches()).isEqualTo(2);
    }

    @Test
    void concurrentFirstLookupFetchesTheJwksOnce() throws Exception {
        TestIssuer issuer = issuer("", K1);
        issuer.delay(Duration.ofMillis(300)); // keeps the first discovery in flight while the others arrive
        TokenVerifier verifier = verifier(issuer);
        int threads = 8;
        List<String> tokens = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            tokens.add(token(issuer, K1)); // distinct tokens: the verified-token cache cannot short-cut
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch ready = new CountDownLatch(threads);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<VerifiedToken>> results = new ArrayList<>();
            for (String token : tokens) {
                results.add(pool.submit(() -> {
                    ready.countDown();
                    start.await();
                    return verifier.verify(token);
                }));
            }
            assertThat(ready.await(30, TimeUnit.SECONDS)).isTrue();
            start.countDown();
            for (Future<VerifiedToken> result : results) {
                assertThat(result.get(60, TimeUnit.SECONDS).issuer()).isEqualTo(issuer.url());
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(issuer.jwksFetches()).isEqualTo(1);
        assertThat(issuer.hits("/.well-known/openid-configuration")).isEqualTo(1);
    }

    @Test
    void traceRecordsDiscoveryJwksKeyAndSignatureWithUrlsAndStatus() throws Exception {
        TestIssuer issuer = issuer("/vo", K1);
        Trace.Recorder trace = Trace.recorder();

        verifier(issuer).verify(token(issuer, K1), trace);

        List<Trace.Step> steps = trace.steps();
        assertThat(steps).extracting(Trace.Step::check).contains("discovery", "jwks", "key", "signature");
        assertThat(steps).anySatisfy(step -> {
            assertThat(step.check()).isEqualTo("discovery");
            assertThat(step.status()).isEqualTo(Trace.Status.PASS);
            assertThat(step.detail()).contains(issuer.url() + "/.well-known/openid-configuration").contains("200");
        });
        assertThat(steps).anySatisfy(step -> {
            assertThat(step.check()).isEqualTo("jwks");
            assertThat(step.status()).isEqualTo(Trace.Status.PASS);
            assertThat(step.detail()).contains(issuer.url() + "/jwks.json").contains("200");
        });
        assertThat(steps).anySatisfy(step -> {
            assertThat(step.check()).isEqualTo("key");
            assertThat(step.status()).isEqualTo(Trace.Status.PASS);
            assertThat(step.detail()).contains("k1");
        });
        assertThat(steps).anySatisfy(step -> {
            assertThat(step.check()).isEqualTo("signature");
            assertThat(step.status()).isEqualTo(Trace.Status.PASS);
        });
        assertThat(steps).noneSatisfy(step -> assertThat(step.status()).isEqualTo(Trace.Status.FAIL));
        // discovery comes before the JWKS, which comes before the signature check
        List<String> order = steps.stream().map(Trace.Step::check).toList();
        assertThat(order.indexOf("discovery")).isLessThan(order.indexOf("jwks"));
        assertThat(order.indexOf("jwks")).isLessThan(order.indexOf("signature"));
    }

    @Test
    void traceShowsTheRfc8414FallbackAndFailures() throws Exception {
        TestIssuer issuer = issuer("/vo", K1);
        issuer.rfc8414Only(true);
        Trace.Recorder ok = Trace.recorder();
        verifier(issuer).verify(token(issuer, K1), ok);
        assertThat(ok.steps()).filteredOn(s -> s.check().equals("discovery") && s.detail().startsWith("GET"))
                .extracting(Trace.Step::status, Trace.Step::detail)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(Trace.Status.INFO,
                                "GET " + issuer.url() + "/.well-known/openid-configuration -> HTTP 404"),
                        org.assertj.core.groups.Tuple.tuple(Trace.Status.PASS,
                                "GET " + origin(issuer) + "/.well-known/oauth-authorization-server/vo -> HTTP 200"));

        issuer.mode(TestIssuer.Mode.SERVER_ERROR);
        Trace.Recorder failed = Trace.recorder();
        assertThatThrownBy(() -> verifier(issuer).verify(token(issuer, K1), failed))
                .isInstanceOf(TokenException.class);
        assertThat(failed.steps()).anySatisfy(step -> {
            assertThat(step.check()).isEqualTo("discovery");
            assertThat(step.detail()).contains("HTTP 500");
        });
        // the failure is reported once, as a discovery step, not again for the key
        assertThat(failed.steps()).filteredOn(step -> step.status() == Trace.Status.FAIL)
                .singleElement().satisfies(step -> {
                    assertThat(step.check()).isEqualTo("discovery");
                    assertThat(step.detail()).contains("cannot fetch the keys of issuer");
                });
    }

    /** A tiny HTTP(S) server answering fixed bodies per path, counting requests. */
    static final class MiniServer implements AutoCloseable {
        private final HttpServer server;
        private final String scheme;
        private final Map<String, String[]> routes = new ConcurrentHashMap<>();
        private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();

        private MiniServer(HttpServer server, String scheme) {
            this.server = server;
            this.scheme = scheme;
            server.createContext("/", this::handle);
            server.start();
        }

        static MiniServer https(TestCa ca) throws IOException {
            HttpsServer server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
            server.setHttpsConfigurator(new HttpsConfigurator(ca.serverContext()));
            return new MiniServer(server, "https");
        }

        static MiniServer http() throws IOException {
            return new MiniServer(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16), "http");
        }

        String url() {
            return scheme + "://localhost:" + server.getAddress().getPort();
        }

        void route(String path, int status, String body) {
            routes.put(path, new String[] {Integer.toString(status), body});
        }

        void redirect(String path, String location) {
            routes.put(path, new String[] {"302", "", location});
        }

        int hits(String path) {
            AtomicInteger n = hits.get(path);
            return n == null ? 0 : n.get();
        }

        private void handle(HttpExchange exchange) throws IOException {
            String path = exchange.getRequestURI().getPath();
            hits.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
            String[] route = routes.getOrDefault(path, new String[] {"404", "{}"});
            byte[] bytes = route[1].getBytes(StandardCharsets.UTF_8);
            if (route.length > 2) {
                exchange.getResponseHeaders().set("Location", route[2]);
            }
            exchange.sendResponseHeaders(Integer.parseInt(route[0]), bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
