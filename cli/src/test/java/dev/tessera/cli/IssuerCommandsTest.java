package dev.tessera.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tessera issuer} admin commands on a data directory: the contract scripts rely on. */
class IssuerCommandsTest {
    @TempDir
    Path dir;
    String data;

    @BeforeEach
    void aVo() {
        data = dir.resolve("issuer").toString();
        Cli.Result vo = Cli.tessera("issuer", "vo", "add", "--data", data, "--name", "ligo", "--public-url",
                "https://tokens.example.org", "--json");
        assertThat(vo.exit()).as(vo.toString()).isZero();
        assertThat(vo.json()).containsEntry("iss", "https://tokens.example.org/vo/ligo");
    }

    @Test
    void aVoWithItsOwnLifetimes() {
        Cli.Result vo = Cli.tessera("issuer", "vo", "add", "--data", data, "--name", "cms", "--public-url",
                "https://tokens.example.org", "--profile", "wlcg", "--refresh-lifetime", "30d", "--device-code-lifetime", "5m",
                "--id-token-lifetime", "2m", "--json");
        assertThat(vo.exit()).as(vo.toString()).isZero();
        assertThat(vo.json()).containsEntry("refresh_lifetime", "30d").containsEntry("device_code_lifetime", "5m")
                .containsEntry("id_token_lifetime", "2m");
        Cli.Result client = Cli.tessera("issuer", "client", "add", "--data", data, "--vo", "cms", "--name", "kiosk",
                "--grant", "urn:ietf:params:oauth:grant-type:device_code", "--public", "--device-code-lifetime", "2m");
        assertThat(client.exit()).as(client.toString()).isZero();
        assertThat(Cli.tessera("issuer", "client", "list", "--data", data, "--vo", "cms", "--json").out())
                .contains("\"device_code\": \"2m\"");
    }

    @Test
    void infoNamesTheIssuersAndTheCertificate() {
        Cli.Result info = Cli.tessera("issuer", "info", "--data", data, "--json");
        assertThat(info.exit()).as(info.toString()).isZero();
        assertThat(info.json().get("issuers").toString()).contains("vo=ligo", "iss=https://tokens.example.org/vo/ligo");
        assertThat(info.json().get("tls_cert")).isEqualTo(Path.of(data, "tls", "server.pem").toAbsolutePath().toString());
    }

    @Test
    void clientAddPrintsTheIdAndTheSecretOnce() {
        Cli.Result added = Cli.tessera("issuer", "client", "add", "--data", data, "--vo", "ligo", "--name", "robot",
                "--grant", "client_credentials", "--scope", "read:/ligo compute.create", "--json");
        assertThat(added.exit()).as(added.toString()).isZero();
        Map<String, Object> json = added.json();
        assertThat(json.get("client_id")).asString().isNotBlank();
        assertThat(json.get("client_secret")).asString().hasSizeGreaterThanOrEqualTo(43);

        Cli.Result listed = Cli.tessera("issuer", "client", "list", "--data", data, "--json");
        assertThat(listed.out()).contains((String) json.get("client_id"), "read:/ligo compute.create")
                .doesNotContain((String) json.get("client_secret"));

        Cli.Result publicClient = Cli.tessera("issuer", "client", "add", "--data", data, "--name", "cli",
                "--grant", "urn:ietf:params:oauth:grant-type:device_code", "--public", "--json");
        assertThat(publicClient.exit()).as(publicClient.toString()).isZero();
        assertThat(publicClient.json()).containsKey("client_id").doesNotContainKey("client_secret");
    }

