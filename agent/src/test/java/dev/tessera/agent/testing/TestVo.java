package dev.tessera.agent.testing;

import dev.tessera.agent.get.TokenGetter;
import dev.tessera.agent.oauth.ClientCredentials;
import dev.tessera.agent.oauth.IssuerClient;
import dev.tessera.agent.oauth.Transport;
import dev.tessera.agent.vault.Vault;
import dev.tessera.issuer.domain.Client;
import dev.tessera.issuer.domain.PolicyRule;
import dev.tessera.issuer.service.Administration;
import dev.tessera.issuer.testing.RunningIssuer;
import dev.tessera.token.testing.MutableClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A VO on a real issuer (in-process, HTTPS on loopback, a test clock): alice in /ligo, whom policy gives
 * {@code read:/ligo write:/home/alice}; a public client for command-line tools with the device, refresh
 * and token-exchange grants. Registered as an extension it serves the tests of one class:
 * {@code @RegisterExtension static final TestVo vo = new TestVo();}
 */
public final class TestVo implements BeforeAllCallback, AfterAllCallback, AutoCloseable {
    public static final String VO = "default";
    public static final String USER = "alice";
    public static final String PASSWORD = "correct horse battery staple";
    public static final String DATA = "https://data.example.org";

    private Path dir;
    private MutableClock clock;
    private RunningIssuer issuer;
    private Administration.NewClient cli;
    private CountingTransport transport;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        dir = Files.createTempDirectory("tessera-vo-");
        launch(dir);
    }

    /** A VO with its data in {@code data}, for a test that stops it itself ({@link #close}). */
    public static TestVo start(Path data) throws Exception {
        TestVo vo = new TestVo();
        vo.launch(data);
        return vo;
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }

    private void launch(Path data) throws Exception {
        clock = MutableClock.now();
        issuer = RunningIssuer.start(RunningIssuer.config(data, null), clock);
        try {
            cli = issuer.admin().addClient(VO, "Tessera CLI",
                    Set.of(Client.DEVICE_CODE, Client.REFRESH_TOKEN, Client.TOKEN_EXCHANGE),
                    "read:/ligo write:/home/{username} compute.create openid offline_access", List.of(), List.of(), true);
            issuer.admin().addUser(VO, USER, PASSWORD.toCharArray(), List.of("/ligo"));
            issuer.admin().addRule(VO, PolicyRule.Kind.GROUP, "/ligo", "read:/ligo write:/home/{username}",
                    PolicyRule.Effect.GRANT);
            issuer.server().refresh();
            transport = new CountingTransport(Transport.https(issuer.ssl()));
        } catch (Exception | Error e) {
            issuer.close();
            throw e;
        }
    }

    public MutableClock clock() {
        return clock;
    }

    public RunningIssuer issuer() {
        return issuer;
    }

    public String iss() {
        return issuer.iss(VO);
    }

    public String clientId() {
        return cli.client().clientId();
    }

    /** The HTTPS transport trusting this issuer, counting requests. */
    public CountingTransport transport() {
        return transport;
    }

    /** The issuer's TLS certificate, for {@code --ca-file}. */
    public Path caFile() {
        return issuer.server().tlsCertificate();
    }

    public Approver approver() {
        return new Approver(this, clock);
    }

    public IssuerClient client() throws IOException {
        return IssuerClient.discover(iss(), ClientCredentials.publicClient(clientId()), transport, clock);
    }

    /** A getter as {@code tessera get} builds one, on the test clock, with {@code approver} at the other end. */
    public TokenGetter getter(Vault vault, Approver approver) {
        return new TokenGetter((iss, client) -> IssuerClient.discover(iss, client, transport, clock), vault, clock, approver,
                approver);
    }

    @Override
    public void close() {
        issuer.close();
    }
}
