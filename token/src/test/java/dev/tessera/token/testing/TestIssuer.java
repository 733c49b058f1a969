package dev.tessera.token.testing;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.tessera.token.keys.SigningKey;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An in-process HTTPS token issuer for tests: OIDC discovery (and optionally only the RFC 8414 form)
 * plus a JWKS, served on loopback with a {@link TestCa} certificate, counting every request.
 * Behaviour can be switched while it runs: answer 404 or 500, answer slowly, rotate keys.
 */
public final class TestIssuer implements AutoCloseable {
    static {
        System.setProperty("sun.net.httpserver.nodelay", "true"); // JDK 17: avoid the 40 ms delayed-ACK stall
    }

    /** How the issuer answers. */
    public enum Mode { NORMAL, NOT_FOUND, SERVER_ERROR }

    private final HttpsServer server;
    private final String path;
    private final TestCa ca;
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    private volatile List<JWK> keys = List.of();
    private volatile Mode mode = Mode.NORMAL;
    private volatile Duration delay = Duration.ZERO;
    private volatile boolean rfc8414Only;

    private TestIssuer(TestCa ca, String path) throws IOException {
        this.ca = ca;
        this.path = path;
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.setHttpsConfigurator(new HttpsConfigurator(ca.serverContext()));
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "test-issuer");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    /** Starts an issuer at {@code https://localhost:PORT} + {@code path} ({@code ""} or e.g. {@code "/vo"}). */
    public static TestIssuer start(TestCa ca, String path, SigningKey... keys) {
        try {
            TestIssuer issuer = new TestIssuer(ca, path);
            issuer.publish(keys);
            return issuer;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The issuer URL, the {@code iss} of its tokens. */
    public String url() {
        return "https://localhost:" + server.getAddress().getPort() + path;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public TestCa ca() {
        return ca;
    }

    /** Publishes exactly these keys. */
    public void publish(SigningKey... signingKeys) {
        List<JWK> jwks = new ArrayList<>();
        for (SigningKey key : signingKeys) {
            jwks.add(key.toPublicJwk());
        }
        this.keys = List.copyOf(jwks);
    }

    /** Publishes exactly these JWKs (which may be unusable ones, for tests). */
    public void publishJwks(List<JWK> jwks) {
        this.keys = List.copyOf(jwks);
    }

    public void mode(Mode mode) {
        this.mode = mode;
    }

    /** Answers every request after this delay. */
    public void delay(Duration delay) {
        this.delay = delay;
    }

    /** Serves metadata only at the RFC 8414 location, not at the OIDC one. */
    public void rfc8414Only(boolean only) {
        this.rfc8414Only = only;
    }

    /** How many requests reached {@code requestPath} (e.g. {@code "/jwks.json"}). */
    public int hits(String requestPath) {
        AtomicInteger n = hits.get(requestPath);
        return n == null ? 0 : n.get();
    }

    /** How many JWKS documents were served. */
    public int jwksFetches() {
        return hits(path + "/jwks.json");
    }

    public String oidcPath() {
        return path + "/.well-known/openid-configuration";
    }

    public String rfc8414Path() {
        return "/.well-known/oauth-authorization-server" + path;
    }

    private void handle(HttpExchange exchange) throws IOException {
        String requestPath = exchange.getRequestURI().getPath();
        hits.computeIfAbsent(requestPath, p -> new AtomicInteger()).incrementAndGet();
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (mode == Mode.SERVER_ERROR) {
            respond(exchange, 500, "{\"error\":\"down\"}");
            return;
        }
        boolean metadata = requestPath.equals(rfc8414Path()) || !rfc8414Only && requestPath.equals(oidcPath());
        if (mode == Mode.NORMAL && metadata) {
            respond(exchange, 200, "{\"issuer\":\"" + url() + "\",\"jwks_uri\":\"" + url() + "/jwks.json\"}");
        } else if (mode == Mode.NORMAL && requestPath.equals(path + "/jwks.json")) {
            respond(exchange, 200, new JWKSet(keys).toString(true));
        } else {
            respond(exchange, 404, "{\"error\":\"not found\"}");
        }
    }

    private static void respond(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
