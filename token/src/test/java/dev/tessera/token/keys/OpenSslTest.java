package dev.tessera.token.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Signatures through OpenSSL's libcrypto: RS256 byte for byte the JDK's (RSASSA-PKCS1-v1_5 is deterministic),
 * ES256 valid for the JDK's and our own verifier; verification by OpenSSL agrees with Java's on good, tampered
 * and malformed signatures. Runs where OpenSSL is used: Java 22+ with native access
 * enabled (the build's test JVM options) and libcrypto.so.3; {@code -Dtessera.test.openssl=required} (CI, on
 * a Java 25) makes its absence a failure instead of a skip.
 */
class OpenSslTest {
    private static final java.util.HexFormat HEX = java.util.HexFormat.of();
    private static final String[] MESSAGES = {"", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0", "x".repeat(10_000)};

    @BeforeAll
    static void openSslInUse() {
        if ("required".equals(System.getProperty("tessera.test.openssl"))) {
            assertThat(OpenSsl.available()).as(OpenSsl.library()).isTrue();
        }
        assumeTrue(OpenSsl.available(), "OpenSSL is used on Java 22+ with native access enabled only");
    }

    @Test
    void rsaSignaturesAreTheJdksForEveryKeySize() throws Exception {
        for (int bits : new int[] {2048, 3072, 4096}) {
            SigningKey key = SigningKey.generate(Algorithm.RS256, "k" + bits, bits);
            assertThat(OpenSsl.load(Algorithm.RS256, key.privateKey())).isNotNull();
            for (String message : MESSAGES) {
                byte[] data = message.getBytes(StandardCharsets.US_ASCII);
                assertThat(key.sign(data)).as(bits + " bits").isEqualTo(jdkRsaSignature(key, data));
            }
        }
        assertThat(SigningKey.signingLibrary()).startsWith("OpenSSL 3.");
    }

    @Test
    void ecdsaSignaturesVerifyAndDiffer() throws Exception {
        SigningKey key = SigningKey.generate(Algorithm.ES256, "ec");
        assertThat(OpenSsl.load(Algorithm.ES256, key.privateKey())).isNotNull();
        Signature jdk = Signature.getInstance("SHA256withECDSAinP1363Format");
        for (String message : MESSAGES) {
            byte[] data = message.getBytes(StandardCharsets.US_ASCII);
            byte[] signature = key.sign(data);
            assertThat(signature).hasSize(64);
            assertThat(key.verificationKey().verify(data, data.length, signature)).isTrue();
            jdk.initVerify(key.publicKey());
            jdk.update(data);
            assertThat(jdk.verify(signature)).isTrue();
            assertThat(key.sign(data)).isNotEqualTo(signature); // a fresh nonce each time
            byte[] tampered = data.length == 0 ? new byte[] {1} : Arrays.copyOf(data, data.length);
            tampered[0] ^= 1;
            assertThat(key.verificationKey().verify(tampered, tampered.length, signature)).isFalse();
        }
    }

    @Test
    void manyThreadsSignWithOneKey() throws Exception {
        SigningKey rsa = SigningKey.generate(Algorithm.RS256, "shared");
        SigningKey ec = SigningKey.generate(Algorithm.ES256, "shared-ec");
        VerificationKey ecVerifier = ec.verificationKey();
        assertAllSucceed(thread -> {
            for (int i = 0; i < 200; i++) {
                byte[] data = ("token " + thread + "." + i).getBytes(StandardCharsets.US_ASCII);
                if (!Arrays.equals(rsa.sign(data), jdkRsaSignature(rsa, data))
                        || !ecVerifier.verify(data, data.length, ec.sign(data))) {
                    return false;
                }
            }
            return true;
        });
    }

    @Test
    void keysReadFromPemSignTheSame() throws Exception {
        SigningKey generated = SigningKey.generate(Algorithm.RS256, "pem");
        SigningKey loaded = SigningKey.of("pem", Algorithm.RS256, Pem.readKeyPair(Pem.write(generated.privateKey()), null));
        byte[] data = "a.b".getBytes(StandardCharsets.US_ASCII);
        assertThat(OpenSsl.load(Algorithm.RS256, loaded.privateKey())).isNotNull();
        assertThat(loaded.sign(data)).isEqualTo(jdkRsaSignature(generated, data));

        SigningKey ec = SigningKey.generate(Algorithm.ES256, "pem-ec");
        SigningKey ecLoaded = SigningKey.of("pem-ec", Algorithm.ES256, Pem.readKeyPair(Pem.write(ec.privateKey()), null));
        assertThat(OpenSsl.load(Algorithm.ES256, ecLoaded.privateKey())).isNotNull();
        assertThat(ec.verificationKey().verify(data, data.length, ecLoaded.sign(data))).isTrue();
    }

    @Test
    void openSslVerifiesWhatJavaVerifiesAndRefusesWhatJavaRefuses() throws Exception {
        byte[] n = HEX.parseHex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551"); // P-256's order
        for (SigningKey key : new SigningKey[] {SigningKey.generate(Algorithm.ES256, "ec"),
                SigningKey.generate(Algorithm.RS256, "rsa"), SigningKey.generate(Algorithm.RS256, "rsa4096", 4096)}) {
            VerificationKey verifier = key.verificationKey();
            assertThat(OpenSsl.loadPublic(key.algorithm(), key.publicKey())).isNotNull();
            for (String message : MESSAGES) {
                byte[] data = message.getBytes(StandardCharsets.US_ASCII);
                byte[] good = key.sign(data);
                List<byte[]> bad = new ArrayList<>();
                for (int at : new int[] {0, good.length / 2, good.length - 1}) {
                    byte[] flipped = good.clone();
                    flipped[at] ^= 0x40;
                    bad.add(flipped);
                }
                bad.add(Arrays.copyOf(good, good.length - 1));
                bad.add(Arrays.copyOf(good, good.length + 1));
                bad.add(new byte[good.length]);
                bad.add(new byte[0]);
                if (key.algorithm() == Algorithm.ES256) {
                    byte[] rIsN = good.clone();
                    System.arraycopy(n, 0, rIsN, 0, 32);
                    bad.add(rIsN);
                    byte[] sIsN = good.clone();
                    System.arraycopy(n, 0, sIsN, 32, 32);
                    bad.add(sIsN);
                }
                assertThat(verifier.verify(data, data.length, good)).as(key.keyId()).isTrue();
                byte[] other = (message + "!").getBytes(StandardCharsets.US_ASCII);
                assertThat(verifier.verify(other, other.length, good)).as(key.keyId()).isFalse();
                for (byte[] signature : bad) {
                    assertThat(verifier.verify(data, data.length, signature)).as(key.keyId() + " " + HEX.formatHex(signature))
                            .isFalse().isEqualTo(verifier.verifyInJava(data, data.length, signature));
                }
            }
        }
    }

    @Test
    void manyThreadsVerifyWithOneKey() throws Exception {
        SigningKey ec = SigningKey.generate(Algorithm.ES256, "shared-ec");
        VerificationKey verifier = ec.verificationKey();
        byte[] data = "a.b".getBytes(StandardCharsets.US_ASCII);
        byte[] good = ec.sign(data);
        byte[] bad = good.clone();
        bad[5] ^= 1;
        assertAllSucceed(thread -> {
            for (int i = 0; i < 300; i++) {
                if (!verifier.verify(data, data.length, good) || verifier.verify(data, data.length, bad)) {
                    return false;
                }
            }
            return true;
        });
    }

    /** One thread's share of a concurrency test: whether all its checks held. */
    private interface ThreadTask {
        boolean run(int thread) throws Exception;
    }

    /** Runs {@code task} on six threads at once (numbered 0 to 5) and asserts that every one succeeded. */
    private static void assertAllSucceed(ThreadTask task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                int thread = t;
                results.add(pool.submit(() -> task.run(thread)));
            }
            for (Future<Boolean> result : results) {
                assertThat(result.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static byte[] jdkRsaSignature(SigningKey key, byte[] data) throws GeneralSecurityException {
        Signature jdk = Signature.getInstance("SHA256withRSA");
        jdk.initSign(key.privateKey());
        jdk.update(data);
        return jdk.sign();
    }
}
