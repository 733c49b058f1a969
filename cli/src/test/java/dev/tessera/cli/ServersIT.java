package dev.tessera.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.token.discovery.TrustMaterial;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code bin/tessera storage|gateway} as an operator runs them: start, answer /healthz, stop on SIGTERM. */
class ServersIT {
    private final Path launcher = Path.of(System.getProperty("tessera.home", "target/tessera"), "bin", "tessera");

    @TempDir
    Path dir;

    @Test
    void storageStartsOnEmbeddedDefaultsAndStopsOnSigterm() throws Exception {
        Files.createDirectories(dir.resolve("root"));
        runUntilHealthy("storage", "--root", dir.resolve("root").toString());
    }

    @Test
    void gatewayStartsOnEmbeddedDefaultsAndStopsOnSigterm() throws Exception {
        runUntilHealthy("gateway");
    }

    private void runUntilHealthy(String command, String... extra) throws Exception {
        Path data = dir.resolve("data-" + command);
        List<String> args = new java.util.ArrayList<>(List.of(launcher.toString(), command, "--data", data.toString(),
                "--port", "0", "--trust", "https://tokens.example.org", "--audience", "https://s.example.org"));
        args.addAll(List.of(extra));
        ProcessBuilder builder = new ProcessBuilder(args).redirectErrorStream(true)
                .redirectOutput(dir.resolve(command + ".log").toFile());
        builder.environment().put("XDG_CACHE_HOME", dir.resolve("cache").toString());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process process = builder.start();
        try {
            String url = awaitUrl(dir.resolve(command + ".log"), process);
            HttpClient client = HttpClient.newBuilder()
                    .sslContext(TrustMaterial.sslContext(List.of(data.resolve("tls/server.pem")))).build();
            HttpResponse<String> health = client.send(HttpRequest.newBuilder(URI.create(url + "/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(Files.readString(data.resolve("tls/server.key"))).contains("PRIVATE KEY");
        } finally {
            process.destroy(); // SIGTERM
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("stops on SIGTERM").isTrue();
        }
        assertThat(process.exitValue()).isIn(0, 143);
    }

    /** The URL the server prints once it listens. */
    private static String awaitUrl(Path log, Process process) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
        while (Instant.now().isBefore(deadline)) {
            String text = Files.exists(log) ? Files.readString(log) : "";
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(https://localhost:\\d+)").matcher(text);
            if (m.find()) {
                return m.group(1);
            }
            if (!process.isAlive()) {
                throw new AssertionError("server exited: " + text);
            }
            Thread.sleep(100);
        }
        throw new AssertionError("server did not start: " + Files.readString(log));
    }
}
