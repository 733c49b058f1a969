package dev.tessera.interop;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * XRootD 5.5.3 with its SciTokens plugin (Debian 12: libXrdAccSciTokens on scitokens-cpp 0.7.3), trusting
 * one HTTPS issuer, started by {@code interop/xrootd/run-xrootd.sh} (config templates next to it) as user
 * {@code xrootd} through setpriv when the tests run as root (it refuses to run as root), and stopped by
 * killing exactly its pid. It serves HTTPS (XrdHttp) and {@code roots://} (token authentication: ztn).
 */
final class Xrootd implements AutoCloseable {
    private static final Path SCRIPT = Path.of("xrootd/run-xrootd.sh").toAbsolutePath();

    private final Process process;
    private final Path state;
    private final Path stdout;
    private final int httpPort;
    private final int port;

    private Xrootd(Process process, Path state, Path stdout, int httpPort, int port) {
        this.process = process;
        this.state = state;
        this.stdout = stdout;
        this.httpPort = httpPort;
        this.port = port;
    }

    /** Fails unless XRootD, its SciTokens plugin and the start script are there. */
    static void require() throws IOException {
        Peers.require("curl", "xrootd", "setpriv");
        try (Stream<Path> libs = Files.list(Path.of("/usr/lib"))) {
            assertThat(libs.anyMatch(dir -> Files.exists(dir.resolve("libXrdAccSciTokens-5.so"))))
                    .as("xrootd-scitokens-plugins missing: run interop/setup.sh as root").isTrue();
        }
        assertThat(SCRIPT).as("run from the interop module directory").isExecutable();
    }

    /**
     * Starts XRootD with its state (configs, log, key cache) in {@code state}, serving {@code state/root} +
     * {@code basePath} (create the tree there first), trusting tokens of {@code issuer} for {@code audience}
     * whose scope paths are relative to {@code basePath}, and waits until it is initialised.
     *
     * @param state a directory in a traversable parent (which is made 0755: a JUnit temporary directory)
     * @param tls   a directory with {@code server.pem} and {@code server.key} for localhost
     */
    static Xrootd start(Path state, String issuer, String audience, String basePath, Path tls) throws Exception {
        // the xrootd user must traverse the state directory's parent (JUnit makes temporary directories 0700)
        Files.setPosixFilePermissions(state.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
        int httpPort = Peers.freePort();
        int port = Peers.freePort();
        Path stdout = state.resolveSibling(state.getFileName() + ".stdout");
        ProcessBuilder builder = new ProcessBuilder(SCRIPT.toString(), state.toString())
                .redirectErrorStream(true).redirectOutput(stdout.toFile());
        builder.environment().putAll(Map.of(
                "XRD_ISSUER", issuer, "XRD_AUDIENCE", audience,
                "XRD_HTTP_PORT", Integer.toString(httpPort), "XRD_PORT", Integer.toString(port),
                "XRD_CERT", tls.resolve("server.pem").toString(), "XRD_KEY", tls.resolve("server.key").toString(),
                "XRD_CA", Peers.CA_PEM.toString(), "XRD_BASE_PATH", basePath));
        Xrootd xrootd = new Xrootd(builder.start(), state, stdout, httpPort, port);
        try {
            xrootd.awaitInitialised();
        } catch (Exception | AssertionError e) {
            xrootd.close();
            throw e;
        }
        return xrootd;
    }

    /** {@code https://localhost:PORT}, XrdHttp. */
    String httpsUrl() {
        return "https://localhost:" + httpPort;
    }

    /** {@code roots://localhost:PORT}, the xroot protocol over TLS. */
    String rootsUrl() {
        return "roots://localhost:" + port;
    }

    /** The directory the exported paths live in. */
    Path root() {
        return state.resolve("root");
    }

    /** What the daemon logged so far. */
    String log() throws IOException {
        Path log = state.resolve("xrootd.log");
        return Files.exists(log) ? Files.readString(log, StandardCharsets.ISO_8859_1) : "(no log)";
    }

    private void awaitInitialised() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (log().contains("initialization completed")) {
                return;
            }
            if (!process.isAlive()) {
                break;
            }
            Thread.sleep(100);
        }
        String out = Files.readString(stdout, StandardCharsets.ISO_8859_1);
        throw new AssertionError("xrootd did not start (alive: " + process.isAlive() + ")\n" + out + "\n" + log());
    }

    @Override
    public void close() throws IOException {
        long pid = process.pid();
        process.destroy(); // SIGTERM to exactly the daemon (the script exec'd into it)
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        // xrootd also writes /tmp/xrootd.anon.env outside its configured paths (pitfall X8)
        Path env = Path.of("/tmp/xrootd.anon.env");
        if (Files.isReadable(env) && Files.readString(env).startsWith("pid=" + pid + "&")) {
            Files.deleteIfExists(env);
        }
    }
}
