package dev.tessera.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.agent.access.TokenInfo;
import dev.tessera.agent.testing.Logins;
import dev.tessera.agent.testing.TestVo;
import dev.tessera.token.jws.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tessera agent} as the daemon HTCondor would run: this test plays the credd (writes credentials,
 * reads the pid file, sends SIGHUP, polls for the {@code .use} and {@code CREDMON_COMPLETE}), runs a job
 * with {@code tessera run} through the agent's socket, and stops the agent with SIGTERM.
 */
class AgentProcessTest {
    @RegisterExtension
    static final TestVo vo = new TestVo();

    @TempDir
    Path dir;

    static List<String> command(String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                "dev.tessera.cli.Tessera"));
        command.addAll(List.of(args));
        return command;
    }

    /** As the credd polls for a file: up to 20 seconds (and a JVM's start). */
    static void await(Path file, Path log) throws Exception {
        for (int i = 0; i < 300 && !Files.exists(file); i++) {
            Thread.sleep(100);
        }
        assertThat(file).as(Files.exists(log) ? Files.readString(log) : "no log").exists();
    }

    static void write(Path file, String content) throws Exception {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void theAgentKeepsTheCredentialDirectoryRescansOnSighupServesJobsAndStopsOnSigterm() throws Exception {
        Path data = dir.resolve("agent");
        Path socket = data.resolve("agent.sock");
        Path creds = Files.createDirectory(dir.resolve("oauth_credentials"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path log = dir.resolve("agent.log");
        ProcessBuilder builder = new ProcessBuilder(command("agent", "--data", data.toString(), "--ca-file",
                vo.caFile().toString())).redirectErrorStream(true).redirectOutput(log.toFile());
        Cli.SCRUBBED.forEach(builder.environment()::remove);
        builder.environment().remove("TESSERA_AGENT_SOCKET");
        builder.environment().put("SEC_CREDENTIAL_DIRECTORY_OAUTH", creds.toString());
        Process agent = builder.start();
        try {
            Path complete = creds.resolve("CREDMON_COMPLETE");
            await(complete, log);
            assertThat(Files.readString(creds.resolve("pid")).strip()).isEqualTo(Long.toString(agent.pid()));
            assertThat(Files.readString(log)).contains("listening on " + socket);

            // the credd stores a credential, unlinks CREDMON_COMPLETE, signals the credmon, and polls
            write(creds.resolve("alice/scitokens.top"), Json.write(Map.of("refresh_token",
                    Logins.refreshToken(vo, "read:/ligo write:/home/alice"), "scopes", "read:/ligo,write:/home/alice/out")));
            write(creds.resolve("alice/scitokens.meta"), Json.write(Map.of("client_id", vo.clientId(), "token_url",
                    vo.iss() + "/token", "use_refresh_token", true)));
            Files.delete(complete);
            long pid = Long.parseLong(Files.readString(creds.resolve("pid")).strip());
            assertThat(new ProcessBuilder("kill", "-HUP", Long.toString(pid)).start().waitFor()).isZero();
            Path use = creds.resolve("alice/scitokens.use");
            await(use, log);
            await(complete, log);
            Map<String, Object> written = Json.parseObject(Files.readString(use));
            assertThat(TokenInfo.decode((String) written.get("access_token")).scope())
                    .isEqualTo("read:/ligo write:/home/alice/out");
            assertThat(agent.isAlive()).as("SIGHUP does not stop the agent").isTrue();

            // a job of this user through the agent's socket
            Path refreshToken = dir.resolve("rt");
            Files.writeString(refreshToken, Logins.refreshToken(vo, "read:/ligo"));
            Cli.Result store = Cli.tessera("agent", "store", "--socket", socket.toString(), "-i", vo.iss(), "--client-id",
                    vo.clientId(), "--refresh-token-file", refreshToken.toString());
            assertThat(store.exit()).as(store.toString()).isZero();
            Cli.Result job = Cli.process(command("run", "--socket", socket.toString(), "--scopes", "read:/ligo/O4", "--",
                    "sh", "-c", "test -s \"$BEARER_TOKEN_FILE\" && cat \"$BEARER_TOKEN_FILE\""), Map.of(), null, dir);
            assertThat(job.exit()).as(job.toString()).isZero();
            assertThat(TokenInfo.decode(job.out().strip()).scope()).isEqualTo("read:/ligo/O4");
            Cli.Result failing = Cli.process(command("run", "--socket", socket.toString(), "-q", "--", "sh", "-c", "exit 9"),
                    Map.of(), null, dir);
            assertThat(failing.exit()).as(failing.toString()).isEqualTo(9);

            assertThat(new ProcessBuilder("kill", "-TERM", Long.toString(agent.pid())).start().waitFor()).isZero();
            assertThat(agent.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(socket).doesNotExist();
            assertThat(creds.resolve("pid")).doesNotExist();
            assertThat(Files.readString(log)).doesNotContain((String) written.get("access_token"));
        } finally {
            agent.destroyForcibly();
        }
    }
}
