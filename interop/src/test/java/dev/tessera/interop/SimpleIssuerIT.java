package dev.tessera.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.cli.Tessera;
import dev.tessera.token.testing.StaticHttpsServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The OSG "simple issuer": {@code tessera keygen --issuer} writes a directory that a plain static https
 * server publishes; {@code tessera create} mints with the key. scitokens-cpp accepts those tokens, and
 * {@code tessera verify} accepts tokens scitokens-cpp mints with the same key.
 */
class SimpleIssuerIT {
    private static final String AUDIENCE = "https://storage.example.org";

    @TempDir
    static Path dir;
    private static StaticHttpsServer server;
    private static String issuer;
    private static Path key;

    /** What a run of the command printed, and its exit status. */
    private record Run(int exit, String out, String err) {
    }

    private static Run tessera(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Tessera.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    @BeforeAll
    static void publishSimpleIssuer() throws Exception {
        Peers.require("scitokens-create", "scitokens-verify", "scitokens-test-access");
        Path keys = dir.resolve("keys");
        Files.createDirectories(keys);
        // the URL is known only once the server listens; it serves keys/public under /vo
        server = StaticHttpsServer.serve(Peers.trustedCa(), "/vo", keys.resolve("public"));
        issuer = server.url();
        Run keygen = tessera("keygen", "--alg", "ES256", "--out", keys.toString(), "--issuer", issuer);
        assertThat(keygen.exit()).as(keygen.err()).isZero();
        try (Stream<Path> files = Files.list(keys)) {
            key = files.filter(p -> p.toString().endsWith(".pem")).findFirst().orElseThrow();
        }
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static Peers.Result cpp(String... command) {
        return Peers.run(Map.of("XDG_CACHE_HOME", dir.resolve("cpp-cache").toString()), command);
    }

    @Test
    void scitokensCppAcceptsTokensFromTesseraCreate() {
        Run created = tessera("create", "--key", key.toString(), "--issuer", issuer, "--sub", "alice",
                "--scope", "read:/data write:/data/out", "--aud", AUDIENCE);
        assertThat(created.exit()).as(created.err()).isZero();
        String token = created.out().trim();

        assertThat(cpp("scitokens-verify", token).output()).contains("Token deserialization successful");
        assertThat(cpp("scitokens-test-access", token, issuer, AUDIENCE, "read", "/data/x").exit()).isZero();
        assertThat(cpp("scitokens-test-access", token, issuer, AUDIENCE, "write", "/data/x").exit()).isNotZero();
        assertThat(server.hits("/vo/jwks.json")).as("scitokens-cpp fetched the published JWKS").isPositive();
    }

    @Test
    void tesseraVerifyAcceptsTokensFromScitokensCreate() throws Exception {
        Path pub = dir.resolve("pub.pem");
        Run kid = tessera("create", "--key", key.toString(), "--issuer", issuer, "--sub", "x", "--json");
        String keyId = kid.out().replaceAll("(?s).*\"kid\":\"([^\"]+)\".*", "$1").trim();
        Files.writeString(pub, dev.tessera.token.keys.Pem.write(
                dev.tessera.token.keys.Pem.readKeyPair(Files.readString(key), null).getPublic()));
        Peers.Result created = cpp("scitokens-create", "--cred", pub.toString(), "--key", key.toString(),
                "--keyid", keyId, "--issuer", issuer, "--profile", "scitokens2",
                "--claim", "sub=bob", "--claim", "scope=read:/data", "--claim", "aud=" + AUDIENCE);
        assertThat(created.exit()).as(created.output()).isZero();
        String token = created.stdout().trim();

        Run verified = tessera("verify", token, "--issuer", issuer, "--audience", AUDIENCE,
                "--ca-file", Peers.CA_PEM.toString(), "--test", "read:/data/file", "--explain");
        assertThat(verified.exit()).as(verified.out() + verified.err()).isZero();
        assertThat(verified.out()).contains("VALID: SciTokens 2.0", "ALLOWED: read:/data/file");

        Run sibling = tessera("verify", token, "--issuer", issuer, "--audience", AUDIENCE,
                "--ca-file", Peers.CA_PEM.toString(), "--test", "read:/database");
        assertThat(sibling.exit()).isEqualTo(1);
        assertThat(cpp("scitokens-test-access", token, issuer, AUDIENCE, "read", "/database").exit())
                .as("scitokens-cpp 0.7.3's sibling-prefix bug").isZero();
        assertThat(List.of(verified.exit(), sibling.exit())).containsExactly(0, 1);
    }
}
