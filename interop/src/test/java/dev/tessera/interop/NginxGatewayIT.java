package dev.tessera.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import dev.tessera.gateway.GatewayConfig;
import dev.tessera.gateway.GatewayServer;
import dev.tessera.token.Profile;
import dev.tessera.token.TokenBuilder;
import dev.tessera.token.discovery.TrustMaterial;
import dev.tessera.token.keys.Algorithm;
import dev.tessera.token.keys.SigningKey;
import dev.tessera.token.testing.TestCa;
import dev.tessera.token.testing.TestIssuer;
import dev.tessera.web.HttpServer;
import dev.tessera.web.TrustedIssuer;
import java.io.IOException;
import java.io.InputStream;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The documented nginx configuration ({@code nginx/tessera-gateway.conf}, the text of docs/gateway.md)
 * on Debian's real nginx, in front of a small echoing backend, with the real gateway deciding every
 * request over HTTPS and an in-process issuer whose CA the system trusts. All on loopback.
 */
class NginxGatewayIT {
    private static final String AUDIENCE = "https://data.example.org";
    /** The values docs/gateway.md shows for the template's placeholders. */
    private static final Map<String, String> DOC_VALUES = Map.of(
            "LISTEN", "443",
            "SERVER_NAME", "data.example.org",
            "SSL_CERT", "/etc/ssl/certs/data.example.org.pem",
            "SSL_KEY", "/etc/ssl/private/data.example.org.key",
            "GATEWAY", "127.0.0.1:8445",
            "GATEWAY_SCHEME", "https",
            "GATEWAY_CERT", "/var/lib/tessera/gateway/tls/server.pem",
            "BACKEND", "127.0.0.1:8080");

    @TempDir
    static Path work;

    private static SigningKey key;
    private static TestIssuer issuer;
    private static HttpServer gateway;
    private static com.sun.net.httpserver.HttpServer backend;
    private static Path nginxDir;
    private static Nginx nginx;
    private static int nginxPort;
    private static HttpClient client;