    @Test
    void aClientWithKeysAndItsOwnLifetimes() throws Exception {
        Path jwks = dir.resolve("robot.jwks");
        Cli.Result keygen = Cli.tessera("keygen", "--alg", "ES256", "--kid", "robot-1", "--out", dir.resolve("keys").toString());
        assertThat(keygen.exit()).as(keygen.toString()).isZero();
        java.nio.file.Files.copy(dir.resolve("keys/jwks.json"), jwks);
        Cli.Result added = Cli.tessera("issuer", "client", "add", "--data", data, "--name", "pilot factory", "--grant",
                "client_credentials", "--scope", "compute.create", "--jwks", jwks.toString(), "--access-lifetime", "5m",
                "--max-access-lifetime", "30m", "--json");
        assertThat(added.exit()).as(added.toString()).isZero();
        assertThat(added.json()).containsKey("client_id").doesNotContainKey("client_secret");
        Cli.Result listed = Cli.tessera("issuer", "client", "list", "--data", data, "--json");
        assertThat(listed.out()).contains("private_key_jwt");

        Cli.Result inconsistent = Cli.tessera("issuer", "client", "add", "--data", data, "--name", "x", "--grant",
                "client_credentials", "--access-lifetime", "2h", "--max-access-lifetime", "1h");
        assertThat(inconsistent.exit()).isEqualTo(2);
        assertThat(inconsistent.err()).contains("exceeds");
        Cli.Result privateKey = Cli.tessera("issuer", "client", "add", "--data", data, "--name", "x", "--grant",
                "client_credentials", "--jwks", dir.resolve("keys").resolve(keyFile(dir.resolve("keys"))).toString());
        assertThat(privateKey.exit()).isEqualTo(2);
    }

