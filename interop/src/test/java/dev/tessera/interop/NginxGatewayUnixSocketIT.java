package dev.tessera.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.gateway.GatewayConfig;
import dev.tessera.gateway.GatewayServer;
import dev.tessera.token.TokenBuilder;
import dev.tessera.token.discovery.TrustMaterial;
import dev.tessera.token.keys.Algorithm;
import dev.tessera.token.keys.SigningKey;
import dev.tessera.token.testing.TestCa;
import dev.tessera.token.testing.TestIssuer;
import dev.tessera.web.HttpServer;
import dev.tessera.web.TrustedIssuer;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same-host form of the documented nginx configuration: the gateway answers on a Unix socket
 * ({@code --unix-socket}) and nginx reaches it with plain HTTP, as docs/gateway.md describes.
 */
class NginxGatewayUnixSocketIT {
    private static final String AUDIENCE = "https://data.example.org";

    @TempDir
    static Path work;
    private static SigningKey key;
    private static TestIssuer issuer;
    private static HttpServer gateway;
    private static com.sun.net.httpserver.HttpServer backend;
    private static Nginx nginx;
    private static HttpClient client;
    private static final AtomicInteger backendCalls = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        Peers.require("nginx");
        TestCa ca = Peers.trustedCa();
        key = SigningKey.generate(Algorithm.ES256, "unix-it");
        issuer = TestIssuer.start(ca, "", key);
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x")); // nginx workers: nobody
        Path socket = work.resolve("gateway.sock");
        gateway = GatewayServer.start(new GatewayConfig(work.resolve("gateway"), "127.0.0.1", 0, null, null, socket,
                List.of(Peers.CA_PEM), List.of(AUDIENCE), List.of(TrustedIssuer.parse(issuer.url())), "/files",
                null, null, null, null, false, null));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-rw----");
        // the test's nginx workers run as nobody, outside the gateway's group: open the socket to them here
        Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));

        backend = com.sun.net.httpserver.HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        backend.createContext("/", exchange -> {
            backendCalls.incrementAndGet();
            byte[] body = ("user=" + exchange.getRequestHeaders().getFirst("X-Auth-Request-User") + "\n")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        backend.start();

        Path nginxDir = Files.createDirectories(work.resolve("nginx"));
        Files.setPosixFilePermissions(nginxDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        ca.writeServerPem(nginxDir);
        Map<String, String> values = new LinkedHashMap<>();
        values.put("SERVER_NAME", "localhost");
        values.put("SSL_CERT", nginxDir.resolve("server.pem").toString());
        values.put("SSL_KEY", nginxDir.resolve("server.key").toString());
        values.put("GATEWAY", "unix:" + socket);
        values.put("GATEWAY_SCHEME", "http");
        values.put("GATEWAY_CERT", work.resolve("gateway/tls/server.pem").toString()); // unused over the socket
        values.put("BACKEND", "127.0.0.1:" + backend.getAddress().getPort());
        nginx = Nginx.start(nginxDir, values);
        client = HttpClient.newBuilder().sslContext(TrustMaterial.sslContext(List.of(Peers.CA_PEM))).build();
    }

    @AfterAll
    static void stop() throws Exception {
        if (nginx != null) {
            nginx.close();
        }
        if (backend != null) {
            backend.stop(0);
        }
        if (gateway != null) {
            gateway.close();
        }
        if (issuer != null) {
            issuer.close();
        }
    }

    private static HttpResponse<String> get(String path, String scope) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("https://localhost:" + nginx.port() + path));
        if (scope != null) {
            request.header("Authorization", "Bearer " + TokenBuilder.forKey(key).issuer(issuer.url()).subject("alice")
                    .audience(AUDIENCE).scope(scope).sign());
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void decisionsOverTheSocketAllowDenyAndChallenge() throws Exception {
        HttpResponse<String> allowed = get("/files/public/a.txt", "read:/public");
        assertThat(allowed.statusCode()).isEqualTo(200);
        assertThat(allowed.body()).isEqualTo("user=alice\n");
        int before = backendCalls.get();
        assertThat(get("/files/publicity/a.txt", "read:/public").statusCode()).isEqualTo(403);
        HttpResponse<String> none = get("/files/public/a.txt", null);
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().allValues("WWW-Authenticate")).containsExactly("Bearer realm=\"tessera\"");
        assertThat(backendCalls.get()).as("refused requests never reach the backend").isEqualTo(before);
    }
}
