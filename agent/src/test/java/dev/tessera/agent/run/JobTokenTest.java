package dev.tessera.agent.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tessera.agent.access.AccessRequest;
import dev.tessera.agent.access.TokenInfo;
import dev.tessera.agent.manager.AgentException;
import dev.tessera.agent.manager.GrantStore;
import dev.tessera.agent.manager.IssuerClients;
import dev.tessera.agent.manager.MintRequest;
import dev.tessera.agent.manager.Minted;
import dev.tessera.agent.manager.RenewalPolicy;
import dev.tessera.agent.manager.TokenManager;
import dev.tessera.agent.oauth.IssuerClient;
import dev.tessera.agent.shell.PrivateTokenFile;
import dev.tessera.agent.shell.TokenRenewer;
import dev.tessera.agent.shell.TokenShell;
import dev.tessera.agent.socket.AgentProtocol;
import dev.tessera.agent.socket.AgentServer;
import dev.tessera.agent.testing.Logins;
import dev.tessera.agent.testing.TestVo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A job's command run with the token the agent mints for it, renewed through the agent, removed after. */
class JobTokenTest {
    @TempDir
    static Path shared;
    static TestVo vo;
    static AgentServer agent;
    static Path socket;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        vo = TestVo.start(shared.resolve("issuer"));
        TokenManager manager = new TokenManager(new GrantStore(shared.resolve("agent"), "an agent key of enough length"
                .toCharArray()), new IssuerClients((iss, client) -> IssuerClient.discover(iss, client, vo.transport(),
                vo.clock())), vo.clock(), RenewalPolicy.DEFAULT, new Random(1), TokenManager.Settings.DEFAULT);
        socket = shared.resolve("agent.sock");
        agent = AgentServer.start(socket, new AgentProtocol(manager, vo.clock()));
        manager.store(System.getProperty("user.name"), vo.iss(), vo.clientId(), Logins.refreshToken(vo,
                "read:/ligo write:/home/alice"));
    }

    @AfterAll
    static void stop() {
        agent.close();
        vo.close();
    }

    static MintRequest request(String scope) throws Exception {
        return new MintRequest(null, null, AccessRequest.parse(scope, List.of(TestVo.DATA), Duration.ofSeconds(60)), null,
                null);
    }

    @Test
    void theCommandReadsTheAgentsTokenFromItsPrivateFileWhichIsRenewedAndGoneAfter() throws Exception {
        Path out = dir.resolve("out");
        Path tokenDir;
        List<String> warnings = new CopyOnWriteArrayList<>();
        int status;
        String first;
        try (PrivateTokenFile file = PrivateTokenFile.create(dir)) {
            tokenDir = file.path().getParent();
            JobToken job = new JobToken(socket, request("read:/ligo/O3"), file.path());
            Minted minted = job.fetch();
            first = minted.token().token();
            assertThat(minted.token().scope()).isEqualTo("read:/ligo/O3");
            TokenRenewer renewer = new TokenRenewer(job, minted.token(), Duration.ofSeconds(60), vo.clock(), warnings::add);

            // two thirds into the token's life, the renewer asks the agent for a later one
            vo.clock().advance(Duration.ofMinutes(14));
            assertThat(renewer.renewIfDue()).isTrue();
            TokenInfo renewed = TokenInfo.read(file.path()).orElseThrow();
            assertThat(renewed.expiresAt()).isAfter(minted.token().expiresAt());
            assertThat(renewed.scope()).isEqualTo("read:/ligo/O3");

            ProcessBuilder command = new ProcessBuilder("sh", "-c",
                    "test -s \"$BEARER_TOKEN_FILE\" && cat \"$BEARER_TOKEN_FILE\" && stat -c %a \"$BEARER_TOKEN_FILE\"; exit 7")
                    .redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT);
            status = TokenShell.run(command, file, renewer);
            assertThat(Files.readAllLines(out)).containsExactly(renewed.token(), "600");
        }
        assertThat(status).isEqualTo(7);
        assertThat(tokenDir).doesNotExist();
        assertThat(warnings).isEmpty();
        assertThat(first).isNotBlank();
    }

    @Test
    void whatTheAgentRefusesReachesTheWrapper() throws Exception {
        JobToken job = new JobToken(socket, new MintRequest("https://elsewhere.example/vo/x", null,
                AccessRequest.parse(null, List.of(), Duration.ZERO), null, null), dir.resolve("token"));
        assertThatThrownBy(job::fetch).isInstanceOfSatisfying(AgentException.class,
                e -> assertThat(e.code()).isEqualTo(AgentException.Code.NO_GRANT));
        assertThat(dir.resolve("token")).doesNotExist();
    }
}
