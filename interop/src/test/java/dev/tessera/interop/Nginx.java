package dev.tessera.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real nginx (Debian's) running the documented gateway configuration ({@code nginx/tessera-gateway.conf})
 * inside the test-only main configuration ({@code nginx/test-main.conf}), everything it writes in one
 * directory; stopped with {@code nginx -s quit} on its own configuration, then by its process handle.
 */
final class Nginx implements AutoCloseable {
    static final String TEMPLATE = "/nginx/tessera-gateway.conf";
    private static final String MAIN = "/nginx/test-main.conf";

    private final Path dir;
    private final Path conf;
    private final Process process;
    private final int port;

    private Nginx(Path dir, Path conf, Process process, int port) {
        this.dir = dir;
        this.conf = conf;
        this.process = process;
        this.port = port;
    }

    /**
     * Starts nginx listening on a free loopback port with the template filled from {@code values}
     * (everything but {@code LISTEN}, which is chosen here); retries on a port taken meanwhile.
     */
    static Nginx start(Path dir, Map<String, String> values) throws Exception {
        String binary = Peers.which("nginx").toString();
        Files.createDirectories(dir.resolve("temp"));
        AssertionError last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            int port = Peers.freePort();
            Map<String, String> all = new LinkedHashMap<>(values);
            all.put("LISTEN", "127.0.0.1:" + port);
            Files.writeString(dir.resolve("tessera-gateway.conf"), render(resource(TEMPLATE), all));
            Path conf = Files.writeString(dir.resolve("nginx.conf"), render(resource(MAIN), Map.of("WORK", dir.toString())));
            Peers.Result check = Peers.run(Map.of(), binary, "-t", "-c", conf.toString());
            assertThat(check.exit()).as("nginx -t: %s", check.output()).isZero();
            Process process = new ProcessBuilder(binary, "-c", conf.toString()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("nginx.out").toFile()).start();
            Nginx nginx = new Nginx(dir, conf, process, port);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (System.nanoTime() < deadline && process.isAlive()) {
                try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    return nginx;
                } catch (IOException notYet) {
                    Thread.sleep(50);
                }
            }
            last = new AssertionError("nginx did not start: " + readIfExists(dir.resolve("nginx.out"))
                    + readIfExists(dir.resolve("error.log")));
            nginx.close();
        }
        throw last;
    }

    int port() {
        return port;
    }

    /** nginx's warnings and errors, for the test report. */
    String complaints() throws IOException {
        StringBuilder out = new StringBuilder();
        readIfExists(dir.resolve("error.log")).lines()
                .filter(line -> line.matches(".*\\[(warn|error|crit|alert|emerg)\\].*"))
                .forEach(line -> out.append("nginx: ").append(line).append('\n'));
        return out.toString();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            Peers.run(Map.of(), Peers.which("nginx").toString(), "-c", conf.toString(), "-s", "quit");
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroy();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    static String resource(String name) throws IOException {
        try (InputStream in = Nginx.class.getResourceAsStream(name)) {
            assertThat(in).as("test resource %s", name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    static String render(String template, Map<String, String> values) {
        String text = template;
        for (Map.Entry<String, String> value : values.entrySet()) {
            text = text.replace("@" + value.getKey() + "@", value.getValue());
        }
        assertThat(text).as("every placeholder filled").doesNotContainPattern("@[A-Z_]+@");
        return text;
    }

    static String readIfExists(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file) : "";
    }
}
