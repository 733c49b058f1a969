package dev.tessera.token.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.util.Base64URL;
import dev.tessera.token.testing.TestCa;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.openssl.jcajce.JcePEMEncryptorBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * PEM key I/O in every form OpenSSL and the SciTokens tools write, signing and verification keys, and
 * JWK acceptance rules. Fixtures under {@code src/test/resources/keys/} were made with the OpenSSL CLI
 * (see the README there), so the tests need no {@code openssl}.
 */
class KeyIoTest {
    static final String FIXTURE_PASSPHRASE = "tessera-test";
    static final byte[] DATA = "header.payload".getBytes(StandardCharsets.US_ASCII);

    static String fixture(String name) throws IOException {
        try (InputStream in = KeyIoTest.class.getResourceAsStream("/keys/" + name)) {
            assertThat(in).as("fixture " + name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    static KeyPair generate(Algorithm algorithm) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm.keyType());
        if (algorithm == Algorithm.ES256) {
            generator.initialize(new ECGenParameterSpec("secp256r1"));
        } else {
            generator.initialize(2048);
        }
        return generator.generateKeyPair();
    }

    static String bcPem(Object object) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        }
        return out.toString();
    }

    static String bcLegacyEncrypted(Object object, String passphrase) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object, new JcePEMEncryptorBuilder("AES-256-CBC").setProvider(Crypto.bouncyCastle())
                    .build(passphrase.toCharArray()));
        }
        return out.toString();
    }

    static String bcEncryptedPkcs8(PrivateKey key, String passphrase) throws Exception {
        var encryptor = new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC)
                .setProvider(Crypto.bouncyCastle())
                .setPassword(passphrase.toCharArray())
                .build();
        PemObject object = new JcaPKCS8Generator(key, encryptor).generate();
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(object);
        }
        return out.toString();
    }

    /** The pair signs and its public half verifies, through our own key classes. */
    static void assertUsable(KeyPair pair) {
        SigningKey key = SigningKey.of("t", SigningKey.algorithmFor(pair), pair);
        byte[] signature = key.sign(DATA);
        assertThat(key.verificationKey().verify(DATA, DATA.length, signature)).isTrue();
    }

    /** A BouncyCastle-generated pair: its SEC1 encoding carries the public key, as OpenSSL writes it. */
    static KeyPair generateWithBc(Algorithm algorithm) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm.keyType(), Crypto.bouncyCastle());
        if (algorithm == Algorithm.ES256) {
            generator.initialize(new ECGenParameterSpec("secp256r1"));
        } else {
            generator.initialize(2048);
        }
        return generator.generateKeyPair();
    }

    /** Same key material; PKCS#8 encodings of one EC key differ between providers, so EC scalars are compared. */
    static void assertSameKeys(KeyPair actual, KeyPair expected) {
        assertThat(actual.getPublic().getEncoded()).isEqualTo(expected.getPublic().getEncoded());
        if (expected.getPrivate() instanceof ECPrivateKey ec) {
            assertThat(actual.getPrivate()).isInstanceOf(ECPrivateKey.class);
            assertThat(((ECPrivateKey) actual.getPrivate()).getS()).isEqualTo(ec.getS());
        } else {
            assertThat(actual.getPrivate().getEncoded()).isEqualTo(expected.getPrivate().getEncoded());
        }
    }

    @Nested
    class PemRoundTrips {
        @ParameterizedTest
        @EnumSource(Algorithm.class)
        void pkcs8PrivateKeyRoundTrip(Algorithm algorithm) throws Exception {
            KeyPair pair = generate(algorithm);

            String pem = Pem.write(pair.getPrivate());
            KeyPair read = Pem.readKeyPair(pem, null);

            assertThat(pem).startsWith("-----BEGIN PRIVATE KEY-----\n").endsWith("-----END PRIVATE KEY-----\n");
            assertThat(pem.lines().filter(l -> !l.startsWith("-----")).allMatch(l -> l.length() <= 64)).isTrue();
            assertSameKeys(read, pair); // the public half is derived from the private key
            assertThat(read.getPrivate().getAlgorithm()).isEqualTo(algorithm.keyType());
            assertUsable(read);
        }

        @ParameterizedTest
        @EnumSource(Algorithm.class)
        void spkiPublicKeyRoundTrip(Algorithm algorithm) throws Exception {
            KeyPair pair = generate(algorithm);

            String pem = Pem.write(pair.getPublic());
            PublicKey read = Pem.readPublicKey(pem);

            assertThat(pem).startsWith("-----BEGIN PUBLIC KEY-----\n");
            assertThat(read.getEncoded()).isEqualTo(pair.getPublic().getEncoded());
            assertThat(read.getAlgorithm()).isEqualTo(algorithm.keyType());
        }

        @Test
        void pkcs1RsaPrivateKey() throws Exception {
            KeyPair pair = generate(Algorithm.RS256);
            String pem = bcPem(pair);
            assertThat(pem).startsWith("-----BEGIN RSA PRIVATE KEY-----");

            KeyPair read = Pem.readKeyPair(pem, null);

            assertSameKeys(read, pair);
            assertThat(Pem.readPublicKey(pem).getEncoded()).isEqualTo(pair.getPublic().getEncoded());
        }

        @Test
        void sec1EcPrivateKey() throws Exception {
            KeyPair pair = generateWithBc(Algorithm.ES256);
            String pem = bcPem(pair);
            assertThat(pem).startsWith("-----BEGIN EC PRIVATE KEY-----");

            KeyPair read = Pem.readKeyPair(pem, null);

            assertSameKeys(read, pair);
            assertThat(read.getPrivate().getAlgorithm()).isEqualTo("EC");
            assertUsable(read);
        }

        /**
         * RFC 5915 makes the public key in an {@code EC PRIVATE KEY} optional; {@code openssl ec -no_public}
         * and JcaPEMWriter on a JDK (SunEC) key write it without. The public key can be derived, as it is for PKCS#8.
         */
        @Test
        void sec1EcPrivateKeyWithoutThePublicKey() throws Exception {
            KeyPair pair = generate(Algorithm.ES256); // SunEC: PKCS#8 without the public key
            String pem = bcPem(pair.getPrivate());
            assertThat(pem).startsWith("-----BEGIN EC PRIVATE KEY-----");

            assertThat(Pem.readKeyPair(pem, null).getPublic().getEncoded()).isEqualTo(pair.getPublic().getEncoded());
            assertThat(Pem.readKeyPair(fixture("ec-no-public.pem"), null).getPublic().getEncoded())
                    .isEqualTo(Pem.readPublicKey(fixture("ec-genpkey.pub.pem")).getEncoded());
        }

        @Test
        void ecParametersBlockBeforeTheKey() throws Exception {
            KeyPair pair = generateWithBc(Algorithm.ES256);
            String pem = "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n"
                    + bcPem(pair.getPrivate());

            KeyPair read = Pem.readKeyPair(pem, null);

            assertThat(read.getPublic().getEncoded()).isEqualTo(pair.getPublic().getEncoded());
        }

        @ParameterizedTest
        @EnumSource(Algorithm.class)
        void encryptedPkcs8WithPassphrase(Algorithm algorithm) throws Exception {
            KeyPair pair = generate(algorithm);
            String pem = bcEncryptedPkcs8(pair.getPrivate(), "s3cret");
            assertThat(pem).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");

            assertSameKeys(Pem.readKeyPair(pem, "s3cret".toCharArray()), pair);
        }

        @ParameterizedTest
        @EnumSource(Algorithm.class)
        void legacyOpensslEncryptedPemWithPassphrase(Algorithm algorithm) throws Exception {
            KeyPair pair = generateWithBc(algorithm);
            String pem = bcLegacyEncrypted(pair, "s3cret");
            assertThat(pem).contains("Proc-Type: 4,ENCRYPTED").contains("DEK-Info: AES-256-CBC");

            KeyPair read = Pem.readKeyPair(pem, "s3cret".toCharArray());

            assertThat(read.getPublic().getEncoded()).isEqualTo(pair.getPublic().getEncoded());
            assertUsable(read);
        }

        @Test
        void encryptedKeyWithoutPassphraseSaysOneIsNeeded() throws Exception {
            KeyPair pair = generateWithBc(Algorithm.ES256);
            for (String pem : List.of(bcEncryptedPkcs8(pair.getPrivate(), "s3cret"),
                    bcLegacyEncrypted(pair, "s3cret"))) {
                assertThatThrownBy(() -> Pem.readKeyPair(pem, null))
                        .isInstanceOf(IOException.class)
                        .hasMessageContaining("encrypted")
                        .hasMessageContaining("passphrase is needed");
            }
        }

        @Test
        void wrongPassphraseIsAnIoErrorMentioningThePassphrase() throws Exception {
            for (String name : List.of("ec-genpkey.enc.pem", "rsa-genpkey.enc.pem", "rsa-traditional.enc.pem",
                    "ec-ecparam-genkey.enc.pem")) {
                String pem = fixture(name);
                assertThatThrownBy(() -> Pem.readKeyPair(pem, "wrong".toCharArray()))
                        .as(name)
                        .isInstanceOf(IOException.class)
                        .hasMessageContaining("passphrase");
            }
        }

        /** Whatever the salt, a wrong passphrase must give an IOException, never a runtime exception. */
        @ParameterizedTest
        @ValueSource(strings = {"pkcs8", "legacy"})
        void wrongPassphraseIsAlwaysAnIoError(String form) throws Exception {
            KeyPair pair = generateWithBc(Algorithm.ES256);
            for (int i = 0; i < 300; i++) {
                String pem = form.equals("pkcs8") ? bcEncryptedPkcs8(pair.getPrivate(), "right")
                        : bcLegacyEncrypted(pair, "right");
                try {
                    Pem.readKeyPair(pem, ("wrong" + i).toCharArray());
                    throw new AssertionError("a wrong passphrase was accepted");
                } catch (IOException expected) {
                    // the only acceptable outcome
                } catch (RuntimeException e) {
                    throw new AssertionError("attempt " + i + ": wrong passphrase gave " + e, e);
                }
            }
        }

        @Test
        void certificateAsPublicKeySource() throws Exception {
            TestCa ca = TestCa.create("key io");

            PublicKey key = Pem.readPublicKey(ca.caPem());

            assertThat(key.getEncoded()).isEqualTo(ca.caCertificate().getPublicKey().getEncoded());
        }

        @Test
        void rsaPublicKeyPkcs1() throws Exception {
            KeyPair pair = generate(Algorithm.RS256);
            byte[] pkcs1 = SubjectPublicKeyInfo.getInstance(pair.getPublic().getEncoded()).parsePublicKey().getEncoded();

            PublicKey read = Pem.readPublicKey(Pem.armor("RSA PUBLIC KEY", pkcs1));

            assertThat(read.getEncoded()).isEqualTo(pair.getPublic().getEncoded());
        }

        @Test
        void publicKeyIsNotAPrivateKey() throws Exception {
            String pem = Pem.write(generate(Algorithm.ES256).getPublic());

            assertThatThrownBy(() -> Pem.readKeyPair(pem, null))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("no private key");
        }

        @Test
        void pkcs8PrivateKeyIsNotAPublicKey() throws Exception {
            String pem = Pem.write(generate(Algorithm.ES256).getPrivate());

            assertThatThrownBy(() -> Pem.readPublicKey(pem))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("no public key");
        }

        @ParameterizedTest
        @ValueSource(strings = {
            "",
            "   \n",
            "hello world",
            "-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n",
            "-----BEGIN PRIVATE KEY-----\n!!!!not base64!!!!\n-----END PRIVATE KEY-----\n",
            "-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n",
            "-----BEGIN PRIVATE KEY-----\nAAECAwQFBgcICQ==\n-----END PRIVATE KEY-----\n",
            "-----BEGIN RSA PRIVATE KEY-----\nMAMCAQA=\n-----END RSA PRIVATE KEY-----\n",
            "-----BEGIN EC PRIVATE KEY-----\nMAMCAQE=\n-----END EC PRIVATE KEY-----\n",
            "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n",
            "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n",
            "-----BEGIN SOMETHING ELSE-----\nAAAA\n-----END SOMETHING ELSE-----\n",
        })
        void garbageIsAnIoError(String pem) {
            assertThatThrownBy(() -> Pem.readKeyPair(pem, null)).isInstanceOf(IOException.class);
            assertThatThrownBy(() -> Pem.readKeyPair(pem, "pass".toCharArray())).isInstanceOf(IOException.class);
            assertThatThrownBy(() -> Pem.readPublicKey(pem)).isInstanceOf(IOException.class);
        }

        @Test
        void nullIsAnIoError() {
            assertThatThrownBy(() -> Pem.readKeyPair(null, null)).isInstanceOf(IOException.class);
            assertThatThrownBy(() -> Pem.readPublicKey(null)).isInstanceOf(IOException.class);
        }

        @Test
        void truncatedKeyIsAnIoError() throws Exception {
            String pem = Pem.write(generate(Algorithm.RS256).getPrivate());
            String truncated = pem.substring(0, pem.length() / 2) + "\n-----END PRIVATE KEY-----\n";

            assertThatThrownBy(() -> Pem.readKeyPair(truncated, null)).isInstanceOf(IOException.class);
        }
    }

    /** Files written by the real OpenSSL CLI (3.0), committed as resources. */
    @Nested
    class OpensslFixtures {
        @ParameterizedTest
        @ValueSource(strings = {"ec-ecparam-genkey", "ec-genpkey", "rsa-traditional", "rsa-genpkey"})
        void privateKeyMatchesTheOpensslPublicKey(String name) throws Exception {
            KeyPair pair = Pem.readKeyPair(fixture(name + ".pem"), null);
            PublicKey opensslPublic = Pem.readPublicKey(fixture(name + ".pub.pem"));

            assertThat(pair.getPublic().getEncoded()).isEqualTo(opensslPublic.getEncoded());
            assertUsable(pair);
        }

        @Test
        void ecparamGenkeyFileStartsWithEcParameters() throws Exception {
            String pem = fixture("ec-ecparam-genkey.pem");
            assertThat(pem).startsWith("-----BEGIN EC PARAMETERS-----").contains("-----BEGIN EC PRIVATE KEY-----");

            assertThat(SigningKey.algorithmFor(Pem.readKeyPair(pem, null))).isEqualTo(Algorithm.ES256);
        }

        @Test
        void traditionalRsaFileIsPkcs1() throws Exception {
            String pem = fixture("rsa-traditional.pem");
            assertThat(pem).startsWith("-----BEGIN RSA PRIVATE KEY-----");

            KeyPair pair = Pem.readKeyPair(pem, null);
            assertThat(pair.getPrivate()).isInstanceOf(RSAPrivateCrtKey.class);
            assertThat(((RSAPublicKey) pair.getPublic()).getModulus().bitLength()).isEqualTo(2048);
        }

        @ParameterizedTest
        @ValueSource(strings = {"ec-genpkey", "rsa-genpkey"})
        void encryptedPkcs8(String name) throws Exception {
            String pem = fixture(name + ".enc.pem");
            assertThat(pem).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----");

            KeyPair encrypted = Pem.readKeyPair(pem, FIXTURE_PASSPHRASE.toCharArray());

            assertSameKeys(encrypted, Pem.readKeyPair(fixture(name + ".pem"), null));
        }

        @ParameterizedTest
        @ValueSource(strings = {"ec-ecparam-genkey", "rsa-traditional"})
        void legacyEncrypted(String name) throws Exception {
            String pem = fixture(name + ".enc.pem");
            assertThat(pem).contains("Proc-Type: 4,ENCRYPTED");

            KeyPair encrypted = Pem.readKeyPair(pem, FIXTURE_PASSPHRASE.toCharArray());

            assertThat(encrypted.getPublic().getEncoded())
                    .isEqualTo(Pem.readPublicKey(fixture(name + ".pub.pem")).getEncoded());
        }

        @Test
        void rsaPublicKeyOut() throws Exception {
            String pem = fixture("rsa-traditional.rsapub.pem");
            assertThat(pem).startsWith("-----BEGIN RSA PUBLIC KEY-----");

            assertThat(Pem.readPublicKey(pem).getEncoded())
                    .isEqualTo(Pem.readPublicKey(fixture("rsa-traditional.pub.pem")).getEncoded());
        }

        @Test
        void selfSignedCertificate() throws Exception {
            assertThat(Pem.readPublicKey(fixture("ec-genpkey.cert.pem")).getEncoded())
                    .isEqualTo(Pem.readPublicKey(fixture("ec-genpkey.pub.pem")).getEncoded());
        }

        @Test
        void unsupportedKeysReadButCannotSign() throws Exception {
            KeyPair p384 = Pem.readKeyPair(fixture("ec-p384.pem"), null);
            KeyPair rsa1024 = Pem.readKeyPair(fixture("rsa-1024.pem"), null);

            assertThatThrownBy(() -> SigningKey.of(null, Algorithm.ES256, p384))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("P-256");
            assertThatThrownBy(() -> SigningKey.of(null, Algorithm.RS256, rsa1024))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1024");
        }
    }

    @Nested
    class SigningKeys {
        @ParameterizedTest
        @EnumSource(Algorithm.class)
        void signVerifyRoundTrip(Algorithm algorithm) {
            SigningKey key = SigningKey.generate(algorithm, "kid-1");

            byte[] signature = key.sign(DATA);
            VerificationKey verification = key.verificationKey();

            assertThat(key.keyId()).isEqualTo("kid-1");
            assertThat(key.algorithm()).isEqualTo(algorithm);
            assertThat(verification.keyId()).isEqualTo("kid-1");
            assertThat(verification.algorithm()).isEqualTo(algorithm);
            assertThat(verification.verify(DATA, DATA.length, signature)).isTrue();
            byte[] other = "header.payloaX".getBytes(StandardCharsets.US_ASCII);
            assertThat(verification.verify(other, other.length, signature)).isFalse();
            byte[] flipped = signature.clone();
            flipped[flipped.length - 1] ^= 1;
            assertThat(verification.verify(DATA, DATA.length, flipped)).isFalse();
            // only a prefix of the buffer is signed data
            byte[] padded = Arrays.copyOf(DATA, DATA.length + 7);
            assertThat(verification.verify(padded, DATA.length, signature)).isTrue();
        }

        @Test
        void es256SignatureIsTheRawJwsForm() {
            SigningKey key = SigningKey.generate(Algorithm.ES256, null);
            byte[] signature = key.sign(DATA);

            assertThat(signature).hasSize(64);
            byte[] der = Arrays.copyOf(signature, 70);
            assertThat(key.verificationKey().verify(DATA, DATA.length, der)).isFalse();
            assertThat(key.verificationKey().verify(DATA, DATA.length, new byte[64])).isFalse();
        }

        @Test
        void signatureFromAnotherKeyDoesNotVerify() {
            SigningKey a = SigningKey.generate(Algorithm.ES256, "same");
            SigningKey b = SigningKey.generate(Algorithm.ES256, "same");

            assertThat(b.verificationKey().verify(DATA, DATA.length, a.sign(DATA))).isFalse();
        }

        @Test
        void defaultKidIsTheRfc7638ThumbprintOfAnEcKey() throws Exception {
            SigningKey key = SigningKey.generate(Algorithm.ES256, null);
            ECPublicKey pub = (ECPublicKey) key.publicKey();
            String canonical = "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"" + b64(pub.getW().getAffineX(), 32)
                    + "\",\"y\":\"" + b64(pub.getW().getAffineY(), 32) + "\"}";

            assertThat(key.keyId()).isEqualTo(sha256b64(canonical));
            assertThat(SigningKey.generate(Algorithm.ES256, "").keyId()).hasSize(43);
        }

        @Test
        void defaultKidIsTheRfc7638ThumbprintOfAnRsaKey() throws Exception {
            SigningKey key = SigningKey.generate(Algorithm.RS256, null);
            RSAPublicKey pub = (RSAPublicKey) key.publicKey();
            String canonical = "{\"e\":\"" + b64(pub.getPublicExponent(), 0) + "\",\"kty\":\"RSA\",\"n\":\""
                    + b64(pub.getModulus(), 256) + "\"}";

            assertThat(key.keyId()).isEqualTo(sha256b64(canonical));
        }

        /** RFC 7638 §3.1 example key (from RFC 7517 A.1) and its published thumbprint. */
        @Test
        void defaultKidMatchesTheRfc7638Example() throws Exception {
            String n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPeb"
                    + "WKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQ"
                    + "MicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2Nc"
                    + "Rwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
            PublicKey rfcKey = KeyFactory.getInstance("RSA").generatePublic(
                    new RSAPublicKeySpec(new Base64URL(n).decodeToBigInteger(), BigInteger.valueOf(65537)));
            // the thumbprint depends on the public key only; any RSA private key completes the pair
            PrivateKey unrelated = generate(Algorithm.RS256).getPrivate();

            SigningKey key = SigningKey.of(null, Algorithm.RS256, new KeyPair(rfcKey, unrelated));

            assertThat(key.keyId()).isEqualTo("NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
        }

        @ParameterizedTest
        @EnumSource(Algorithm.class)
        void publicJwkHasKidAlgUseAndNoPrivateParts(Algorithm algorithm) {
            SigningKey key = SigningKey.generate(algorithm, "pub-1");

            JWK jwk = key.toPublicJwk();

            assertThat(jwk.getKeyID()).isEqualTo("pub-1");
            assertThat(jwk.getAlgorithm()).isEqualTo(JWSAlgorithm.parse(algorithm.name()));
            assertThat(jwk.getKeyUse()).isEqualTo(KeyUse.SIGNATURE);
            assertThat(jwk.isPrivate()).isFalse();
            var json = jwk.toJSONObject();
            assertThat(json).doesNotContainKeys("d", "p", "q", "dp", "dq", "qi", "oth", "k");
            assertThat(json).containsEntry("kid", "pub-1").containsEntry("alg", algorithm.name())
                    .containsEntry("use", "sig");
            // and it verifies what the key signs
            assertThat(VerificationKey.fromJwk(jwk).verify(DATA, DATA.length, key.sign(DATA))).isTrue();
        }

        @Test
        void signingKeyRejectsMismatchedAlgorithmAndShortKeys() throws Exception {
            KeyPair ec = generate(Algorithm.ES256);
            KeyPair rsa = generate(Algorithm.RS256);

            assertThatThrownBy(() -> SigningKey.of(null, Algorithm.RS256, ec)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> SigningKey.of(null, Algorithm.ES256, rsa)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> SigningKey.generate(Algorithm.RS256, null, 1024))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2048");
            assertThat(SigningKey.algorithmFor(ec)).isEqualTo(Algorithm.ES256);
            assertThat(SigningKey.algorithmFor(rsa)).isEqualTo(Algorithm.RS256);
        }

        @Test
        void toStringNeverShowsThePrivateKey() {
            SigningKey key = SigningKey.generate(Algorithm.RS256, "visible");
            RSAPrivateCrtKey priv = (RSAPrivateCrtKey) key.privateKey();

            assertThat(key.toString()).contains("visible").doesNotContain(priv.getPrivateExponent().toString(16))
                    .doesNotContain(Base64.getEncoder().encodeToString(priv.getEncoded()).substring(0, 40));
        }

        static String b64(BigInteger value, int length) {
            byte[] bytes = value.toByteArray();
            if (bytes.length > 1 && bytes[0] == 0) {
                bytes = Arrays.copyOfRange(bytes, 1, bytes.length);
            }
            if (bytes.length < length) {
                byte[] padded = new byte[length];
                System.arraycopy(bytes, 0, padded, length - bytes.length, bytes.length);
                bytes = padded;
            }
            return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        }

        static String sha256b64(String s) throws Exception {
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        }
    }

    @Nested
    class JwkRules {
        final SigningKey es = SigningKey.generate(Algorithm.ES256, "es");
        final SigningKey rs = SigningKey.generate(Algorithm.RS256, "rs");

        ECKey ecJwk(Curve curve, String kid) throws Exception {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(curve.toECParameterSpec());
            return new ECKey.Builder(curve, (ECPublicKey) generator.generateKeyPair().getPublic()).keyID(kid).build();
        }

        RSAKey rsaJwk(int bits, String kid) throws Exception {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(bits);
            return new RSAKey.Builder((RSAPublicKey) generator.generateKeyPair().getPublic()).keyID(kid).build();
        }

        @Test
        void encryptionKeyIsRejected() {
            JWK enc = new ECKey.Builder((ECKey) es.toPublicJwk()).keyUse(KeyUse.ENCRYPTION).build();

            assertThatThrownBy(() -> VerificationKey.fromJwk(enc))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("enc");
        }

        @Test
        void otherAlgorithmsAreRejected() {
            JWK ps256 = new RSAKey.Builder((RSAKey) rs.toPublicJwk()).algorithm(JWSAlgorithm.PS256).build();
            JWK hs256 = new RSAKey.Builder((RSAKey) rs.toPublicJwk()).algorithm(JWSAlgorithm.HS256).build();
            JWK es384 = new ECKey.Builder((ECKey) es.toPublicJwk()).algorithm(JWSAlgorithm.ES384).build();

            for (JWK jwk : List.of(ps256, hs256, es384)) {
                assertThatThrownBy(() -> VerificationKey.fromJwk(jwk))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining(jwk.getAlgorithm().getName())
                        .hasMessageContaining("not RS256 or ES256");
            }
        }

        @Test
        void algorithmThatDoesNotFitTheKeyTypeIsRejected() {
            JWK rsaSayingEs256 = new RSAKey.Builder((RSAKey) rs.toPublicJwk()).algorithm(JWSAlgorithm.ES256).build();
            JWK ecSayingRs256 = new ECKey.Builder((ECKey) es.toPublicJwk()).algorithm(JWSAlgorithm.RS256).build();

            assertThatThrownBy(() -> VerificationKey.fromJwk(rsaSayingEs256)).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> VerificationKey.fromJwk(ecSayingRs256)).isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void otherCurvesAreRejected() throws Exception {
            ECKey p384 = ecJwk(Curve.P_384, "p384");
            ECKey p521 = ecJwk(Curve.P_521, "p521");

            assertThatThrownBy(() -> VerificationKey.fromJwk(p384))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("P-256");
            assertThatThrownBy(() -> VerificationKey.fromJwk(p521))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("P-256");
        }

        @Test
        void shortRsaKeysAreRejected() throws Exception {
            RSAKey rsa1024 = rsaJwk(1024, "short");

            assertThatThrownBy(() -> VerificationKey.fromJwk(rsa1024))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1024");
        }

        @Test
        void symmetricKeysAreRejected() {
            byte[] secret = new byte[32];
            new SecureRandom().nextBytes(secret);
            OctetSequenceKey oct = new OctetSequenceKey.Builder(secret).keyID("oct").build();
            OctetSequenceKey octHs256 = new OctetSequenceKey.Builder(secret).keyID("oct").algorithm(JWSAlgorithm.HS256).build();

            assertThatThrownBy(() -> VerificationKey.fromJwk(oct))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("oct");
            assertThatThrownBy(() -> VerificationKey.fromJwk(octHs256)).isInstanceOf(IllegalArgumentException.class);
        }

        @Test
        void algorithmIsDerivedFromTheKeyTypeWhenAbsent() throws Exception {
            RSAKey rsa = new RSAKey.Builder((RSAKey) rs.toPublicJwk()).algorithm(null).keyUse(null).build();
            ECKey ec = new ECKey.Builder((ECKey) es.toPublicJwk()).algorithm(null).keyUse(null).build();

            assertThat(VerificationKey.fromJwk(rsa).algorithm()).isEqualTo(Algorithm.RS256);
            assertThat(VerificationKey.fromJwk(ec).algorithm()).isEqualTo(Algorithm.ES256);
            assertThat(VerificationKey.fromJwk(ec).verify(DATA, DATA.length, es.sign(DATA))).isTrue();
        }

        @Test
        void issuerKeysSkipUnusableKeysAndSayWhy() throws Exception {
            JWK enc = new ECKey.Builder((ECKey) SigningKey.generate(Algorithm.ES256, "enc").toPublicJwk())
                    .keyUse(KeyUse.ENCRYPTION).build();
            JWK ps256 = new RSAKey.Builder((RSAKey) SigningKey.generate(Algorithm.RS256, "ps").toPublicJwk())
                    .algorithm(JWSAlgorithm.PS256).build();
            JWKSet set = new JWKSet(List.of(es.toPublicJwk(), enc, ps256, ecJwk(Curve.P_384, "p384"),
                    rsaJwk(1024, "short"), rs.toPublicJwk()));

            IssuerKeys keys = IssuerKeys.of(set);

            assertThat(keys.keyIds()).containsExactly("es", "rs");
            assertThat(keys.skipped()).hasSize(4);
            assertThat(keys.skipped().get(0)).contains("enc").contains("not sig");
            assertThat(keys.skipped().get(1)).contains("ps").contains("PS256");
            assertThat(keys.skipped().get(2)).contains("p384").contains("P-256");
            assertThat(keys.skipped().get(3)).contains("short").contains("1024");
            assertThat(keys.select("rs").algorithm()).isEqualTo(Algorithm.RS256);
            assertThat(keys.select("enc")).isNull();
            assertThat(keys.select("missing")).isNull();
            assertThat(keys.select(null)).as("no kid and several keys").isNull();
        }

        @Test
        void issuerKeysSkipSymmetricKeysAndNeverKeepSecrets() throws Exception {
            OctetSequenceKey oct = new OctetSequenceKey.Builder(new byte[32]).keyID("oct").build();

            IssuerKeys keys = IssuerKeys.parse(new JWKSet(List.of(oct, es.toPublicJwk())).toString(false));

            assertThat(keys.keyIds()).containsExactly("es");
            assertThat(keys.skipped()).singleElement().asString().contains("oct");
            assertThat(keys.select(null).keyId()).as("the only usable key").isEqualTo("es");
            assertThat(keys.toJson()).doesNotContain("\"k\"");
            assertThat(keys.jwks().getKeys()).noneMatch(JWK::isPrivate);
        }

        @Test
        void issuerKeysParseRejectsNonJwks() {
            assertThatThrownBy(() -> IssuerKeys.parse("{\"keys\": 1}")).isInstanceOf(java.text.ParseException.class);
            assertThatThrownBy(() -> IssuerKeys.parse("not json")).isInstanceOf(java.text.ParseException.class);
        }
    }
}
