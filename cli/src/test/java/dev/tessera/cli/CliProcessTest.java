package dev.tessera.cli;

import static dev.tessera.cli.Cli.tessera;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.LIST;

import com.nimbusds.jose.jwk.JWKSet;
import dev.tessera.token.TokenVerifier;
import dev.tessera.token.VerifiedToken;
import dev.tessera.token.discovery.IssuerKeyCache;
import dev.tessera.token.jws.CompactJws;
import dev.tessera.token.jws.Json;
import dev.tessera.token.keys.Pem;
import dev.tessera.token.testing.StaticHttpsServer;
import dev.tessera.token.testing.TestCa;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tessera} as a separate process, for what cannot be set in-process: the environment
 * (BEARER_TOKEN, BEARER_TOKEN_FILE, XDG_RUNTIME_DIR, TESSERA_CA_FILE, TESSERA_KEY_PASSPHRASE,
 * TESSERA_MAX_LIFETIME) and standard input.
 */
class CliProcessTest {
    static final String AUDIENCE = "https://storage.example.org";

    @TempDir
    static Path shared;
    static TestCa ca;
    static Path caPem;
    static StaticHttpsServer server;
    static String issuer;
    static Path keys;
    static String token;
    static long uid;

    @TempDir
    Path dir;
    /** An empty runtime directory: discovery never falls back to the machine's /tmp/bt_u$UID. */
    Path runtime;
    final Map<String, String> env = new HashMap<>();

    record Run(int exit, String out, String err) {
        List<String> outLines() {
            return out.lines().toList();
        }

        Map<String, Object> json() throws Exception {
            return Json.parseObject(out.strip());
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout ---\n" + out + "--- stderr ---\n" + err;
        }
    }