    /** What the backend received. */
    record Call(String method, String uri, Map<String, List<String>> headers, String body) {
        String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null ? null : String.join(",", values);
        }
    }

    private static final List<Call> calls = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        Peers.require("nginx", "curl");
        TestCa ca = Peers.trustedCa();
        key = SigningKey.generate(Algorithm.ES256, "nginx-it");
        issuer = TestIssuer.start(ca, "", key);

        // the gateway as documented: self-signed identity in its data directory, prefix /files
        Path data = work.resolve("gateway");
        gateway = GatewayServer.start(new GatewayConfig(data, "127.0.0.1", 0, null, null, null, List.of(Peers.CA_PEM),
                List.of(AUDIENCE), List.of(TrustedIssuer.parse(issuer.url())), "/files", null, null, null, null,
                false, null));

        backend = com.sun.net.httpserver.HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        backend.createContext("/", NginxGatewayIT::echo);
        backend.setExecutor(Executors.newFixedThreadPool(4));
        backend.start();

        nginxDir = work.resolve("nginx");
        Files.createDirectories(nginxDir.resolve("temp"));
        // nginx's workers run as nobody: let them into their directory (the TLS files are read by the master)
        Files.setPosixFilePermissions(work, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(nginxDir, PosixFilePermissions.fromString("rwxr-xr-x"));
        ca.writeServerPem(nginxDir);
        startNginx(data.resolve("tls/server.pem"));

        client = HttpClient.newBuilder().sslContext(TrustMaterial.sslContext(List.of(Peers.CA_PEM)))
                .connectTimeout(Duration.ofSeconds(10)).build();
    }

    private static void startNginx(Path gatewayCert) throws Exception {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("SERVER_NAME", "localhost");
        values.put("SSL_CERT", nginxDir.resolve("server.pem").toString());
        values.put("SSL_KEY", nginxDir.resolve("server.key").toString());
        values.put("GATEWAY", "127.0.0.1:" + gateway.port());
        values.put("GATEWAY_SCHEME", "https");
        values.put("GATEWAY_CERT", gatewayCert.toString());
        values.put("BACKEND", "127.0.0.1:" + backend.getAddress().getPort());
        nginx = Nginx.start(nginxDir, values);
        nginxPort = nginx.port();
    }

    @AfterAll
    static void stop() throws Exception {
        if (nginx != null) {
            nginx.close();
            System.out.print(nginx.complaints()); // a denied request logs an error: shown in the test report
        }
        if (backend != null) {
            backend.stop(0);
            ((java.util.concurrent.ExecutorService) backend.getExecutor()).shutdownNow();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (issuer != null) {
            issuer.close();
        }
    }

    @BeforeEach
    void forget() {
        calls.clear();
    }

    // ---- the backend: echoes the request headers it received, one "name: value" per line ----

    private static void echo(HttpExchange exchange) throws IOException {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readAllBytes();
        }
        Map<String, List<String>> headers = new TreeMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT),
                List.copyOf(values)));
        calls.add(new Call(exchange.getRequestMethod(), exchange.getRequestURI().toString(), headers,
                new String(body, StandardCharsets.UTF_8)));
        StringBuilder out = new StringBuilder();
        headers.forEach((name, values) -> values.forEach(value -> out.append(name).append(": ").append(value)
                .append('\n')));
        byte[] response = out.toString().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(200, response.length);
        try (OutputStream os = exchange.getResponseBody()) {
            os.write(response);
        }
    }

    // ---- helpers ----





    private static TokenBuilder token(String scope) {
        return TokenBuilder.forKey(key).issuer(issuer.url()).subject("alice").audience(AUDIENCE).scope(scope);
    }

    private static String url(String pathAndQuery) {
        return "https://127.0.0.1:" + nginxPort + pathAndQuery;
    }

    private static HttpResponse<String> send(String method, String pathAndQuery, String body, String... headers)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(pathAndQuery)))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String pathAndQuery, String token) throws Exception {
        return send("GET", pathAndQuery, null, "Authorization", "Bearer " + token);
    }

    /** curl's view: status line and headers of a request through nginx ({@code --path-as-is}: no client-side cleanup). */
    private static String curl(String pathAndQuery, String... extra) {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "-i", "--path-as-is", "--max-time", "30"));
        command.addAll(List.of(extra));
        command.add(url(pathAndQuery));
        Peers.Result result = Peers.run(Map.of(), command.toArray(new String[0]));
        assertThat(result.exit()).as("curl: %s", result.output()).isZero();
        return result.stdout();
    }

    private static int curlStatus(String curlOutput) {
        return Integer.parseInt(curlOutput.lines().findFirst().orElseThrow().split(" ")[1]);
    }

    /** Our side's ports of every TCP socket (any state, TIME_WAIT included) connected to {@code serverPort}. */
    private static Set<Integer> clientPortsTo(int serverPort) throws IOException {
        Set<Integer> ports = new HashSet<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            List<String> lines = Files.readAllLines(Path.of(table));
            for (String line : lines.subList(1, lines.size())) {
                String[] columns = line.trim().split("\\s+");
                int local = Integer.parseInt(columns[1].substring(columns[1].lastIndexOf(':') + 1), 16);
                int remote = Integer.parseInt(columns[2].substring(columns[2].lastIndexOf(':') + 1), 16);
                if (remote == serverPort) {
                    ports.add(local);
                }
            }
        }
        return ports;
    }

    // ================================================================================================

    @Test
    void anAllowedRequestReachesTheBackendWithTheIdentity() throws Exception {
        String token = TokenBuilder.forKey(key).profile(Profile.WLCG_1).issuer(issuer.url()).subject("alice")
                .audience(AUDIENCE).scope("read:/public").group("/cms").group("/cms/uscms")
                .claim("email", "alice@example.org").claim("uidNumber", 1001).sign();
        HttpResponse<String> response = get("/files/public/a.txt?x=1", token);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(calls).hasSize(1);
        Call call = calls.get(0);
        assertThat(call.method()).isEqualTo("GET");
        assertThat(call.uri()).isEqualTo("/files/public/a.txt?x=1");
        assertThat(call.header("X-Auth-Request-User")).isEqualTo("alice");
        assertThat(call.header("X-Auth-Request-Email")).isEqualTo("alice@example.org");
        assertThat(call.header("X-Auth-Request-Uid")).isEqualTo("1001");
        assertThat(call.header("X-Auth-Request-Groups")).isEqualTo("/cms,/cms/uscms");
        assertThat(call.header("X-Auth-Request-Scopes")).isEqualTo("read:/public");
        assertThat(call.header("X-Auth-Request-Issuer")).isEqualTo(issuer.url());
        assertThat(call.header("X-Auth-Request-Token")).as("no pass_token: no token header").isNull();
        // the client's own request is otherwise passed on as it was
        assertThat(call.header("Authorization")).isEqualTo("Bearer " + token);
        assertThat(call.header("Host")).isEqualTo("127.0.0.1");
        // and the client sees the backend's answer, without the gateway's headers
        assertThat(response.body()).contains("x-auth-request-user: alice\n");
        assertThat(response.headers().map().keySet()).noneMatch(name -> name.startsWith("x-auth-request"))
                .doesNotContain("www-authenticate");
    }

    @Test
    void identityHeadersFromTheClientNeverReachTheBackend() throws Exception {
        String token = token("read:/public").sign(); // no email, uid or groups
        HttpResponse<String> response = send("GET", "/files/public/a.txt", null, "Authorization", "Bearer " + token,
                "X-Auth-Request-User", "root", "X-Auth-Request-Email", "root@example.org",
                "X-Auth-Request-Uid", "0", "X-Auth-Request-Groups", "admins",
                "X-Auth-Request-Scopes", "write:/", "X-Auth-Request-Issuer", "https://evil.example.org",
                "X-Auth-Request-Token", "forged");
        assertThat(response.statusCode()).isEqualTo(200);
        Call call = calls.get(0);
        assertThat(call.header("X-Auth-Request-User")).isEqualTo("alice");
        assertThat(call.header("X-Auth-Request-Scopes")).isEqualTo("read:/public");
        assertThat(call.header("X-Auth-Request-Issuer")).isEqualTo(issuer.url());
        for (String absent : List.of("X-Auth-Request-Email", "X-Auth-Request-Uid", "X-Auth-Request-Groups",
                "X-Auth-Request-Token")) {
            assertThat(call.header(absent)).as(absent).isNull();
        }
    }

    @Test
    void noTokenIs401WithTheGatewaysChallenge() throws Exception {
        HttpResponse<String> response = send("GET", "/files/public/a.txt", null);
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(response.headers().allValues("www-authenticate")).containsExactly("Bearer realm=\"tessera\"");
        String viaCurl = curl("/files/public/a.txt", "--http1.1");
        assertThat(curlStatus(viaCurl)).isEqualTo(401);
        assertThat(viaCurl.lines().filter(line -> line.toLowerCase(Locale.ROOT).startsWith("www-authenticate:")))
                .containsExactly("WWW-Authenticate: Bearer realm=\"tessera\"");
        assertThat(send("GET", "/tap/sync", null).statusCode()).isEqualTo(401);
        assertThat(calls).as("the backend is never called").isEmpty();
    }

    @Test
    void anInvalidTokenIs401InvalidToken() throws Exception {
        String otherAudience = TokenBuilder.forKey(key).issuer(issuer.url()).subject("alice")
                .audience("https://elsewhere.example.org").scope("read:/public").sign();
        for (String bad : List.of("junk.junk.junk", otherAudience)) {
            HttpResponse<String> response = get("/files/public/a.txt", bad);
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(response.headers().allValues("www-authenticate")).hasSize(1).first().asString()
                    .startsWith("Bearer realm=\"tessera\", error=\"invalid_token\"");
        }
        assertThat(calls).isEmpty();
    }

    @Test
    void insufficientScopeIs403WithTheNeededScopeAndTheBackendIsNeverCalled() throws Exception {
        String reader = token("read:/public").sign();
        HttpResponse<String> put = send("PUT", "/files/public/a.txt", "new content", "Authorization",
                "Bearer " + reader);
        assertThat(put.statusCode()).isEqualTo(403);
        assertThat(put.headers().allValues("www-authenticate")).containsExactly(
                "Bearer realm=\"tessera\", error=\"insufficient_scope\", "
                        + "error_description=\"the token does not allow this\", scope=\"write:/public/a.txt\"");
        HttpResponse<String> secret = get("/files/secret/a.txt", reader);
        assertThat(secret.statusCode()).isEqualTo(403);
        assertThat(secret.headers().allValues("www-authenticate")).hasSize(1).first().asString()
                .contains("scope=\"read:/secret/a.txt\"");
        HttpResponse<String> tap = get("/tap/sync", reader);
        assertThat(tap.statusCode()).isEqualTo(403);
        assertThat(tap.headers().allValues("www-authenticate")).hasSize(1).first().asString()
                .contains("error=\"insufficient_scope\"").contains("scope=\"read:tap\"");
        assertThat(calls).as("the backend is never called").isEmpty();
    }

    @Test
    void aSiblingPrefixIsDenied() throws Exception {
        String reader = token("read:/public").sign();
        for (String path : List.of("/files/publicity/a.txt", "/files/publicity", "/files/public2/a", "/files/")) {
            HttpResponse<String> response = get(path, reader);
            assertThat(response.statusCode()).as(path).isEqualTo(403);
        }
        assertThat(get("/files/public/a.txt", reader).statusCode()).isEqualTo(200);
        assertThat(calls).extracting(Call::uri).containsExactly("/files/public/a.txt");
    }

    @Test
    void aNamedCapabilityLocation() throws Exception {
        String tap = token("read:tap").sign();
        HttpResponse<String> response = get("/tap/sync?query=x", tap);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(calls).hasSize(1);
        assertThat(calls.get(0).header("X-Auth-Request-Scopes")).isEqualTo("read:tap");
        // read:tap grants no file path
        assertThat(get("/files/tap", tap).statusCode()).isEqualTo(403);
        assertThat(calls).hasSize(1);
    }

    @Test
    void aWriteCarriesItsBodyToTheBackendButNotToTheGateway() throws Exception {
        String writer = token("write:/user/alice").sign();
        String body = "x".repeat(100_000);
        HttpResponse<String> response = send("PUT", "/files/user/alice/data.bin", body, "Authorization",
                "Bearer " + writer);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(calls).hasSize(1);
        assertThat(calls.get(0).method()).isEqualTo("PUT");
        assertThat(calls.get(0).body()).isEqualTo(body);
        assertThat(send("DELETE", "/files/user/alice/data.bin", null, "Authorization", "Bearer " + writer)
                .statusCode()).isEqualTo(200);
        assertThat(send("DELETE", "/files/user/bob/data.bin", null, "Authorization", "Bearer " + writer)
                .statusCode()).isEqualTo(403);
        assertThat(calls).hasSize(2);
    }

    @Test
    void theOtherTokenCarriers() throws Exception {
        String token = token("read:/public").sign();
        String basic = Base64.getEncoder().encodeToString((token + ":x-oauth-basic").getBytes(StandardCharsets.UTF_8));
        assertThat(send("GET", "/files/public/a", null, "Authorization", "Basic " + basic).statusCode()).isEqualTo(200);
        String basicPassword = Base64.getEncoder().encodeToString(("x-oauth-basic:" + token)
                .getBytes(StandardCharsets.UTF_8));
        assertThat(send("GET", "/files/public/b", null, "Authorization", "Basic " + basicPassword).statusCode())
                .isEqualTo(200);
        assertThat(send("GET", "/files/public/c?authz=Bearer%20" + token, null).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/files/secret/c?authz=Bearer%20" + token, null).statusCode()).isEqualTo(403);
        assertThat(calls).extracting(Call::uri).startsWith("/files/public/a", "/files/public/b").hasSize(3);
    }

    @Test
    void traversalAndOddPathsAreDenied() throws Exception {
        String reader = token("read:/public").sign();
        String auth = "Authorization: Bearer " + reader;
        // nginx resolves these for its location; the gateway checks the client's raw URI, resolved alike
        assertThat(curlStatus(curl("/files/public/../secret/x", "-H", auth))).isEqualTo(403);
        assertThat(curlStatus(curl("/files/public/%2e%2e/secret/x", "-H", auth))).isEqualTo(403);
        assertThat(curlStatus(curl("/files/public%2F..%2Fsecret/x", "-H", auth))).isEqualTo(403);
        // out of /files/: nginx's own answers
        assertThat(curlStatus(curl("/files/../public/x", "-H", auth))).isEqualTo(404);
        assertThat(curlStatus(curl("/files/public/../../../x", "-H", auth))).isEqualTo(400);
        // a raw URI outside the gateway's prefix (here //files/...): the gateway's 400 is nginx's 500
        assertThat(curlStatus(curl("//files/public/x", "-H", auth))).isEqualTo(500);
        assertThat(calls).as("the backend is never called").isEmpty();
        // the same token still works on its path
        assertThat(curlStatus(curl("/files/public/./x/../y", "-H", auth))).isEqualTo(200);
        assertThat(calls).hasSize(1);
    }

    @Test
    void decisionsAndRequestsReuseConnections() throws Exception {
        String token = token("read:/public").sign();
        assertThat(get("/files/public/warm", token).statusCode()).isEqualTo(200);
        Set<Integer> toGateway = clientPortsTo(gateway.port());
        Set<Integer> toBackend = clientPortsTo(backend.getAddress().getPort());
        for (int i = 0; i < 10; i++) {
            assertThat(get("/files/public/" + i, token).statusCode()).isEqualTo(200);
        }
        Set<Integer> newToGateway = clientPortsTo(gateway.port());
        newToGateway.removeAll(toGateway);
        Set<Integer> newToBackend = clientPortsTo(backend.getAddress().getPort());
        newToBackend.removeAll(toBackend);
        assertThat(newToGateway).as("new connections to the gateway for 10 decisions").hasSizeLessThanOrEqualTo(1);
        assertThat(newToBackend).as("new connections to the backend for 10 requests").hasSizeLessThanOrEqualTo(1);
    }

    @Test
    void theDocumentedConfigurationIsTheTestedOne() throws Exception {
        Path doc = Path.of(System.getProperty("basedir", ".")).resolve("../docs/gateway.md").normalize();
        assertThat(doc).exists();
        assertThat(Files.readString(doc)).as("docs/gateway.md shows %s with its example values", Nginx.TEMPLATE)
                .contains(Nginx.render(Nginx.resource(Nginx.TEMPLATE), DOC_VALUES));
    }
}