    /** The private key file keygen wrote (not a JWKS: refused as one). */
    private static String keyFile(Path keys) throws Exception {
        try (var files = java.nio.file.Files.list(keys)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".pem")).findFirst().orElseThrow();
        }
    }

    @Test
    void anAdministratorsLostPasswordIsReplacedByAOneTimeOne() {
        Cli.Result reset = Cli.tessera("issuer", "admin", "--data", data, "--json");
        assertThat(reset.exit()).as(reset.toString()).isZero();
        assertThat(reset.json()).containsEntry("username", "admin");
        assertThat((String) reset.json().get("one_time_password")).hasSizeGreaterThanOrEqualTo(24);
        Cli.Result again = Cli.tessera("issuer", "admin", "--data", data, "--username", "ops");
        assertThat(again.out()).contains("One-time password for ops");
        assertThat(Cli.tessera("issuer", "admin", "--data", data, "--username", "-x").exit()).isEqualTo(2);
    }

    @Test
    void badClientsAreUsageErrors() {
        Cli.Result badScope = Cli.tessera("issuer", "client", "add", "--data", data, "--name", "x", "--grant",
                "client_credentials", "--scope", "read:/a/../b");
        assertThat(badScope.exit()).isEqualTo(2);
        assertThat(badScope.err()).contains("invalid scope");
        Cli.Result badGrant = Cli.tessera("issuer", "client", "add", "--data", data, "--name", "x", "--grant", "password");
        assertThat(badGrant.exit()).isEqualTo(2);
        assertThat(badGrant.err()).contains("unknown grant type password");
        Cli.Result publicRobot = Cli.tessera("issuer", "client", "add", "--data", data, "--name", "x", "--grant",
                "client_credentials", "--public");
        assertThat(publicRobot.exit()).isEqualTo(2);
        Cli.Result noVo = Cli.tessera("issuer", "client", "add", "--data", data, "--vo", "cms", "--name", "x", "--grant",
                "client_credentials");
        assertThat(noVo.exit()).isEqualTo(2);
        assertThat(noVo.err()).contains("no VO named cms");
    }

    @Test
    void withSeveralVosTheVoMustBeNamed() {
        assertThat(Cli.tessera("issuer", "vo", "add", "--data", data, "--name", "cms", "--public-url",
                "https://tokens.example.org", "--profile", "wlcg", "--alg", "RS256").exit()).isZero();
        Cli.Result ambiguous = Cli.tessera("issuer", "client", "list", "--data", data);
        assertThat(ambiguous.exit()).isEqualTo(2);
        assertThat(ambiguous.err()).contains("several VOs", "cms", "ligo");
        Cli.Result vos = Cli.tessera("issuer", "vo", "list", "--data", data);
        assertThat(vos.out()).contains("WLCG 1.x, RS256", "SciTokens 2.0, ES256");
    }

    @Test
    void usersGroupsAndPolicyExplainedAsADryRun() throws Exception {
        Cli.Result robot = Cli.tessera("issuer", "client", "add", "--data", data, "--name", "portal", "--grant",
                "urn:ietf:params:oauth:grant-type:device_code", "--public", "--scope", "read:/ligo write:/home/{username}",
                "--json");
        String clientId = (String) robot.json().get("client_id");
        Cli.Result user = withStdin("correct horse battery staple\n", () -> Cli.tessera("issuer", "user", "add", "--data",
                data, "--username", "alice", "--password-stdin", "--group", "/ligo", "--claim", "uidNumber:=5001",
                "--claim", "homeDirectory=/home/alice", "--json"));
        assertThat(user.exit()).as(user.toString()).isZero();
        assertThat(user.json().get("sub")).asString().isNotEqualTo("alice");
        assertThat(user.json().get("claims").toString()).contains("uidNumber=5001", "homeDirectory=/home/alice");
        Cli.Result reserved = withStdin("correct horse battery staple\n", () -> Cli.tessera("issuer", "user", "add", "--data",
                data, "--username", "mallory", "--password-stdin", "--claim", "sub=alice"));
        assertThat(reserved.exit()).isEqualTo(2);
        assertThat(Cli.tessera("issuer", "user", "list", "--data", data).out()).doesNotContain("mallory");
        assertThat(Cli.tessera("issuer", "policy", "add", "--data", data, "--group", "/ligo", "--scope",
                "read:/ligo write:/home/{username}").exit()).isZero();
        assertThat(Cli.tessera("issuer", "policy", "add", "--data", data, "--group", "/ligo", "--scope",
                "read:/ligo/embargoed", "--deny").exit()).isZero();

        Cli.Result explained = Cli.tessera("issuer", "policy", "explain", "--data", data, "--user", "alice", "--client",
                clientId, "--scope", "read:/ligo/O3 read:/ligo/embargoed/x write:/home/alice/out write:/home/bob");
        assertThat(explained.exit()).as(explained.toString()).isZero();
        assertThat(explained.outLines()).anySatisfy(l -> assertThat(l).startsWith("GRANTED").contains("read:/ligo/O3",
                "group /ligo grants"));
        assertThat(explained.outLines()).anySatisfy(l -> assertThat(l).startsWith("REFUSED").contains(
                "read:/ligo/embargoed/x", "denies"));
        assertThat(explained.outLines()).anySatisfy(l -> assertThat(l).startsWith("REFUSED").contains("write:/home/bob"));
        assertThat(explained.lastLine()).isEqualTo("scope: read:/ligo/O3 write:/home/alice/out");

        Cli.Result nothing = Cli.tessera("issuer", "policy", "explain", "--data", data, "--user", "alice", "--client",
                clientId, "--scope", "write:/ligo", "--json");
        assertThat(nothing.exit()).isEqualTo(1);
        assertThat(nothing.json().get("granted")).isEqualTo("");

        Cli.Result weakPassword = withStdin("short\n", () -> Cli.tessera("issuer", "user", "add", "--data", data,
                "--username", "bob", "--password-stdin"));
        assertThat(weakPassword.exit()).isEqualTo(2);
        assertThat(weakPassword.err()).contains("at least 12 characters");
    }

    @Test
    void keysRotateWithAPrepublishedSuccessor() {
        Cli.Result rotated = Cli.tessera("issuer", "keys", "rotate", "--data", data, "--prepublish", "2h", "--json");
        assertThat(rotated.exit()).as(rotated.toString()).isZero();
        Cli.Result keys = Cli.tessera("issuer", "keys", "list", "--data", data, "--json");
        assertThat(keys.out()).contains((String) rotated.json().get("kid"));
        Cli.Result again = Cli.tessera("issuer", "keys", "rotate", "--data", data);
        assertThat(again.exit()).isEqualTo(2);
        assertThat(again.err()).contains("already waits");
    }

    @Test
    void keysRotateOnAScheduleOrByHand() {
        Cli.Result scheduled = Cli.tessera("issuer", "keys", "schedule", "--data", data, "--every", "90d", "--json");
        assertThat(scheduled.exit()).as(scheduled.toString()).isZero();
        assertThat(scheduled.json()).containsEntry("vo", "ligo").containsEntry("rotate_every", "90d");
        Cli.Result off = Cli.tessera("issuer", "keys", "schedule", "--data", data, "--off");
        assertThat(off.out()).contains("only by hand");
        assertThat(Cli.tessera("issuer", "keys", "schedule", "--data", data, "--every", "2h").exit()).isEqualTo(2);
        assertThat(Cli.tessera("issuer", "keys", "schedule", "--data", data).exit()).as("--every or --off").isEqualTo(2);
    }

    private static Cli.Result withStdin(String input, java.util.function.Supplier<Cli.Result> run) {
        InputStream saved = System.in;
        System.setIn(new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)));
        try {
            return run.get();
        } finally {
            System.setIn(saved);
        }
    }
}
