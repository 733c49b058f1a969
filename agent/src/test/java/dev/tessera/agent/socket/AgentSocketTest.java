package dev.tessera.agent.socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tessera.agent.access.AccessRequest;
import dev.tessera.agent.manager.AgentException;
import dev.tessera.agent.manager.GrantStore;
import dev.tessera.agent.manager.IssuerClients;
import dev.tessera.agent.manager.MintRequest;
import dev.tessera.agent.manager.Minted;
import dev.tessera.agent.manager.RenewalPolicy;
import dev.tessera.agent.manager.TokenManager;
import dev.tessera.agent.oauth.IssuerClient;
import dev.tessera.agent.testing.Logins;
import dev.tessera.agent.testing.TestVo;
import dev.tessera.token.bearer.Uid;
import dev.tessera.token.jws.Json;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's socket: the kernel names the caller (SO_PEERCRED), so one user never reaches another's grants
 * or tokens; JSON lines each way; bad requests get an error and the connection stays usable.
 */
class AgentSocketTest {
    @RegisterExtension
    static final TestVo vo = new TestVo();

    /** A directory other users can traverse (not list), as a real socket's directory is. */
    Path socketDir;
    Path socket;
    @TempDir
    Path data;
    TokenManager manager;
    AgentServer server;

    @BeforeEach
    void anAgent() throws IOException {
        socketDir = Files.createTempDirectory(Path.of("/tmp"), "tessera-agent-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x")));
        Files.setPosixFilePermissions(socketDir, PosixFilePermissions.fromString("rwx--x--x"));
        socket = socketDir.resolve("agent.sock");
        manager = new TokenManager(new GrantStore(data, "an agent key of enough length".toCharArray()),
                new IssuerClients((iss, client) -> IssuerClient.discover(iss, client, vo.transport(), vo.clock())),
                vo.clock(), RenewalPolicy.DEFAULT, new Random(3), TokenManager.Settings.DEFAULT);
        server = AgentServer.start(socket, new AgentProtocol(manager, vo.clock()));
    }

    @AfterEach
    void stopAgent() throws IOException {
        server.close();
        Files.deleteIfExists(socket);
        Files.deleteIfExists(socketDir);
    }

    static MintRequest request(String scope, String audience) throws Exception {
        return new MintRequest(null, null, AccessRequest.parse(scope, audience == null ? List.of() : List.of(audience),
                Duration.ofSeconds(60)), null, null);
    }

    @Test
    void theKernelNamesTheCallerAndEveryLocalUserMayConnect() throws Exception {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(socket))).isEqualTo("rw-rw-rw-");
        try (AgentClient client = AgentClient.connect(socket)) {
            Map<String, Object> list = client.list();
            assertThat(list.get("user")).isEqualTo(System.getProperty("user.name"));
            assertThat(list.get("grants")).asList().isEmpty();
        }
    }

    @Test
    void aGrantStoredOverTheSocketServesNarrowedTokensAndCachedOnesCostNoRequest() throws Exception {
        String refreshToken = Logins.refreshToken(vo, "read:/ligo write:/home/alice");
        try (AgentClient client = AgentClient.connect(socket)) {
            Map<String, Object> stored = client.store(vo.iss(), vo.clientId(), refreshToken);
            assertThat(stored.toString()).doesNotContain(refreshToken);
            assertThat(((Map<?, ?>) stored.get("grant")).get("issuer")).isEqualTo(vo.iss());

            vo.transport().reset();
            Minted job = client.token(request("read:/ligo/O3", TestVo.DATA));
            assertThat(job.how()).isEqualTo(Minted.How.EXCHANGED);
            assertThat(job.token().scope()).isEqualTo("read:/ligo/O3");
            assertThat(job.token().audiences()).containsExactly(TestVo.DATA);
            Minted again = client.token(request("read:/ligo/O3", TestVo.DATA));
            assertThat(again.how()).isEqualTo(Minted.How.CACHED);
            assertThat(again.token().token()).isEqualTo(job.token().token());
            assertThat(vo.transport().count("/token")).isEqualTo(1);

            List<?> grants = (List<?>) client.list().get("grants");
            assertThat(grants).singleElement().satisfies(g -> assertThat(((Map<?, ?>) g).get("cached_tokens")).isEqualTo(2L));
            assertThat(grants.toString()).doesNotContain(refreshToken);
        }
    }

    @Test
    void usersAreWhoTheSocketSaysTheyAreAndReachOnlyTheirOwnGrants() throws Exception {
        AgentProtocol protocol = new AgentProtocol(manager, vo.clock());
        String refreshToken = Logins.refreshToken(vo, "read:/ligo");
        Map<String, Object> stored = answer(protocol, "alice", Map.of("op", "store", "issuer", vo.iss(), "client_id",
                vo.clientId(), "refresh_token", refreshToken));
        assertThat(stored).containsEntry("ok", true);

        Map<String, Object> bobsToken = answer(protocol, "bob", Map.of("op", "token", "issuer", vo.iss(), "client_id",
                vo.clientId(), "scope", "read:/ligo"));
        assertThat(bobsToken).containsEntry("ok", false).containsEntry("error", "no_grant");
        assertThat(answer(protocol, "bob", Map.of("op", "list"))).containsEntry("user", "bob")
                .containsEntry("grants", List.of());
        assertThat(answer(protocol, "bob", Map.of("op", "forget", "issuer", vo.iss()))).containsEntry("error", "no_grant");
        // a request naming a user changes nothing: there is no such field
        assertThat(answer(protocol, "bob", Map.of("op", "token", "user", "alice", "scope", "read:/ligo")))
                .containsEntry("error", "no_grant");

        Map<String, Object> alicesToken = answer(protocol, "alice", Map.of("op", "token", "scope", "read:/ligo"));
        assertThat(alicesToken).containsEntry("ok", true).containsEntry("scope", "read:/ligo");
        assertThat(manager.grants("alice")).hasSize(1);
    }

    @Test
    void anotherUnixUserGetsNothingOfRootsGrants() throws Exception {
        assumeTrue(Uid.effective() == 0 && Files.isExecutable(Path.of("/usr/bin/setpriv"))
                && Files.isExecutable(Path.of("/usr/bin/perl")), "needs root, setpriv and perl");
        try (AgentClient client = AgentClient.connect(socket)) {
            client.store(vo.iss(), vo.clientId(), Logins.refreshToken(vo, "read:/ligo"));
        }
        Map<String, Object> list = asNobody("{\"op\": \"list\"}");
        assertThat(list).containsEntry("ok", true).containsEntry("user", "nobody").containsEntry("grants", List.of());
        Map<String, Object> token = asNobody("{\"op\": \"token\", \"scope\": \"read:/ligo\", \"issuer\": \"" + vo.iss() + "\"}");
        assertThat(token).containsEntry("ok", false).containsEntry("error", "no_grant");
        assertThat(token.toString()).doesNotContain("access_token");
        try (AgentClient client = AgentClient.connect(socket)) {
            assertThat(client.token(request("read:/ligo", null)).token().scope()).isEqualTo("read:/ligo");
        }
    }

    /** One request line sent by uid 65534 through its own process (perl), the answer parsed. */
    Map<String, Object> asNobody(String request) throws Exception {
        Process perl = new ProcessBuilder("/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                "/usr/bin/perl", "-MIO::Socket::UNIX", "-e",
                "my $s = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Peer => $ARGV[0]) or die \"connect: $!\";"
                        + " print $s $ARGV[1] . \"\\n\"; my $line = <$s>; print $line;",
                socket.toString(), request).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(perl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(perl.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(perl.exitValue()).as(out).isZero();
        return Json.parseObject(out);
    }

    @Test
    void badRequestsGetAnErrorAndTheConnectionStaysUsable() throws Exception {
        try (SocketChannel raw = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            assertThat(exchange(raw, "not json")).containsEntry("ok", false).containsEntry("error", "invalid_request");
            assertThat(exchange(raw, "{\"op\": \"fly\"}").get("message")).asString().contains("unknown op");
            assertThat(exchange(raw, "{\"op\": \"token\", \"min_lifetime\": -5}").get("message")).asString()
                    .contains("min_lifetime");
            assertThat(exchange(raw, "{\"op\": \"token\", \"scope\": \"read:/data/../etc\"}").get("message")).asString()
                    .contains("scope");
            assertThat(exchange(raw, "{\"op\": \"store\", \"issuer\": \"" + vo.iss() + "\"}").get("message")).asString()
                    .contains("client_id");
            assertThat(exchange(raw, "{\"op\": \"list\"}")).containsEntry("ok", true);
            Map<String, Object> tooLong = exchange(raw, "{\"op\": \"list\", \"x\": \"" + "a".repeat(70_000) + "\"}");
            assertThat(tooLong.get("message")).asString().contains("longer than");
        }
    }

    @Test
    void aSecondAgentCannotTakeTheSocketButAStaleOneIsReplaced() throws Exception {
        AgentProtocol protocol = new AgentProtocol(manager, vo.clock());
        assertThatThrownBy(() -> AgentServer.start(socket, protocol)).hasMessageContaining("already listening");
        server.close();
        // a socket file left by an agent that was killed
        try (var stale = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            stale.bind(UnixDomainSocketAddress.of(socket));
        }
        assertThat(socket).exists();
        server = AgentServer.start(socket, protocol);
        try (AgentClient client = AgentClient.connect(socket)) {
            assertThat(client.list()).containsEntry("ok", true);
        }
        assertThatThrownBy(() -> AgentClient.connect(socketDir.resolve("none.sock")))
                .hasMessageContaining("is tessera agent running").hasMessageContaining(AgentClient.SOCKET_ENV);
    }

    static Map<String, Object> answer(AgentProtocol protocol, String user, Map<String, Object> request) throws Exception {
        return Json.parseObject(protocol.answer(user, Json.write(request)));
    }

    static Map<String, Object> exchange(SocketChannel channel, String line) throws Exception {
        ByteBuffer out = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
        while (out.hasRemaining()) {
            channel.write(out);
        }
        String answer = new AgentServer.LineReader(channel).next();
        return Json.parseObject(answer);
    }

    @Test
    void theClientSideReportsTheAgentsErrors() throws Exception {
        try (AgentClient client = AgentClient.connect(socket)) {
            assertThatThrownBy(() -> client.token(request("read:/ligo", null))).isInstanceOfSatisfying(AgentException.class,
                    e -> {
                        assertThat(e.code()).isEqualTo(AgentException.Code.NO_GRANT);
                        assertThat(e.getMessage()).contains("store one first");
                    });
        }
    }
}
