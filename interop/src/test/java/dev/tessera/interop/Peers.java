package dev.tessera.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.token.testing.TestCa;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The third-party peers installed by {@code interop/setup.sh}, and how to run them. Missing peers are a
 * test failure, never a skip: an interop run that checked nothing must not look green.
 */
final class Peers {
    static final Path HOME = Path.of(System.getenv().getOrDefault("TESSERA_INTEROP_HOME", "/tmp/tessera-interop"));
    static final Path CA_PEM = HOME.resolve("ca/ca.pem");
    static final Path CA_KEY = HOME.resolve("ca/ca.key");
    static final String PYTHON = "/usr/bin/python3"; // Debian's, which has python3-jwt (not a pyenv python)

    private Peers() {
    }

    /** What a peer process did. */
    record Result(int exit, String stdout, String stderr) {
        String output() {
            return stdout + stderr;
        }
    }

    /** Fails unless the peers and the trusted test CA are present. */
    static void require(String... binaries) {
        for (String binary : binaries) {
            assertThat(onPath(binary)).as("%s is missing: run interop/setup.sh as root", binary).isTrue();
        }
        assertThat(CA_PEM).as("test CA missing: run interop/setup.sh as root").exists();
        assertThat(CA_KEY).as("test CA key missing: run interop/setup.sh as root").exists();
    }

    /** A CA the system trust store (and so libcurl) trusts, issuing a fresh localhost certificate. */
    static TestCa trustedCa() {
        return TestCa.fromPem(CA_PEM, CA_KEY);
    }

    static Result run(Map<String, String> env, String... command) {
        return runWithInput(env, null, command);
    }

    static Result runWithInput(Map<String, String> env, String stdin, String... command) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().putAll(env);
            Path out = Files.createTempFile("peer", ".out");
            Path err = Files.createTempFile("peer", ".err");
            builder.redirectOutput(out.toFile()).redirectError(err.toFile());
            Process process = builder.start();
            if (stdin != null) {
                process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            process.getOutputStream().close();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("peer timed out: " + String.join(" ", command));
            }
            Result result = new Result(process.exitValue(), Files.readString(out), Files.readString(err));
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            return result;
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command[0] + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Where a peer's binary is: on PATH, or in an sbin directory (Debian's nginx is /usr/sbin/nginx). */
    static Path which(String binary) {
        if (binary.startsWith("/")) {
            return Files.isExecutable(Path.of(binary)) ? Path.of(binary) : null;
        }
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "/usr/bin").split(":")));
        dirs.addAll(List.of("/usr/local/sbin", "/usr/sbin", "/sbin"));
        return dirs.stream().map(dir -> Path.of(dir, binary)).filter(Files::isExecutable).findFirst().orElse(null);
    }

    /** A TCP port free on loopback now, for a peer that must be told its port (nginx, XRootD). */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static boolean onPath(String binary) {
        return which(binary) != null;
    }
}
