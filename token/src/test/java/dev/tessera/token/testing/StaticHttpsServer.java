package dev.tessera.token.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A plain static file server over HTTPS on loopback, as a site would publish a "simple issuer" made by
 * {@code tessera keygen --issuer}: {@code https://localhost:PORT/<prefix>/...} serves {@code dir/...}.
 * Counts requests per path.
 */
public final class StaticHttpsServer implements AutoCloseable {
    static {
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final HttpsServer server;
    private final String prefix;
    private final Path root;
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();

    private StaticHttpsServer(TestCa ca, String prefix, Path root) throws IOException {
        this.prefix = prefix;
        this.root = root.toAbsolutePath().normalize();
        server = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 32);
        server.setHttpsConfigurator(new HttpsConfigurator(ca.serverContext()));
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "static-https");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    /** Serves {@code root} under the URL path {@code prefix} ({@code ""} or e.g. {@code "/vo"}). */
    public static StaticHttpsServer serve(TestCa ca, String prefix, Path root) {
        try {
            return new StaticHttpsServer(ca, prefix, root);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code https://localhost:PORT} + prefix: the issuer URL when the root holds a simple issuer. */
    public String url() {
        return "https://localhost:" + server.getAddress().getPort() + prefix;
    }

    public int hits(String path) {
        AtomicInteger n = hits.get(path);
        return n == null ? 0 : n.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        hits.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
        Path file = null;
        if (path.startsWith(prefix + "/")) {
            Path candidate = root.resolve(path.substring(prefix.length() + 1)).normalize();
            if (candidate.startsWith(root) && Files.isRegularFile(candidate)) {
                file = candidate;
            }
        }
        byte[] body = file == null ? "not found\n".getBytes() : Files.readAllBytes(file);
        exchange.getResponseHeaders().set("Content-Type", file == null ? "text/plain" : "application/json");
        exchange.sendResponseHeaders(file == null ? 404 : 200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        ((ExecutorService) server.getExecutor()).shutdownNow();
    }
}
