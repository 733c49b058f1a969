package dev.tessera.storage;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
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
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.slf4j.LoggerFactory;

/**
 * What the storage tests share: one test CA, in-process HTTPS issuers publishing ES256 keys, a real
 * storage server on loopback, HTTP clients trusting its self-signed certificate, and a raw HTTP/1.1
 * client for what {@link HttpClient} will not send (short bodies, disconnects, odd request targets).
 */
final class StorageFixture {
    static final String AUDIENCE = "https://storage.tessera.test";
    static final TestCa CA = TestCa.create("storage tests");

    static {
        // Jetty at DEBUG would flood the test output; the access log stays at INFO
        ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).setLevel(Level.WARN);
        ((Logger) LoggerFactory.getLogger("tessera.access")).setLevel(Level.INFO);
    }

    private StorageFixture() {
    }

    /** An issuer on loopback with its ES256 signing key. */
    record Issuer(TestIssuer server, SigningKey key) implements AutoCloseable {
        static Issuer start(String path) {
            SigningKey key = SigningKey.generate(Algorithm.ES256, "k-" + Long.toHexString(System.nanoTime()));
            return new Issuer(TestIssuer.start(CA, path, key), key);
        }

        String url() {
            return server.url();
        }

        /** A builder with issuer, subject {@code alice} and the storage audience set. */
        TokenBuilder builder() {
            return TokenBuilder.forKey(key).issuer(url()).subject("alice").audience(AUDIENCE);
        }

        /** A SciTokens 2.0 token. */
        String scitoken(String scope) {
            return builder().scope(scope).sign();
        }

        /** A WLCG 1.0 token. */
        String wlcg(String scope) {
            return builder().profile(Profile.WLCG_1).scope(scope).sign();
        }

        @Override
        public void close() {
            server.close();
        }
    }

    /** A storage server with its root and data directories. */
    record Storage(HttpServer server, Path root, Path data, SSLContext ssl, HttpClient http1, HttpClient http2)
            implements AutoCloseable {
        String url() {
            return server.url();
        }

        Path staging() {
            return root.resolve(".tessera-staging");
        }

        Client client() {
            return new Client(url(), http1);
        }

        Client client(HttpClient.Version version) {
            return new Client(url(), version == HttpClient.Version.HTTP_2 ? http2 : http1);
        }

        Raw raw() {
            return new Raw(ssl, server.port());
        }

        @Override
        public void close() {
            server.close();
        }
    }

    /** Starts the real service on a free loopback port. */
    static Storage start(Path dir, List<String> audiences, List<TrustedIssuer> issuers) throws IOException {
        Path root = Files.createDirectories(dir.resolve("root"));
        Path data = Files.createDirectories(dir.resolve("data"));
        Path caPem = CA.writeCaPem(dir.resolve("ca.pem"));
        HttpServer server = StorageServer.start(new StorageConfig(root, data, "localhost", 0, null, null,
                List.of(caPem), audiences, issuers));
        return wrap(server, root, data);
    }

    /** Clients for a server whose self-signed identity is in {@code data/tls}. */
    static Storage wrap(HttpServer server, Path root, Path data) throws IOException {
        SSLContext ssl = TrustMaterial.sslContext(List.of(data.resolve("tls/server.pem")));
        HttpClient http1 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).sslContext(ssl)
                .connectTimeout(Duration.ofSeconds(10)).build();
        HttpClient http2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).sslContext(ssl)
                .connectTimeout(Duration.ofSeconds(10)).build();
        return new Storage(server, root, data, ssl, http1, http2);
    }

    /** Requests through {@link HttpClient}; paths are given already percent-encoded. */
    record Client(String base, HttpClient http) {
        HttpResponse<byte[]> send(String method, String path, String token, byte[] body, String... headers) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                    .timeout(Duration.ofSeconds(60))
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(body));
            if (token != null) {
                request.header("Authorization", "Bearer " + token);
            }
            for (int i = 0; i < headers.length; i += 2) {
                request.header(headers[i], headers[i + 1]);
            }
            try {
                try {
                    return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
                } catch (IOException e) {
                    // a pooled connection the server closed after refusing an upload whose body it did not
                    // read (see StorageHttpTest.aRefusedUploadLeavesTheConnectionUsableOrSaysClose): once more
                    if (String.valueOf(e.getMessage()).contains("received no bytes")) {
                        return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
                    }
                    throw e;
                }
            } catch (IOException e) {
                throw new UncheckedIOException(method + " " + path + ": " + e, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        HttpResponse<byte[]> get(String path, String token, String... headers) {
            return send("GET", path, token, null, headers);
        }

        HttpResponse<byte[]> put(String path, String token, byte[] body, String... headers) {
            return send("PUT", path, token, body, headers);
        }

        HttpResponse<byte[]> put(String path, String token, String body, String... headers) {
            return put(path, token, body.getBytes(StandardCharsets.UTF_8), headers);
        }

        HttpResponse<byte[]> propfind(String path, String token, String depth) {
            return send("PROPFIND", path, token, null, "Depth", depth);
        }
    }

    static String text(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    /** A response read off a raw connection. */
    record RawResponse(int status, Map<String, List<String>> headers, byte[] body) {
        String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null ? null : values.get(0);
        }

        String text() {
            return new String(body, StandardCharsets.ISO_8859_1);
        }
    }

    /** HTTP/1.1 over TLS by hand, one request per connection. */
    record Raw(SSLContext ssl, int port) {
        SSLSocket open() throws IOException {
            SSLSocket socket = (SSLSocket) ssl.getSocketFactory().createSocket("localhost", port);
            socket.setSoTimeout(60_000);
            socket.startHandshake();
            return socket;
        }

        /** Sends the head (request line and headers, CRLF-separated, without the blank line) and a body. */
        RawResponse exchange(String head, byte[] body) throws IOException {
            try (SSLSocket socket = open()) {
                OutputStream out = socket.getOutputStream();
                out.write((head + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.UTF_8));
                if (body != null) {
                    out.write(body);
                }
                out.flush();
                return read(socket.getInputStream());
            }
        }

        /** A request with a bearer token and no body. */
        RawResponse request(String method, String target, String token, String... headers) throws IOException {
            StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: localhost:")
                    .append(port);
            if (token != null) {
                head.append("\r\nAuthorization: Bearer ").append(token);
            }
            for (int i = 0; i < headers.length; i += 2) {
                head.append("\r\n").append(headers[i]).append(": ").append(headers[i + 1]);
            }
            return exchange(head.toString(), null);
        }

        static RawResponse read(InputStream in) throws IOException {
            byte[] all = in.readAllBytes();
            int end = indexOf(all, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            if (end < 0) {
                throw new IOException("no complete response head in " + all.length + " bytes");
            }
            String[] lines = new String(all, 0, end, StandardCharsets.ISO_8859_1).split("\r\n");
            int status = Integer.parseInt(lines[0].split(" ")[1]);
            Map<String, List<String>> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.computeIfAbsent(lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
                        .add(lines[i].substring(colon + 1).strip());
            }
            return new RawResponse(status, headers, Arrays.copyOfRange(all, end + 4, all.length));
        }

        private static int indexOf(byte[] haystack, byte[] needle) {
            outer:
            for (int i = 0; i + needle.length <= haystack.length; i++) {
                for (int j = 0; j < needle.length; j++) {
                    if (haystack[i + j] != needle[j]) {
                        continue outer;
                    }
                }
                return i;
            }
            return -1;
        }
    }

    /** {@code Authorization: Basic} of user and password. */
    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** Content that proves itself whole: the first 32 bytes are the SHA-256 of the rest. */
    static byte[] selfChecking(Random random, int payload) {
        byte[] rest = new byte[payload];
        random.nextBytes(rest);
        byte[] out = new byte[32 + payload];
        System.arraycopy(sha256(rest), 0, out, 0, 32);
        System.arraycopy(rest, 0, out, 32, payload);
        return out;
    }

    static boolean isWhole(byte[] content) {
        return content.length >= 32 && Arrays.equals(Arrays.copyOf(content, 32),
                sha256(Arrays.copyOfRange(content, 32, content.length)));
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits until {@code condition} holds, giving up (false) at the deadline; not a timing assertion. */
    static boolean eventually(Duration limit, BooleanSupplier condition) throws InterruptedException {
        Instant deadline = Instant.now().plus(limit);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    /** The names in a directory (empty when it is missing). */
    static List<String> names(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> list = Files.list(dir)) {
            return list.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes a tree without following links. */
    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    static Path write(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.writeString(file, content);
    }
}
