package dev.tessera.agent.credmon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tessera.agent.daemon.AgentDaemon;
import dev.tessera.agent.manager.AgentKey;
import dev.tessera.agent.manager.RenewalPolicy;
import dev.tessera.agent.manager.TokenManager;
import dev.tessera.agent.testing.Logins;
import dev.tessera.agent.testing.TestVo;
import dev.tessera.token.TokenVerifier;
import dev.tessera.token.VerifiedToken;
import dev.tessera.token.files.PrivateFiles;
import dev.tessera.token.jws.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The credmon protocol round trip: this test plays HTCondor's credd on a credential directory (it writes
 * {@code .top} and {@code .meta} files, removes them, marks them, waits for {@code .use} and
 * {@code CREDMON_COMPLETE}) against the agent's credmon and the real issuer.
 */
class CredmonTest {
    static final String GRANTED = "read:/ligo write:/home/alice";

    @RegisterExtension
    static final TestVo vo = new TestVo();

    @TempDir
    Path dir;
    Path creds;
    Credmon credmon;

    @BeforeEach
    void aCredmon() throws Exception {
        creds = dir.resolve("oauth_credentials");
        credmon = new Credmon(CredentialDirectory.open(creds), vo.transport(), vo.clock(), RenewalPolicy.DEFAULT,
                new Random(5), Credmon.Settings.DEFAULT);
    }

    // ---- the credd's side

    /** What condor_store_cred add-oauth leaves: USER/NAME.top (0600) and the NAME.meta the credd writes from its config. */
    void store(String user, String name, String refreshToken, String scopes, String audience) throws Exception {
        Map<String, Object> top = new LinkedHashMap<>();
        if (refreshToken != null) {
            top.put("refresh_token", refreshToken);
        }
        if (scopes != null) {
            top.put("scopes", scopes);
        }
        if (audience != null) {
            top.put("audience", audience);
        }
        write(creds.resolve(user).resolve(name + ".top"), Json.write(top));
        write(creds.resolve(user).resolve(name + ".meta"), Json.write(Map.of("client_id", vo.clientId(), "client_secret", "",
                "token_url", vo.iss() + "/token", "use_refresh_token", true)));
    }

    static void write(Path file, String content) throws Exception {
        Files.createDirectories(file.getParent(), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        PrivateFiles.writeAtomically(file, content.getBytes(StandardCharsets.UTF_8));
    }

    static Map<String, Object> json(Path file) throws Exception {
        return Json.parseObject(Files.readString(file));
    }

    static String mode(Path file) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
    }

    long tokenRequests() {
        return vo.transport().count("/token");
    }

    // ----

    @Test
    void aStoredCredentialGetsItsUseFileAtOnceNarrowedAndItsRotatedRefreshTokenIsWrittenBack() throws Exception {
        String refreshToken = Logins.refreshToken(vo, GRANTED);
        store("alice", "scitokens", refreshToken, "read:/ligo/O3", TestVo.DATA);
        vo.transport().reset();
        Credmon.Pass pass = credmon.scan();
        assertThat(pass).isEqualTo(new Credmon.Pass(1, 1, 0, 0));
        assertThat(tokenRequests()).isEqualTo(1);

        Path use = creds.resolve("alice/scitokens.use");
        assertThat(mode(use)).isEqualTo("r--------");
        Map<String, Object> written = json(use);
        assertThat(written).containsEntry("token_type", "bearer").containsEntry("expires_in", 1200L)
                .containsEntry("scope", "read:/ligo/O3");
        TokenVerifier verifier = TokenVerifier.builder().issuer(vo.iss()).audience(TestVo.DATA)
                .caFiles(List.of(vo.caFile())).clock(vo.clock()).build();
        VerifiedToken token = verifier.verify((String) written.get("access_token"));
        assertThat(token.audience()).containsExactly(TestVo.DATA);

        Map<String, Object> top = json(creds.resolve("alice/scitokens.top"));
        assertThat(top.get("refresh_token")).isNotEqualTo(refreshToken);
        assertThat(top).containsEntry("scopes", "read:/ligo/O3").containsEntry("audience", TestVo.DATA);
        assertThat(mode(creds.resolve("alice/scitokens.top"))).isEqualTo("rw-------");
        assertThat(creds.resolve(CredentialDirectory.COMPLETE)).exists();

        vo.transport().reset();
        assertThat(credmon.scan()).isEqualTo(new Credmon.Pass(1, 0, 0, 0));
        assertThat(tokenRequests()).isZero();
        assertThat(json(use)).isEqualTo(written);
    }

