package dev.tessera.cli;

import static dev.tessera.cli.Cli.mode;
import static dev.tessera.cli.Cli.read;
import static dev.tessera.cli.Cli.readJson;
import static dev.tessera.cli.Cli.tessera;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.LIST;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import dev.tessera.token.keys.Pem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code tessera keygen}: key files and their modes, kids, RSA sizes, refusals, rotation, the simple issuer. */
class KeygenCommandTest {
    static final String ISSUER = "https://tokens.example.org/vo";

    @TempDir
    Path dir;

    static JWKSet jwks(Path file) throws Exception {
        return JWKSet.parse(Files.readString(file));
    }

    static List<String> kids(Path file) throws Exception {
        return jwks(file).getKeys().stream().map(JWK::getKeyID).toList();
    }

    static Path onlyPem(Path dir) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> pems = files.filter(p -> p.getFileName().toString().endsWith(".pem")).toList();
            assertThat(pems).hasSize(1);
            return pems.get(0);
        }
    }

    @Test
    void writesPrivateKeyOwnerOnlyAndPublicFilesWorldReadable() throws Exception {
        Cli.Result r = tessera("keygen", "--out", dir.toString(), "--kid", "k1", "--issuer", ISSUER);

        assertThat(r.exit()).as(r.toString()).isZero();
        Path key = dir.resolve("k1.pem");
        assertThat(mode(key)).isEqualTo("rw-------");
        assertThat(mode(dir.resolve("jwks.json"))).isEqualTo("rw-r--r--");
        assertThat(mode(dir.resolve("public/.well-known/openid-configuration"))).isEqualTo("rw-r--r--");
        assertThat(mode(dir.resolve("public/jwks.json"))).isEqualTo("rw-r--r--");
        assertThat(read(key)).startsWith("-----BEGIN PRIVATE KEY-----");
        KeyPair pair = Pem.readKeyPair(read(key), null);
        assertThat(pair.getPrivate()).isInstanceOf(ECPrivateKey.class);
        // the JWKS publishes the public half of exactly this key
        ECKey published = (ECKey) jwks(dir.resolve("jwks.json")).getKeyByKeyId("k1");
        assertThat(published.toPublicKey()).isEqualTo(pair.getPublic());
        assertThat(published.getAlgorithm().getName()).isEqualTo("ES256");
        assertThat(read(dir.resolve("public/jwks.json"))).isEqualTo(read(dir.resolve("jwks.json")));
        // no leftovers of the atomic writes
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("k1.pem", "jwks.json", "public");
        }
    }

    @Test
    void withoutIssuerNoPublicDirectory() throws Exception {
        Cli.Result r = tessera("keygen", "--out", dir.toString(), "--kid", "k1");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(dir.resolve("k1.pem")).exists();
        assertThat(dir.resolve("jwks.json")).exists();
        assertThat(dir.resolve("public")).doesNotExist();
    }

    @Test
    void defaultKidIsAlgorithmAndEightCharactersOfTheThumbprint() throws Exception {
        Cli.Result r = tessera("keygen", "--out", dir.toString());

        assertThat(r.exit()).as(r.toString()).isZero();
        List<JWK> keys = jwks(dir.resolve("jwks.json")).getKeys();
        assertThat(keys).hasSize(1);
        String kid = keys.get(0).getKeyID();
        assertThat(kid).matches("es256-[A-Za-z0-9_-]{8}");
        assertThat(keys.get(0).computeThumbprint().toString()).startsWith(kid.substring("es256-".length()));
        assertThat(onlyPem(dir).getFileName().toString()).isEqualTo(kid + ".pem");
        assertThat(r.out()).contains(kid);
    }

    @Test
    void explicitKidNamesTheKeyAndItsFile() throws Exception {
        Cli.Result r = tessera("keygen", "--out", dir.toString(), "--kid", "site-2025");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(kids(dir.resolve("jwks.json"))).containsExactly("site-2025");
        assertThat(dir.resolve("site-2025.pem")).exists();
    }

    @Test
    void rs256WithBits() throws Exception {
        Cli.Result r = tessera("keygen", "--alg", "RS256", "--bits", "3072", "--out", dir.toString());

        assertThat(r.exit()).as(r.toString()).isZero();
        JWK jwk = jwks(dir.resolve("jwks.json")).getKeys().get(0);
        assertThat(jwk).isInstanceOf(RSAKey.class);
        assertThat(jwk.getKeyID()).matches("rs256-[A-Za-z0-9_-]{8}");
        assertThat(jwk.getAlgorithm().getName()).isEqualTo("RS256");
        assertThat(((RSAKey) jwk).size()).isEqualTo(3072);
        KeyPair pair = Pem.readKeyPair(read(onlyPem(dir)), null);
        assertThat(((RSAPrivateCrtKey) pair.getPrivate()).getModulus().bitLength()).isEqualTo(3072);
    }

    @Test
    void rs256DefaultsTo2048Bits() throws Exception {
        Cli.Result r = tessera("keygen", "--alg", "RS256", "--out", dir.toString());

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(((RSAKey) jwks(dir.resolve("jwks.json")).getKeys().get(0)).size()).isEqualTo(2048);
    }

    @Test
    void fewerThan2048BitsIsAUsageError() {
        Cli.Result r = tessera("keygen", "--alg", "RS256", "--bits", "1024", "--out", dir.toString());

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("2048");
        assertThat(dir.resolve("jwks.json")).doesNotExist();
    }

    @Test
    void unknownAlgorithmIsAUsageError() {
        Cli.Result r = tessera("keygen", "--alg", "HS256", "--out", dir.toString());

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(dir.resolve("jwks.json")).doesNotExist();
    }

    @Test
    void refusesToOverwriteTheJwksWithoutForce() throws Exception {
        assertThat(tessera("keygen", "--out", dir.toString(), "--kid", "k1").exit()).isZero();
        String jwksBefore = read(dir.resolve("jwks.json"));
        String keyBefore = read(dir.resolve("k1.pem"));

        Cli.Result r = tessera("keygen", "--out", dir.toString(), "--kid", "k2");

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("jwks.json").contains("--add").contains("--force");
        assertThat(read(dir.resolve("jwks.json"))).isEqualTo(jwksBefore);
        assertThat(read(dir.resolve("k1.pem"))).isEqualTo(keyBefore);
        assertThat(dir.resolve("k2.pem")).doesNotExist();
    }

    @Test
    void refusesToOverwriteAPrivateKeyWithoutForce() throws Exception {
        assertThat(tessera("keygen", "--out", dir.toString(), "--kid", "k1").exit()).isZero();
        String keyBefore = read(dir.resolve("k1.pem"));
        Files.delete(dir.resolve("jwks.json")); // only the key is in the way

        Cli.Result r = tessera("keygen", "--out", dir.toString(), "--kid", "k1");

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("k1.pem").contains("--force");
        assertThat(read(dir.resolve("k1.pem"))).isEqualTo(keyBefore);
        assertThat(dir.resolve("jwks.json")).doesNotExist();
    }

    @Test
    void forceOverwritesKeyAndJwks() throws Exception {
        assertThat(tessera("keygen", "--out", dir.toString(), "--kid", "k1").exit()).isZero();
        String keyBefore = read(dir.resolve("k1.pem"));
        String jwksBefore = read(dir.resolve("jwks.json"));

        Cli.Result r = tessera("keygen", "--out", dir.toString(), "--kid", "k1", "--force");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(read(dir.resolve("k1.pem"))).isNotEqualTo(keyBefore);
        assertThat(read(dir.resolve("jwks.json"))).isNotEqualTo(jwksBefore);
        assertThat(kids(dir.resolve("jwks.json"))).containsExactly("k1");
        assertThat(mode(dir.resolve("k1.pem"))).isEqualTo("rw-------");
    }

    @Test
    void addKeepsOldKeysAndRepublishesForTheSameIssuer() throws Exception {
        assertThat(tessera("keygen", "--out", dir.toString(), "--kid", "k1", "--issuer", ISSUER).exit()).isZero();
        String k1 = read(dir.resolve("k1.pem"));
        JWK k1Public = jwks(dir.resolve("jwks.json")).getKeyByKeyId("k1");

        Cli.Result r = tessera("keygen", "--add", "--out", dir.toString(), "--kid", "k2");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(kids(dir.resolve("jwks.json"))).containsExactly("k1", "k2");
        assertThat(kids(dir.resolve("public/jwks.json"))).containsExactly("k1", "k2");
        assertThat(jwks(dir.resolve("jwks.json")).getKeyByKeyId("k1")).isEqualTo(k1Public);
        assertThat(read(dir.resolve("k1.pem"))).isEqualTo(k1);
        assertThat(dir.resolve("k2.pem")).exists();
        assertThat(mode(dir.resolve("k2.pem"))).isEqualTo("rw-------");
        Map<String, Object> metadata = readJson(dir.resolve("public/.well-known/openid-configuration"));
        assertThat(metadata).containsEntry("issuer", ISSUER).containsEntry("jwks_uri", ISSUER + "/jwks.json");
        assertThat(r.out()).contains("2 keys").contains("Rotation");
    }

    @Test
    void addWithoutIssuerMetadataPublishesNothing() throws Exception {
        assertThat(tessera("keygen", "--out", dir.toString(), "--kid", "k1").exit()).isZero();

        Cli.Result r = tessera("keygen", "--add", "--alg", "RS256", "--out", dir.toString(), "--kid", "k2");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(kids(dir.resolve("jwks.json"))).containsExactly("k1", "k2");
        assertThat(dir.resolve("public")).doesNotExist();
    }

    @Test
    void addWithADuplicateKidIsAUsageError() throws Exception {
        assertThat(tessera("keygen", "--out", dir.toString(), "--kid", "k1").exit()).isZero();
        String jwksBefore = read(dir.resolve("jwks.json"));
        String keyBefore = read(dir.resolve("k1.pem"));

        Cli.Result r = tessera("keygen", "--add", "--out", dir.toString(), "--kid", "k1");

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("k1").contains("already");
        assertThat(read(dir.resolve("jwks.json"))).isEqualTo(jwksBefore);
        assertThat(read(dir.resolve("k1.pem"))).isEqualTo(keyBefore);
    }

    @Test
    void addWithoutAnExistingJwksIsAUsageError() {
        Cli.Result r = tessera("keygen", "--add", "--out", dir.toString(), "--kid", "k1");

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("--add").contains("jwks.json");
        assertThat(dir.resolve("k1.pem")).doesNotExist();
        assertThat(dir.resolve("jwks.json")).doesNotExist();
    }

    @Test
    void plainHttpIssuerIsAUsageError() {
        Cli.Result r = tessera("keygen", "--out", dir.toString(), "--issuer", "http://tokens.example.org");

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("https");
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void kidCannotWriteOutsideTheOutputDirectory() throws Exception {
        Path out = Files.createDirectories(dir.resolve("keys"));

        Cli.Result r = tessera("keygen", "--out", out.toString(), "--kid", "../escaped");

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(dir.resolve("escaped.pem")).doesNotExist();
    }

    @ParameterizedTest
    @ValueSource(strings = {"my key", "a/b", "k..1", "k\u00e9"})
    void kidThatVerifiersRefuseIsAUsageError(String kid) {
        Cli.Result r = tessera("keygen", "--out", dir.resolve("keys").toString(), "--kid", kid);

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("kid");
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://", "https://tokens.example.org/vo?x=1", "https://tokens.example.org/vo#frag"})
    void issuerThatCreateRefusesIsAUsageError(String issuer) {
        Cli.Result r = tessera("keygen", "--out", dir.resolve("keys").toString(), "--issuer", issuer);

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(dir.resolve("keys")).doesNotExist();
    }

    @Test
    void missingOutIsAUsageError() {
        Cli.Result r = tessera("keygen");

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("--out");
    }

    @Test
    void metadataNamesTheIssuerAndItsJwksUri() throws Exception {
        Cli.Result r = tessera("keygen", "--out", dir.toString(), "--issuer", ISSUER);

        assertThat(r.exit()).as(r.toString()).isZero();
        Map<String, Object> metadata = readJson(dir.resolve("public/.well-known/openid-configuration"));
        assertThat(metadata.get("issuer")).isEqualTo(ISSUER);
        assertThat(metadata.get("jwks_uri")).isEqualTo(ISSUER + "/jwks.json");
        assertThat(metadata.get("id_token_signing_alg_values_supported")).asInstanceOf(LIST).contains("ES256");
    }

    @Test
    void metadataWithATrailingSlashIssuerKeepsTheIssuerExact() throws Exception {
        Cli.Result r = tessera("keygen", "--out", dir.toString(), "--issuer", ISSUER + "/");

        assertThat(r.exit()).as(r.toString()).isZero();
        Map<String, Object> metadata = readJson(dir.resolve("public/.well-known/openid-configuration"));
        assertThat(metadata.get("issuer")).isEqualTo(ISSUER + "/"); // iss must match the token exactly
        assertThat(metadata.get("jwks_uri")).isEqualTo(ISSUER + "/jwks.json");
    }

    @Test
    void jsonOutput() throws Exception {
        Cli.Result r = tessera("keygen", "--out", dir.toString(), "--kid", "k1", "--issuer", ISSUER, "--json");

        assertThat(r.exit()).as(r.toString()).isZero();
        Map<String, Object> json = r.json();
        assertThat(json).containsEntry("kid", "k1")
                .containsEntry("algorithm", "ES256")
                .containsEntry("private_key", dir.resolve("k1.pem").toString())
                .containsEntry("jwks", dir.resolve("jwks.json").toString())
                .containsEntry("keys", 1L)
                .containsEntry("issuer", ISSUER)
                .containsEntry("publish_dir", dir.resolve("public").toString());
    }

    @Test
    void jsonOutputWithoutIssuerHasNoPublishDir() throws Exception {
        Cli.Result r = tessera("keygen", "--out", dir.toString(), "--kid", "k1", "--json");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.json()).containsKeys("kid", "algorithm", "private_key", "jwks", "keys")
                .doesNotContainKeys("issuer", "publish_dir");
    }

    @Test
    void outputSaysWhatToPublishAndNeverShowsPrivateKeyMaterial() throws Exception {
        Cli.Result r = tessera("keygen", "--out", dir.toString(), "--kid", "k1", "--issuer", ISSUER);

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("publish").contains(dir.resolve("public").toString()).contains(ISSUER + "/")
                .contains("keep it secret").contains("tessera create --key " + dir.resolve("k1.pem"));
        KeyPair pair = Pem.readKeyPair(read(dir.resolve("k1.pem")), null);
        ECKey full = new ECKey.Builder((ECKey) jwks(dir.resolve("jwks.json")).getKeyByKeyId("k1"))
                .privateKey(pair.getPrivate()).build();
        String d = full.getD().toString();
        String pkcs8 = Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded());
        for (String text : List.of(r.out(), r.err(), read(dir.resolve("jwks.json")), read(dir.resolve("public/jwks.json")),
                read(dir.resolve("public/.well-known/openid-configuration")))) {
            assertThat(text).doesNotContain("PRIVATE KEY").doesNotContain(d).doesNotContain(pkcs8.substring(0, 40))
                    .doesNotContain("\"d\"");
        }
        for (JWK jwk : jwks(dir.resolve("public/jwks.json")).getKeys()) {
            assertThat(jwk.isPrivate()).isFalse();
        }
    }

    @Test
    void rsaPublicFilesCarryNoPrivateParameters() throws Exception {
        Cli.Result r = tessera("keygen", "--alg", "RS256", "--out", dir.toString(), "--issuer", ISSUER, "--json");

        assertThat(r.exit()).as(r.toString()).isZero();
        for (Path file : List.of(dir.resolve("jwks.json"), dir.resolve("public/jwks.json"))) {
            Map<String, Object> jwks = readJson(file);
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> keys = (List<Map<String, Object>>) jwks.get("keys");
            assertThat(keys).hasSize(1);
            assertThat(keys.get(0)).containsKeys("n", "e", "kid").doesNotContainKeys("d", "p", "q", "dp", "dq", "qi");
        }
        assertThat(r.out()).doesNotContain("PRIVATE KEY");
    }
}
