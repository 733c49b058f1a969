package dev.tessera.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.agent.access.TokenInfo;
import dev.tessera.agent.credmon.Credmon;
import dev.tessera.agent.daemon.AgentDaemon;
import dev.tessera.agent.manager.AgentKey;
import dev.tessera.agent.manager.RenewalPolicy;
import dev.tessera.agent.manager.TokenManager;
import dev.tessera.agent.testing.Logins;
import dev.tessera.agent.testing.TestVo;
import dev.tessera.agent.vault.Vault;
import dev.tessera.agent.vault.VaultEntry;
import dev.tessera.agent.vault.VaultSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tessera agent} client commands and {@code tessera run} in-process against an agent on a temporary
 * socket (and the real issuer): help, usage errors, store, token, list, forget, and the JSON scripts read.
 */
class AgentCommandTest {
    static final String GRANTED = "read:/ligo write:/home/alice";

    @RegisterExtension
    static final TestVo vo = new TestVo();

    @TempDir
    Path dir;
    Path socket;
    AgentDaemon agent;

    @BeforeEach
    void anAgent() throws Exception {
        socket = dir.resolve("agent/agent.sock");
        agent = AgentDaemon.start(new AgentDaemon.Config(dir.resolve("agent"), socket, null, Duration.ofSeconds(60),
                Credmon.Settings.DEFAULT, TokenManager.Settings.DEFAULT, RenewalPolicy.DEFAULT), vo.transport(), vo.clock(),
                Map.of(AgentKey.ENV, "an agent key of enough length"));
    }

    @AfterEach
    void stopAgent() {
        agent.close();
    }

    Cli.Result tessera(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add(all.indexOf("--") < 0 ? all.size() : all.indexOf("--"), "--socket");
        all.add(all.indexOf("--socket") + 1, socket.toString());
        return Cli.tessera(all.toArray(String[]::new));
    }

    void stored() throws Exception {
        Path file = dir.resolve("refresh-token");
        Files.writeString(file, Logins.refreshToken(vo, GRANTED) + "\n");
        Cli.Result store = tessera("agent", "store", "-i", vo.iss(), "--client-id", vo.clientId(), "--refresh-token-file",
                file.toString(), "--json");
        assertThat(store.exit()).as(store.toString()).isZero();
        assertThat(store.json()).containsEntry("issuer", vo.iss()).containsEntry("client_id", vo.clientId());
        assertThat(store.out()).doesNotContain(Files.readString(file).strip());
    }

    @Test
    void helpExplainsTheAgentTheCredmonAndTheWrapper() {
        Cli.Result help = Cli.tessera("agent", "--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("SO_PEERCRED", "SEC_CREDENTIAL_DIRECTORY_OAUTH", "CREDMON_COMPLETE", "SIGHUP",
                "TESSERA_AGENT_KEY", "--credmon-dir", "store", "token", "list", "forget", "Examples:");
        for (String sub : List.of("store", "token", "list", "forget")) {
            Cli.Result subHelp = Cli.tessera("agent", sub, "--help");
            assertThat(subHelp.exit()).as(sub).isZero();
            assertThat(subHelp.out()).as(sub).contains("--socket", "Exit status");
        }
        Cli.Result run = Cli.tessera("run", "--help");
        assertThat(run.exit()).isZero();
        assertThat(run.out()).contains("BEARER_TOKEN_FILE", "two thirds", "--min-lifetime", "Examples:", "127");
        assertThat(Cli.tessera("--help").out()).contains("agent", "run");
    }

    @Test
    void usageErrorsExitWithTwoAndSayWhatIsWrong() {
        Cli.Result noCommand = tessera("run");
        assertThat(noCommand.exit()).as(noCommand.toString()).isEqualTo(2);
        assertThat(noCommand.err()).contains("CMD");

        Cli.Result badScope = tessera("run", "--scopes", "read:/data/../etc", "--", "true");
        assertThat(badScope.exit()).as(badScope.toString()).isEqualTo(2);
        assertThat(badScope.err()).contains("--scopes");

        Cli.Result badDuration = tessera("run", "--min-lifetime", "soon", "--", "true");
        assertThat(badDuration.exit()).as(badDuration.toString()).isEqualTo(2);

        Cli.Result noIssuer = tessera("agent", "store", "--client-id", "x");
        assertThat(noIssuer.exit()).isEqualTo(2);
        assertThat(noIssuer.err()).contains("--issuer");

        Cli.Result plainHttp = tessera("agent", "store", "-i", "http://tokens.example.org/vo/x", "--client-id", "x");
        assertThat(plainHttp.exit()).isEqualTo(2);
        assertThat(plainHttp.err()).contains("https");

        Cli.Result both = tessera("agent", "store", "-i", vo.iss(), "--from-vault", "--refresh-token-file", "f");
        assertThat(both.exit()).isEqualTo(2);
        assertThat(both.err()).contains("choose one");

        Cli.Result format = Cli.tessera("agent", "--data", dir.resolve("other").toString(), "--credmon-token-format", "yaml");
        assertThat(format.exit()).isEqualTo(2);
        assertThat(format.err()).contains("json or bare");

        Cli.Result taken = Cli.tessera("agent", "--data", dir.resolve("other").toString(), "--socket", socket.toString());
        assertThat(taken.exit()).as(taken.toString()).isEqualTo(2);
        assertThat(taken.err()).contains("already listening");
    }