    @Test
    void theUseFileIsRenewedPastHalfItsLifetimeAndAtOnceWhenTheCreddStoresANewCredential() throws Exception {
        store("alice", "scitokens", Logins.refreshToken(vo, GRANTED), "read:/ligo", null);
        credmon.scan();
        Path use = creds.resolve("alice/scitokens.use");
        String first = (String) json(use).get("access_token");
        Instant due = credmon.nextDue();
        Instant issued = vo.clock().instant();
        assertThat(due).isBetween(issued.plus(Duration.ofMinutes(10)), issued.plus(Duration.ofMinutes(12)));

        vo.clock().set(due.minusSeconds(1));
        vo.transport().reset();
        credmon.scan();
        assertThat(tokenRequests()).isZero();
        vo.clock().set(due);
        credmon.scan();
        assertThat(tokenRequests()).isEqualTo(1);
        String second = (String) json(use).get("access_token");
        assertThat(second).isNotEqualTo(first);

        store("alice", "scitokens", Logins.refreshToken(vo, GRANTED), "read:/ligo/O4", null); // a new condor_store_cred
        vo.transport().reset();
        credmon.scan();
        assertThat(tokenRequests()).isEqualTo(1);
        assertThat(json(use)).containsEntry("scope", "read:/ligo/O4");
    }

    @Test
    void aRemovedTopRemovesItsUseAndAnOldMarkDeletesTheCredential() throws Exception {
        store("alice", "scitokens", Logins.refreshToken(vo, GRANTED), "read:/ligo", null);
        store("alice", "box", Logins.refreshToken(vo, GRANTED), "read:/ligo/box", null);
        write(creds.resolve("alice/local.use"), "{\"access_token\": \"a local issuer's\", \"expires_in\": 1200}");
        credmon.scan();
        assertThat(creds.resolve("alice/scitokens.use")).exists();
        assertThat(creds.resolve("alice/box.use")).exists();

        Files.delete(creds.resolve("alice/scitokens.top")); // condor_store_cred delete-oauth
        assertThat(credmon.scan().removed()).isEqualTo(1);
        assertThat(creds.resolve("alice/scitokens.use")).doesNotExist();
        assertThat(creds.resolve("alice/local.use")).as("not ours: no .top, no .meta, not written here").exists();

        Path mark = creds.resolve("alice/box.mark");
        write(mark, "");
        Files.setLastModifiedTime(mark, FileTime.from(vo.clock().instant().minus(Duration.ofHours(23))));
        credmon.scan();
        assertThat(creds.resolve("alice/box.use")).exists();
        Files.setLastModifiedTime(mark, FileTime.from(vo.clock().instant().minus(Duration.ofHours(25))));
        credmon.scan();
        assertThat(List.of("box.top", "box.use", "box.meta", "box.mark")).allSatisfy(f ->
                assertThat(creds.resolve("alice").resolve(f)).doesNotExist());
    }

    @Test
    void aHandleWithoutItsOwnRefreshTokenUsesItsServicesAndIsNarrowedFurther() throws Exception {
        store("alice", "scitokens", Logins.refreshToken(vo, GRANTED), "read:/ligo", null);
        store("alice", "scitokens_o4", null, "read:/ligo/O4", TestVo.DATA);
        vo.transport().reset();
        assertThat(credmon.scan()).isEqualTo(new Credmon.Pass(2, 2, 0, 0));
        assertThat(tokenRequests()).isEqualTo(2);
        assertThat(json(creds.resolve("alice/scitokens_o4.use"))).containsEntry("scope", "read:/ligo/O4");
        assertThat(json(creds.resolve("alice/scitokens_o4.top"))).doesNotContainKey("refresh_token");

        vo.transport().reset();
        credmon.scan();
        assertThat(tokenRequests()).as("the service's .top rotated by the handle is not taken for a new credential")
                .isZero();
    }

