package dev.tessera.interop;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * oidc-agent 4.2.6 (Debian's oidc-agent-cli) with everything of its own in one directory: its socket, its
 * account files ({@code OIDC_CONFIG_DIR}, never {@code ~/.config/oidc-agent}) and its log. The agent runs in
 * the foreground ({@code --console}), so the process started here is the agent and closing kills exactly that
 * pid; its worker process exits with it. It logs at debug level to stderr: the HTTP requests it sends are in
 * {@link #requests()}.
 *
 * <p>{@code oidc-gen} and {@code oidc-token} reach it through {@code OIDC_SOCK}; account
 * files are encrypted with a password read from {@code OIDC_ENCRYPTION_PW} ({@code --pw-env}), and oidc-gen
 * never prompts ({@code --prompt=none --confirm-default}) nor opens a browser ({@code --no-url-call}).
 */
final class OidcAgent implements AutoCloseable {
    private static final String[] BINARIES = {"oidc-agent", "oidc-gen", "oidc-token"};
    /** oidc-gen's device-flow instructions: "... visit:\n URI\n ... And enter the code: ABCD-EFGH". */
    private static final Pattern VERIFICATION_URI = Pattern.compile("(https://\\S+)");
    private static final Pattern USER_CODE = Pattern.compile("enter the code: ([A-Za-z0-9-]+)");
    private static final Pattern HTTP_LOG = Pattern.compile("Data to send|Https (GET|POST) to|status code [1-9]|Response:|ERROR");
    /** Terminal colours: oidc-gen draws a QR code of the verification URI with them. */
    private static final Pattern COLOURS = Pattern.compile("\u001b\\[[0-9;]*m");

    private final Process process;
    private final Path dir;
    private final Path log;
    private final Map<String, String> env;

    private OidcAgent(Process process, Path dir, Path log, Map<String, String> env) {
        this.process = process;
        this.dir = dir;
        this.log = log;
        this.env = env;
    }

    /** Starts an agent whose state lives in {@code dir}, and waits until its socket accepts clients. */
    static OidcAgent start(Path dir) throws IOException, InterruptedException {
        Peers.require(BINARIES);
        Path config = Files.createDirectories(dir.resolve("config"));
        Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rwx------"));
        Path socket = dir.resolve("socket/agent.sock"); // the agent creates the directory, 0700
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Map<String, String> env = Map.of("OIDC_SOCK", socket.toString(), "OIDC_CONFIG_DIR", config.toString(),
                "OIDC_ENCRYPTION_PW", "interop account file password", "TMPDIR", tmp.toString());
        Path log = dir.resolve("agent.log");
        // without --no-autoreauthenticate a refused refresh makes the agent start a device flow of its own and
        // poll it while every other client waits; without --no-autoload oidc-token would prompt for a password
        ProcessBuilder builder = new ProcessBuilder("oidc-agent", "--console", "--debug", "--log-stderr",
                "--no-autoreauthenticate", "--no-autoload", "--socket-path=" + socket)
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(env);
        OidcAgent agent = new OidcAgent(builder.start(), dir, log, env);
        try {
            agent.awaitSocket(socket);
        } catch (Exception | AssertionError e) {
            agent.close();
            throw e;
        }
        return agent;
    }

    /**
     * The HTTP exchanges the agent logged so far, e.g. {@code Data to send: grant_type=refresh_token&...},
     * {@code Https POST to: ISS/token}, {@code Response: {...}} (debug level, secrets included: test data only).
     */
    String requests() throws IOException {
        return Files.readAllLines(log, StandardCharsets.ISO_8859_1).stream().filter(line -> HTTP_LOG.matcher(line).find())
                .collect(Collectors.joining("\n"));
    }

    /** Where oidc-gen stores the (encrypted) account files, one per short name. */
    Path configDir() {
        return Path.of(env.get("OIDC_CONFIG_DIR"));
    }

    /** {@code oidc-token OPTIONS ACCOUNT}. */
    Peers.Result token(String account, String... options) {
        List<String> command = new ArrayList<>(List.of("oidc-token"));
        command.addAll(List.of(options));
        command.add(account);
        return Peers.run(env, command.toArray(String[]::new));
    }

    /**
     * Starts {@code oidc-gen ACCOUNT --flow=device OPTIONS} (never prompting, never opening a browser), which
     * prints where and which code to enter and then polls the token endpoint until the person decides.
     */
    Generation generateWithDeviceFlow(String account, String... options) throws IOException {
        List<String> command = new ArrayList<>(List.of("oidc-gen", account, "--flow=device", "--pw-env",
                "--prompt=none", "--confirm-default", "--no-url-call"));
        command.addAll(List.of(options));
        Path out = dir.resolve("oidc-gen-" + account + ".out");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile());
        builder.environment().putAll(env);
        Process gen = builder.start();
        gen.getOutputStream().close(); // nothing to read: any prompt would be a test failure, not a hang
        return new Generation(gen, out);
    }

    /** A running oidc-gen device flow; closing kills it if it still runs (a test that failed half-way). */
    static final class Generation implements AutoCloseable {
        private final Process process;
        private final Path out;

        private Generation(Process process, Path out) {
            this.process = process;
            this.out = out;
        }

        /** What oidc-gen printed so far, without its QR code. */
        String output() throws IOException {
            String printed = COLOURS.matcher(Files.readString(out, StandardCharsets.ISO_8859_1)).replaceAll("");
            return printed.lines().filter(line -> !line.isBlank()).collect(Collectors.joining("\n"));
        }

        /** The verification URI and user code oidc-gen printed, once it has printed them. */
        Instructions instructions() throws IOException, InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                String printed = output();
                Matcher code = USER_CODE.matcher(printed);
                Matcher uri = VERIFICATION_URI.matcher(printed);
                if (code.find() && uri.find()) {
                    return new Instructions(uri.group(1), code.group(1));
                }
                if (!process.isAlive()) {
                    break;
                }
                Thread.sleep(100);
            }
            throw new AssertionError("oidc-gen printed no user code (alive: " + process.isAlive() + "):\n" + output());
        }

        /** Waits for oidc-gen to end (it polls every few seconds), and what it printed. */
        Peers.Result await() throws IOException, InterruptedException {
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                throw new AssertionError("oidc-gen did not finish:\n" + output());
            }
            return new Peers.Result(process.exitValue(), output(), "");
        }

        @Override
        public void close() throws InterruptedException {
            if (process.isAlive()) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    /** Where the person goes and what they type there. */
    record Instructions(String verificationUri, String userCode) {
    }

    private void awaitSocket(Path socket) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline && process.isAlive()) {
            if (Files.exists(socket)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("oidc-agent did not open " + socket + " (alive: " + process.isAlive() + "):\n"
                + Files.readString(log, StandardCharsets.ISO_8859_1));
    }

    @Override
    public void close() {
        process.destroy(); // SIGTERM to exactly the agent started here
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