    @Test
    void withoutAnAgentOrAGrantNoTokenIsHadAndTheStatusIsOne() throws Exception {
        Cli.Result noAgent = Cli.tessera("run", "--socket", dir.resolve("none.sock").toString(), "--", "true");
        assertThat(noAgent.exit()).as(noAgent.toString()).isEqualTo(1);
        assertThat(noAgent.err()).contains("is tessera agent running", "TESSERA_AGENT_SOCKET");

        Cli.Result noGrant = tessera("run", "--", "true");
        assertThat(noGrant.exit()).as(noGrant.toString()).isEqualTo(1);
        assertThat(noGrant.err()).contains("no stored grant", "tessera agent store");

        Path bad = dir.resolve("bad-token");
        Files.writeString(bad, "not-a-refresh-token\n");
        Cli.Result refused = tessera("agent", "store", "-i", vo.iss(), "--client-id", vo.clientId(), "--refresh-token-file",
                bad.toString());
        assertThat(refused.exit()).as(refused.toString()).isEqualTo(1);
        assertThat(refused.err()).contains("refused", "nothing was stored");
    }

    @Test
    void aStoredGrantGivesNarrowedTokensListsAndIsForgotten() throws Exception {
        stored();
        Cli.Result token = tessera("agent", "token", "--scopes", "read:/ligo/O3", "--audience", TestVo.DATA, "--json");
        assertThat(token.exit()).as(token.toString()).isZero();
        assertThat(token.json()).containsEntry("scope", "read:/ligo/O3").containsEntry("audience", List.of(TestVo.DATA))
                .containsEntry("obtained", "exchanged").containsEntry("issuer", vo.iss());
        String issued = (String) token.json().get("access_token");
        assertThat(TokenInfo.decode(issued).scope()).isEqualTo("read:/ligo/O3");

        Cli.Result plain = tessera("agent", "token", "--scopes", "read:/ligo/O3", "--audience", TestVo.DATA);
        assertThat(plain.out().strip()).as("cached: the same token").isEqualTo(issued);

        Path file = dir.resolve("bt");
        Cli.Result toFile = tessera("agent", "token", "--scopes", "read:/ligo/O3", "--audience", TestVo.DATA, "-o",
                file.toString(), "--json");
        assertThat(toFile.json()).containsEntry("token_file", file.toString()).doesNotContainKey("access_token");
        assertThat(Files.readString(file).strip()).isEqualTo(issued);
        assertThat(Cli.mode(file)).isEqualTo("rw-------");

        Cli.Result list = tessera("agent", "list", "--json");
        assertThat(list.exit()).isZero();
        assertThat(list.json()).containsEntry("user", System.getProperty("user.name"));
        assertThat(list.json().get("grants")).asList().hasSize(1);
        assertThat(tessera("agent", "list").out()).contains("Grants of " + System.getProperty("user.name") + ": 1",
                vo.iss(), "cached tokens: 2");

        Cli.Result forget = tessera("agent", "forget", "--revoke", "--json");
        assertThat(forget.exit()).as(forget.toString()).isZero();
        assertThat(forget.json()).containsEntry("revoked", true);
        assertThat(tessera("agent", "list", "--json").json().get("grants")).asList().isEmpty();
        Cli.Result again = tessera("agent", "forget");
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err()).contains("no stored grant");
    }

    @Test
    void aGrantOfTheVaultIsMovedToTheAgent() throws Exception {
        Path vaultFile = dir.resolve("config/vault.json");
        try (VaultSession session = new Vault(vaultFile, null).lock()) {
            session.put(new VaultEntry(vo.iss(), vo.clientId(), Logins.refreshToken(vo, GRANTED), GRANTED, List.of(),
                    Instant.now()));
        }
        Cli.Result moved = tessera("agent", "store", "-i", vo.iss(), "--from-vault", "--vault", vaultFile.toString());
        assertThat(moved.exit()).as(moved.toString()).isZero();
        assertThat(moved.out()).contains("Stored a grant of " + vo.iss());
        assertThat(new Vault(vaultFile, null).entries()).as("spent by the agent's rotation: removed").isEmpty();

        Cli.Result none = tessera("agent", "store", "-i", vo.iss(), "--from-vault", "--vault", vaultFile.toString());
        assertThat(none.exit()).isEqualTo(2);
        assertThat(none.err()).contains("holds no grant", "tessera get");
    }

    @Test
    void runGivesTheCommandItsTokenAndPropagatesItsStatus() throws Exception {
        stored();
        Path out = dir.resolve("out");
        Cli.Result run = tessera("run", "--scopes", "read:/ligo/O4", "--", "sh", "-c",
                "test -s \"$BEARER_TOKEN_FILE\" && cat \"$BEARER_TOKEN_FILE\" > " + out + " && echo \"$BEARER_TOKEN_FILE\" >> "
                        + out + " && exit 5");
        assertThat(run.exit()).as(run.toString()).isEqualTo(5);
        List<String> lines = Files.readAllLines(out);
        assertThat(TokenInfo.decode(lines.get(0)).scope()).isEqualTo("read:/ligo/O4");
        assertThat(Path.of(lines.get(1))).doesNotExist();
        assertThat(run.err()).contains("tessera run: BEARER_TOKEN_FILE=" + lines.get(1), "scope: read:/ligo/O4");

        Cli.Result missing = tessera("run", "-q", "--", dir.resolve("no-such-command").toString());
        assertThat(missing.exit()).as(missing.toString()).isEqualTo(127);
        assertThat(missing.err()).contains("cannot run");
    }
}
