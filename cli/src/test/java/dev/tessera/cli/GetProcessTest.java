package dev.tessera.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.agent.access.AccessRequest;
import dev.tessera.agent.access.TokenInfo;
import dev.tessera.agent.get.GetRequest;
import dev.tessera.agent.testing.TestVo;
import dev.tessera.agent.vault.Vault;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tessera get} and {@code tessera sh} as separate processes, for what only a process has: the
 * environment (TESSERA_GET_OPTS, TESSERA_VAULT_PASSPHRASE, XDG_RUNTIME_DIR, BEARER_TOKEN_FILE), a child
 * command's output and exit status, and signals. The user logged in beforehand (the vault holds a grant).
 */
class GetProcessTest {
    static final String PASSPHRASE = "the vault passphrase of the process tests";

    @RegisterExtension
    static final TestVo vo = new TestVo();
    @TempDir
    static Path shared;
    static Path vault;
    static long uid;

    @TempDir
    Path dir;
    Path runtime;
    final Map<String, String> env = new HashMap<>();

    @BeforeAll
    static void loggedIn() throws Exception {
        vault = shared.resolve("config/tessera/vault.json");
        vo.getter(new Vault(vault, PASSPHRASE.toCharArray()), vo.approver()).get(new GetRequest(vo.iss(), vo.clientId(), null,
                AccessRequest.parse(null, List.of(), Duration.ZERO), shared.resolve("first-token"), null, true));
        uid = ((Number) Files.getAttribute(vault, "unix:uid")).longValue();
    }

    @BeforeEach
    void environment() throws Exception {
        runtime = Files.createDirectories(dir.resolve("runtime"));
        env.put("XDG_RUNTIME_DIR", runtime.toString());
        env.put("TESSERA_VAULT_PASSPHRASE", PASSPHRASE);
        env.put(GetOptions.OPTIONS_ENV, "-i " + vo.iss() + " --client-id '" + vo.clientId() + "' --ca-file "
                + vo.caFile() + " --vault " + vault);
    }

    List<String> command(String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                "dev.tessera.cli.Tessera"));
        command.addAll(List.of(args));
        return command;
    }

    Cli.Result run(String... args) throws Exception {
        return Cli.process(command(args), env, null, dir);
    }

    @Test
    void shRunsTheCommandWithItsOwnFreshTokenRemovesItAfterAndReturnsItsStatus() throws Exception {
        env.put(GetOptions.OPTIONS_ENV, env.get(GetOptions.OPTIONS_ENV) + " --scopes read:/ligo");
        Cli.Result sh = run("sh", "--", "sh", "-c", "cat \"$BEARER_TOKEN_FILE\"; echo \"$BEARER_TOKEN_FILE\"; exit 7");

        assertThat(sh.exit()).as(sh.toString()).isEqualTo(7);
        List<String> lines = sh.outLines();
        TokenInfo token = TokenInfo.decode(lines.get(0));
        assertThat(token.issuer()).isEqualTo(vo.iss());
        assertThat(token.scope()).isEqualTo("read:/ligo");
        Path file = Path.of(lines.get(1));
        assertThat(file.getParent().getParent()).isEqualTo(runtime);
        assertThat(file).doesNotExist();
        assertThat(file.getParent()).doesNotExist();
        assertThat(sh.err()).contains("tessera sh: BEARER_TOKEN_FILE=" + file, "scope: read:/ligo");
    }

    @Test
    void shWithoutAGrantOrCommandFailsClearly() throws Exception {
        Cli.Result missing = run("sh", "--", dir.resolve("no-such-command").toString());
        assertThat(missing.exit()).as(missing.toString()).isEqualTo(127);
        assertThat(missing.err()).contains("cannot run");
        try (var left = Files.list(runtime)) {
            assertThat(left).isEmpty(); // the private directory went with the failed start
        }

        env.remove("TESSERA_VAULT_PASSPHRASE");
        Cli.Result locked = run("sh", "--", "true");
        assertThat(locked.exit()).as(locked.toString()).isEqualTo(2);
        assertThat(locked.err()).contains("is encrypted", "TESSERA_VAULT_PASSPHRASE");
    }

    @Test
    void optionsComeFromTessera_get_optsAndTheCommandLineWins() throws Exception {
        env.put(GetOptions.OPTIONS_ENV, env.get(GetOptions.OPTIONS_ENV) + " --scopes 'read:/ligo/O3'");
        Cli.Result fromEnv = run("get", "--json");
        assertThat(fromEnv.exit()).as(fromEnv.toString()).isZero();
        assertThat(fromEnv.json()).containsEntry("scope", "read:/ligo/O3").containsEntry("obtained", "refreshed")
                .containsEntry("token_file", runtime.resolve("bt_u" + uid).toString());
        assertThat(Cli.mode(runtime.resolve("bt_u" + uid))).isEqualTo("rw-------");

        Cli.Result overridden = run("get", "--json", "--scopes", "read:/ligo");
        assertThat(overridden.exit()).as(overridden.toString()).isZero();
        assertThat(overridden.json()).containsEntry("scope", "read:/ligo");

        env.put("BEARER_TOKEN_FILE", dir.resolve("named-token").toString());
        Cli.Result named = run("get", "--json", "--scopes", "read:/ligo");
        assertThat(named.json()).containsEntry("token_file", dir.resolve("named-token").toString());

        env.put(GetOptions.OPTIONS_ENV, "--scopes 'read:/ligo");
        Cli.Result broken = run("get");
        assertThat(broken.exit()).isEqualTo(2);
        assertThat(broken.err()).contains("TESSERA_GET_OPTS", "unterminated");
    }

    @Test
    void aTermSignalIsPassedToTheCommandWhoseStatusIsReturned() throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command("sh", "--", "sh", "-c",
                "trap 'echo \"$BEARER_TOKEN_FILE\"; exit 42' TERM; echo ready; while :; do sleep 0.1; done"));
        Cli.SCRUBBED.forEach(builder.environment()::remove);
        builder.environment().putAll(env);
        builder.redirectError(dir.resolve("stderr").toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File(
                "/dev/null")));
        Process process = builder.start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            assertThat(out.readLine()).as(Files.readString(dir.resolve("stderr"))).isEqualTo("ready");
            // SIGTERM to tessera (Process.destroy would also close the pipe this test reads)
            assertThat(new ProcessBuilder("kill", "-TERM", Long.toString(process.pid())).start().waitFor()).isZero();
            String tokenFile = out.readLine();
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(process.exitValue()).as(Files.readString(dir.resolve("stderr"))).isEqualTo(42);
            assertThat(Path.of(tokenFile)).doesNotExist();
        } finally {
            process.destroyForcibly();
        }
    }
}
