package dev.tessera.cli.demo;

import dev.tessera.issuer.IssuerConfig;
import dev.tessera.issuer.IssuerServer;
import dev.tessera.issuer.domain.Client;
import dev.tessera.issuer.domain.PolicyRule;
import dev.tessera.issuer.service.Administration;
import dev.tessera.storage.StorageConfig;
import dev.tessera.storage.StorageServer;
import dev.tessera.token.Profile;
import dev.tessera.token.keys.Algorithm;
import dev.tessera.web.HttpServer;
import dev.tessera.web.TrustedIssuer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * The seed architecture on loopback, from embedded defaults: a VO's issuer with people, groups and policy,
 * and a storage service that trusts it. Everything lives in one data directory.
 */
public final class DemoSite implements AutoCloseable {
    /** The VO, its one person and the capabilities policy gives her group. */
    public static final String VO = "demo";
    public static final String PERSON = "alice";
    public static final String GROUP = "/demo/analysis";
    /** What the group may have: read the public data, write in the person's own scratch area. */
    public static final String POLICY = "read:/data/public write:/data/scratch/{username}";
    /** What the storage service answers to: tokens for it name this audience. */
    public static final String AUDIENCE = "https://storage.demo.tessera.dev";
    /** The public client people and the token manager log in with. */
    public static final String LOGIN_CLIENT = "tessera get";

    private final IssuerServer issuer;
    private final HttpServer storage;
    private final String password;
    private final String clientId;
    private final Path root;

    private DemoSite(IssuerServer issuer, HttpServer storage, String password, String clientId, Path root) {
        this.issuer = issuer;
        this.storage = storage;
        this.password = password;
        this.clientId = clientId;
        this.root = root;
    }

    /** Starts both services with their state in {@code data}, a new directory. */
    public static DemoSite start(Path data) throws IOException, GeneralSecurityException {
        IssuerConfig config = new IssuerConfig(data.resolve("issuer"), "127.0.0.1", 0, null, null, null, null, null, null,
                Duration.ofMinutes(5), VO);
        IssuerServer issuer = IssuerServer.start(config, System.getenv());
        try (IssuerServer.Admin admin = IssuerServer.Admin.open(config, System.getenv())) {
            Administration a = admin.administration();
            Setup setup = setUp(a);
            issuer.refresh();
            Path root = tree(data.resolve("storage/root"));
            StorageConfig storageConfig = new StorageConfig(root, data.resolve("storage"), "127.0.0.1", 0, null, null,
                    List.of(issuer.tlsCertificate()), List.of(AUDIENCE),
                    List.of(new TrustedIssuer(a.vo(VO).issuer(), "/", List.of(), List.of(), null)));
            HttpServer storage = StorageServer.start(storageConfig.validate());
            return new DemoSite(issuer, storage, setup.password(), setup.clientId(), root);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            issuer.close();
            throw e;
        }
    }

    private record Setup(String password, String clientId) {
    }

    /** The person, her group's policy, and the public client people and the token manager log in with. */
    private static Setup setUp(Administration a) {
        String password = dev.tessera.issuer.service.Secrets.random(12);
        a.addUser(VO, PERSON, password.toCharArray(), List.of(GROUP));
        a.addRule(VO, PolicyRule.Kind.GROUP, GROUP, POLICY, PolicyRule.Effect.GRANT);
        Administration.NewClient login = a.addClient(VO, LOGIN_CLIENT, Set.of(Client.DEVICE_CODE, Client.REFRESH_TOKEN),
                "read:/data write:/data openid offline_access", List.of(), List.of(), true);
        return new Setup(password, login.client().clientId());
    }

    /** The data the jobs read, and the person's empty scratch area. */
    private static Path tree(Path root) throws IOException {
        Files.createDirectories(root.resolve("data/public"));
        Files.createDirectories(root.resolve("data/private"));
        Files.createDirectories(root.resolve("data/scratch/" + PERSON));
        Path input = root.resolve("data/public/events.csv");
        Files.writeString(input, "run,events\n1,1200\n2,3400\n3,2900\n");
        Files.writeString(root.resolve("data/private/embargoed.csv"), "run,events\n4,9999\n");
        return root;
    }

    public String issuerUrl() {
        return issuer.vos().stream().filter(v -> v.vo().name().equals(VO)).findFirst().orElseThrow().vo().issuer();
    }

    public String storageUrl() {
        return storage.url();
    }

    public Path issuerCertificate() {
        return issuer.tlsCertificate();
    }

    public Path storageCertificate() {
        return root.getParent().resolve("tls/server.pem");
    }

    public String password() {
        return password;
    }

    public String clientId() {
        return clientId;
    }

    public Path root() {
        return root;
    }

    @Override
    public void close() {
        try {
            storage.close();
        } finally {
            issuer.close();
        }
    }
}