    @BeforeAll
    static void simpleIssuer() throws Exception {
        ca = TestCa.create("tessera process test CA");
        caPem = ca.writeCaPem(shared.resolve("ca.pem"));
        keys = shared.resolve("keys");
        server = StaticHttpsServer.serve(ca, "", keys.resolve("public"));
        issuer = server.url();
        Cli.Result r = tessera("keygen", "--out", keys.toString(), "--kid", "k1", "--issuer", issuer);
        assertThat(r.exit()).as(r.toString()).isZero();
        Cli.Result created = tessera("create", "--key", keys.resolve("k1.pem").toString(), "--issuer", issuer,
                "--sub", "alice", "--scope", "read:/data", "--aud", AUDIENCE);
        assertThat(created.exit()).as(created.toString()).isZero();
        token = created.out().strip();
        uid = ((Number) Files.getAttribute(caPem, "unix:uid")).longValue();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void emptyRuntimeDir() throws IOException {
        runtime = Files.createDirectories(dir.resolve("runtime"));
        env.put("XDG_RUNTIME_DIR", runtime.toString());
    }

    Run runWithInput(String stdin, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                "dev.tessera.cli.Tessera"));
        command.addAll(List.of(args));
        Cli.Result r = Cli.process(command, env, stdin, dir);
        return new Run(r.exit(), r.out(), r.err());
    }

    Run run(String... args) throws Exception {
        return runWithInput(null, args);
    }

    Path tokenFile(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.writeString(file, token + "\n");
    }

    // --- decode ---

    @Test
    void decodeWithoutArgumentFindsBearerTokenFile() throws Exception {
        Path file = tokenFile(dir.resolve("my-token"));
        env.put("BEARER_TOKEN_FILE", file.toString());

        Run r = run("decode");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.outLines().get(0)).isEqualTo("Token from bearer token discovery: BEARER_TOKEN_FILE=" + file);
        assertThat(r.out()).contains("NOT VERIFIED").contains("\"sub\": \"alice\"");
    }

    @Test
    void decodeWithoutArgumentFindsBearerToken() throws Exception {
        env.put("BEARER_TOKEN", " " + token + "\n");
        env.put("BEARER_TOKEN_FILE", dir.resolve("ignored").toString());

        Run r = run("decode", "--json");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.json()).containsEntry("source", "bearer token discovery: BEARER_TOKEN").containsEntry("verified", false);
    }

    @Test
    void decodeWithoutArgumentFindsTheRuntimeDirFile() throws Exception {
        Path file = tokenFile(runtime.resolve("bt_u" + uid));

        Run r = run("decode", "-H");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.outLines().get(0)).isEqualTo("Token from bearer token discovery: " + file);
        assertThat(r.out()).contains("Remaining lifetime");
    }

    @Test
    void decodeWithoutAnyTokenIsAUsageErrorPointingToDiscover() throws Exception {
        Run r = run("decode");

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("no bearer token found").contains("tessera discover");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void decodeReadsStandardInput() throws Exception {
        Run r = runWithInput(token + "\n", "decode", "-");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("NOT VERIFIED").contains("\"iss\": \"" + issuer + "\"").doesNotContain("Token from");
    }

    @Test
    void decodeJsonFromStandardInputNamesTheSource() throws Exception {
        Run r = runWithInput(token, "decode", "--json", "-");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.json()).containsEntry("source", "standard input");
    }

    @Test
    void decodeEmptyStandardInputIsAUsageError() throws Exception {
        Run r = runWithInput("\n", "decode", "-");

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("no token on standard input");
    }

    // --- verify ---

    @Test
    void verifyTrustsTheCaInTesseraCaFile() throws Exception {
        env.put("TESSERA_CA_FILE", caPem.toString());

        Run r = run("verify", token, "--issuer", issuer, "--audience", AUDIENCE, "--explain");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("[ ok ] signature").contains("VALID: SciTokens 2.0 token from " + issuer);
    }

    @Test
    void verifyTesseraCaFileIsAColonSeparatedList() throws Exception {
        Path caDir = Files.createDirectories(dir.resolve("cas"));
        ca.writeCaPem(caDir.resolve("ca.pem"));
        Path other = TestCa.create("unrelated").writeCaPem(dir.resolve("other.pem"));
        env.put("TESSERA_CA_FILE", other + ":" + caDir);

        Run r = run("verify", token);

        assertThat(r.exit()).as(r.toString()).isZero();
    }

    @Test
    void verifyWithoutTesseraCaFileDoesNotTrustTheTestCa() throws Exception {
        Run r = run("verify", token, "--explain");

        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.out()).contains("INVALID (keys_unavailable)");
    }

    @Test
    void verifyCaFileOptionWinsOverTesseraCaFile() throws Exception {
        env.put("TESSERA_CA_FILE", dir.resolve("missing.pem").toString());

        Run r = run("verify", token, "--ca-file", caPem.toString());

        assertThat(r.exit()).as(r.toString()).isZero();
    }

    @Test
    void verifyMissingTesseraCaFileIsAUsageError() throws Exception {
        env.put("TESSERA_CA_FILE", dir.resolve("missing.pem").toString());

        Run r = run("verify", token);

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("missing.pem");
    }

    @Test
    void verifyWithoutArgumentUsesDiscoveryAndSaysWhere() throws Exception {
        env.put("BEARER_TOKEN", token);
        env.put("TESSERA_CA_FILE", caPem.toString());

        Run r = run("verify", "--explain");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.outLines().get(0)).matches("\\[    \\] token +from bearer token discovery: BEARER_TOKEN");
    }

    @Test
    void verifyReadsStandardInput() throws Exception {
        env.put("TESSERA_CA_FILE", caPem.toString());

        Run r = runWithInput(token + "\n", "verify", "--json", "-");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.json()).containsEntry("ok", true).containsEntry("source", "standard input");
    }

    // --- create ---

    static String encryptedPkcs8(PrivateKey key, String passphrase) throws Exception {
        JceOpenSSLPKCS8EncryptorBuilder encryptor = new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC)
                .setProvider(new BouncyCastleProvider());
        encryptor.setPassword(passphrase.toCharArray());
        StringWriter pem = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(pem)) {
            writer.writeObject(new JcaPKCS8Generator(key, encryptor.build()));
        }
        return pem.toString();
    }

    /** An encrypted copy of k1.pem beside the keygen jwks.json. */
    Path encryptedKey(String passphrase) throws Exception {
        PrivateKey key = Pem.readKeyPair(Files.readString(keys.resolve("k1.pem")), null).getPrivate();
        String pem = encryptedPkcs8(key, passphrase);
        assertThat(pem).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");
        return Files.writeString(keys.resolve("k1-encrypted-" + System.nanoTime() + ".pem"), pem);
    }

    @Test
    void createWithAnEncryptedKeyReadsTheKeyPassphrase() throws Exception {
        Path key = encryptedKey("correct horse");
        env.put("TESSERA_KEY_PASSPHRASE", "correct horse");

        Run r = run("create", "--key", key.toString(), "--issuer", issuer, "--sub", "alice", "--aud", AUDIENCE);

        assertThat(r.exit()).as(r.toString()).isZero();
        String minted = r.out().strip();
        assertThat(CompactJws.parse(minted, CompactJws.DEFAULT_MAX_LENGTH).header()).containsEntry("kid", "k1");
        JWKSet jwks = JWKSet.parse(Files.readString(keys.resolve("jwks.json")));
        VerifiedToken verified = TokenVerifier.builder().issuer(issuer).audience(AUDIENCE)
                .keys(IssuerKeyCache.builder().fetcher((iss, trace) -> jwks).build()).build().verify(minted);
        assertThat(verified.subject()).isEqualTo("alice");
        assertThat(r.out() + r.err()).doesNotContain("correct horse");
    }

    @Test
    void createWithAnEncryptedKeyAndNoPassphraseSaysWhatToSet() throws Exception {
        Path key = encryptedKey("correct horse");

        Run r = run("create", "--key", key.toString(), "--issuer", issuer, "--sub", "alice");

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("passphrase").contains("TESSERA_KEY_PASSPHRASE");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void createWithTheWrongPassphraseIsAUsageError() throws Exception {
        Path key = encryptedKey("correct horse");
        env.put("TESSERA_KEY_PASSPHRASE", "battery staple");

        Run r = run("create", "--key", key.toString(), "--issuer", issuer, "--sub", "alice");

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("wrong passphrase").doesNotContain("battery staple");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void createHonoursTesseraMaxLifetime() throws Exception {
        env.put("TESSERA_MAX_LIFETIME", "1h");
        String key = keys.resolve("k1.pem").toString();

        Run refused = run("create", "--key", key, "--issuer", issuer, "--sub", "alice", "--lifetime", "2h");
        assertThat(refused.exit()).as(refused.toString()).isEqualTo(2);
        assertThat(refused.err()).contains("2h").contains("1h");

        Run overridden = run("create", "--key", key, "--issuer", issuer, "--sub", "alice", "--lifetime", "2h",
                "--max-lifetime", "3h");
        assertThat(overridden.exit()).as(overridden.toString()).isZero();
    }

    @Test
    void createInvalidTesseraMaxLifetimeIsAUsageError() throws Exception {
        env.put("TESSERA_MAX_LIFETIME", "forever");

        Run r = run("create", "--key", keys.resolve("k1.pem").toString(), "--issuer", issuer, "--sub", "alice");

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("forever");
    }

    // --- discover ---

    @Test
    void discoverFindsBearerTokenFile() throws Exception {
        Path file = tokenFile(dir.resolve("bt"));
        env.put("BEARER_TOKEN_FILE", file.toString());

        Run r = run("discover");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("BEARER_TOKEN").contains("not set")
                .contains("Token found in BEARER_TOKEN_FILE=" + file);
        assertThat(r.out()).doesNotContain(token);
    }

    @Test
    void discoverFindsBearerToken() throws Exception {
        env.put("BEARER_TOKEN", token);

        Run r = run("discover");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("Token found in BEARER_TOKEN").doesNotContain(token);
    }

    @Test
    void discoverWithNoTokenNamesTheDefaultFile() throws Exception {
        Run r = run("discover");

        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        Path expected = runtime.resolve("bt_u" + uid);
        assertThat(r.out()).contains(expected + " ").contains("no such file")
                .contains("No token: no bearer token found").contains("Tools that write one use " + expected);
    }

    @Test
    void discoverRefusesAFileThatIsNotABearerToken() throws Exception {
        Path file = Files.writeString(dir.resolve("bad"), "not a token\n");
        env.put("BEARER_TOKEN_FILE", file.toString());

        Run r = run("discover");

        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        assertThat(r.out()).contains("not a valid bearer token");
    }

    @Test
    void discoverJson() throws Exception {
        Path file = tokenFile(dir.resolve("bt"));
        env.put("BEARER_TOKEN_FILE", file.toString());

        Run r = run("discover", "--json");

        assertThat(r.exit()).as(r.toString()).isZero();
        Map<String, Object> json = r.json();
        assertThat(json).containsOnlyKeys("found", "source", "error", "steps", "default_file");
        assertThat(json).containsEntry("found", true).containsEntry("source", "BEARER_TOKEN_FILE=" + file)
                .containsEntry("error", null).containsEntry("default_file", runtime.resolve("bt_u" + uid).toString());
        assertThat(json.get("steps")).asInstanceOf(LIST).containsExactly(
                Map.of("source", "BEARER_TOKEN", "outcome", "not set"),
                Map.of("source", "BEARER_TOKEN_FILE=" + file, "outcome", "token found"));
        assertThat(r.out()).doesNotContain(token);
    }

    @Test
    void discoverJsonWhenNothingIsFound() throws Exception {
        Run r = run("discover", "--json");

        assertThat(r.exit()).as(r.toString()).isEqualTo(1);
        Map<String, Object> json = r.json();
        assertThat(json).containsEntry("found", false).containsEntry("source", null)
                .containsEntry("default_file", runtime.resolve("bt_u" + uid).toString());
        assertThat((String) json.get("error")).contains("no bearer token found");
        assertThat(json.get("steps")).asInstanceOf(LIST).hasSize(3);
    }
}
