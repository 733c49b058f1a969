package dev.tessera.token.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.security.interfaces.RSAPrivateCrtKey;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * RS256 through OpenSSL's libcrypto gives byte for byte the JDK's signatures (RSASSA-PKCS1-v1_5 is
 * deterministic). Runs where OpenSSL is used: Java 22+ with native access enabled (the build's test JVM
 * options) and libcrypto.so.3; {@code -Dtessera.test.openssl=required} (CI, on a Java 25) makes its absence a
 * failure instead of a skip.
 */
class OpenSslRsaTest {
    @BeforeAll
    static void openSslInUse() {
        if ("required".equals(System.getProperty("tessera.test.openssl"))) {
            assertThat(OpenSslRsa.available()).as(OpenSslRsa.signer()).isTrue();
        }
        assumeTrue(OpenSslRsa.available(), "OpenSSL is used on Java 22+ with native access enabled only");
    }

    @Test
    void signaturesAreTheJdksForEveryKeySize() throws Exception {
        for (int bits : new int[] {2048, 3072, 4096}) {
            SigningKey key = SigningKey.generate(Algorithm.RS256, "k" + bits, bits);
            for (String message : new String[] {"", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0", "x".repeat(10_000)}) {
                byte[] data = message.getBytes(StandardCharsets.US_ASCII);
                assertThat(key.sign(data)).as(bits + " bits").isEqualTo(jdkSignature(key, data));
                assertThat(key.verificationKey().verify(data, data.length, key.sign(data))).isTrue();
            }
        }
        assertThat(SigningKey.rsaSigner()).startsWith("OpenSSL 3.");
    }

    @Test
    void manyThreadsSignWithOneKey() throws Exception {
        SigningKey key = SigningKey.generate(Algorithm.RS256, "shared");
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                int thread = t;
                results.add(pool.submit(() -> {
                    for (int i = 0; i < 200; i++) {
                        byte[] data = ("token " + thread + "." + i).getBytes(StandardCharsets.US_ASCII);
                        if (!java.util.Arrays.equals(key.sign(data), jdkSignature(key, data))) {
                            return false;
                        }
                    }
                    return true;
                }));
            }
            for (Future<Boolean> result : results) {
                assertThat(result.get()).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void keysLoadedFromPemSignTheSame() throws Exception {
        SigningKey generated = SigningKey.generate(Algorithm.RS256, "pem");
        String pem = Pem.write(generated.privateKey());
        SigningKey loaded = SigningKey.of("pem", Algorithm.RS256, Pem.readKeyPair(pem, null));
        byte[] data = "a.b".getBytes(StandardCharsets.US_ASCII);
        assertThat(OpenSslRsa.load((RSAPrivateCrtKey) loaded.privateKey())).isNotNull();
        assertThat(loaded.sign(data)).isEqualTo(jdkSignature(generated, data));
    }

    private static byte[] jdkSignature(SigningKey key, byte[] data) throws GeneralSecurityException {
        Signature jdk = Signature.getInstance("SHA256withRSA");
        jdk.initSign(key.privateKey());
        jdk.update(data);
        return jdk.sign();
    }
}