    @Test
    void whatIsAnotherCredmonsIsLeftAlone() throws Exception {
        write(creds.resolve("bob/vault.top"), "{\"vault_token\": \"hvs.x\", \"vault_url\": \"https://vault.example:8200/v1/x\"}");
        store("bob", "box", Logins.refreshToken(vo, GRANTED), null, null);
        write(creds.resolve("bob/box.meta"), "{\"use_refresh_token\": false}");
        vo.transport().reset();
        assertThat(credmon.scan()).isEqualTo(new Credmon.Pass(2, 0, 0, 0));
        assertThat(tokenRequests()).isZero();
        assertThat(creds.resolve("bob/vault.use")).doesNotExist();
        assertThat(creds.resolve("bob/box.use")).doesNotExist();
    }

    @Test
    void whileTheIssuerRefusesRetriesBackOffAndAValidUseFileStays() throws Exception {
        store("alice", "scitokens", Logins.refreshToken(vo, GRANTED), "compute.create", null); // not alice's to have
        vo.transport().reset();
        assertThat(credmon.scan().failed()).isEqualTo(1);
        assertThat(tokenRequests()).isEqualTo(1);
        assertThat(creds.resolve("alice/scitokens.use")).doesNotExist();
        assertThat(credmon.backoffs()).containsEntry("alice/scitokens.top", Duration.ofSeconds(30));
        assertThat(creds.resolve(CredentialDirectory.COMPLETE)).as("a full pass, with a failure, is still complete").exists();

        vo.transport().reset();
        credmon.scan();
        assertThat(tokenRequests()).as("backing off").isZero();
        vo.clock().advance(Duration.ofSeconds(30));
        credmon.scan();
        assertThat(tokenRequests()).isEqualTo(1);
        assertThat(credmon.backoffs()).containsEntry("alice/scitokens.top", Duration.ofSeconds(60));
    }

    @Test
    void aCredentialDirectoryOthersCanEnterIsRefused() throws Exception {
        Path open = Files.createDirectory(dir.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
        assertThatThrownBy(() -> CredentialDirectory.open(open)).hasMessageContaining("accessible to other users")
                .hasMessageContaining("chmod o-rwx");
        CredentialDirectory.open(dir.resolve("created"));
        assertThat(mode(dir.resolve("created"))).isEqualTo("rwxrwx---");
    }

    @Test
    void theAgentWritesItsPidRescansWhenAskedAndMarksEachPassComplete() throws Exception {
        AgentDaemon.Config config = new AgentDaemon.Config(dir.resolve("agent"), dir.resolve("agent/agent.sock"), creds,
                Duration.ofSeconds(60), Credmon.Settings.DEFAULT, TokenManager.Settings.DEFAULT, RenewalPolicy.DEFAULT);
        Path complete = creds.resolve(CredentialDirectory.COMPLETE);
        Files.createDirectories(creds);
        Files.writeString(complete, ""); // left by an earlier credmon: removed at start
        try (AgentDaemon agent = AgentDaemon.start(config, vo.transport(), vo.clock(),
                Map.of(AgentKey.ENV, "an agent key of enough length"))) {
            assertThat(Files.readString(creds.resolve("pid"))).isEqualTo(Long.toString(ProcessHandle.current().pid()));
            assertThat(mode(dir.resolve("agent"))).as("the socket is reachable, the data not listable")
                    .isEqualTo("rwx--x--x");
            awaitFile(complete);

            // the credd's store: unlink the completion file, write the credential, signal, poll for the .use
            Files.delete(complete);
            store("carol", "scitokens", Logins.refreshToken(vo, GRANTED), "read:/ligo", null);
            agent.rescan();
            awaitFile(creds.resolve("carol/scitokens.use"));
            awaitFile(complete);
            assertThat(json(creds.resolve("carol/scitokens.use"))).containsEntry("scope", "read:/ligo");
        }
        assertThat(creds.resolve("pid")).doesNotExist();
        assertThat(dir.resolve("agent/agent.sock")).doesNotExist();
    }

    /** As the credd polls: once a second, up to 20 seconds. */
    static void awaitFile(Path file) throws InterruptedException {
        for (int i = 0; i < 200 && !Files.exists(file); i++) {
            Thread.sleep(100);
        }
        assertThat(file).exists();
    }
}
