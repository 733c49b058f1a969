package dev.tessera.agent.vault;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * The vault's encryption at rest: AES-256-GCM under a key derived from a passphrase with Argon2id
 * (BouncyCastle, already on the class path for the token library). The KDF parameters and salt travel
 * with the file and are authenticated as associated data, so they can be raised later and cannot be
 * lowered by someone who edits the file.
 */
final class VaultCipher {
    /** Argon2id cost: 64 MiB, 3 passes, 1 lane (RFC 9106 §4's second option with one lane): ~0.5 s per unlock. */
    static final int MEMORY_KIB = 64 * 1024;
    static final int ITERATIONS = 3;
    static final int PARALLELISM = 1;
    private static final int SALT_BYTES = 16;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    /** Bounds on parameters read from a file, so an edited file cannot make unlocking exhaust memory. */
    private static final int MAX_MEMORY_KIB = 1024 * 1024;
    private static final int MAX_ITERATIONS = 64;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The KDF parameters of one vault file. */
    record Kdf(int memoryKib, int iterations, int parallelism, byte[] salt) {
        static Kdf fresh() {
            byte[] salt = new byte[SALT_BYTES];
            RANDOM.nextBytes(salt);
            return new Kdf(MEMORY_KIB, ITERATIONS, PARALLELISM, salt);
        }

        boolean withinBounds() {
            return memoryKib >= 8 * parallelism && memoryKib <= MAX_MEMORY_KIB && iterations >= 1
                    && iterations <= MAX_ITERATIONS && parallelism >= 1 && parallelism <= 16 && salt.length >= 16;
        }

        /** What the ciphertext is bound to: the format and every parameter. */
        byte[] associatedData() {
            return ("tessera-vault-1/A256GCM/argon2id/m=" + memoryKib + ",t=" + iterations + ",p=" + parallelism + "/"
                    + java.util.Base64.getEncoder().encodeToString(salt)).getBytes(StandardCharsets.US_ASCII);
        }
    }

    /** A derived key with the parameters it came from. */
    record Key(Kdf kdf, SecretKeySpec aes) {
    }

    private VaultCipher() {
    }

    static Key derive(char[] passphrase, Kdf kdf) {
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id).withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withSalt(kdf.salt()).withMemoryAsKB(kdf.memoryKib()).withIterations(kdf.iterations())
                .withParallelism(kdf.parallelism()).build());
        ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(passphrase));
        byte[] secret = new byte[encoded.remaining()];
        encoded.get(secret);
        Arrays.fill(encoded.array(), (byte) 0);
        byte[] key = new byte[32];
        generator.generateBytes(secret, key);
        Arrays.fill(secret, (byte) 0);
        return new Key(kdf, new SecretKeySpec(key, "AES"));
    }

    /** A fresh nonce followed by the ciphertext and tag. */
    static byte[] seal(Key key, byte[] plaintext) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce); // a random 96-bit nonce per write: far below GCM's collision bound for one key
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key.aes(), new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(key.kdf().associatedData());
            byte[] sealed = cipher.doFinal(plaintext);
            return ByteBuffer.allocate(NONCE_BYTES + sealed.length).put(nonce).put(sealed).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is unavailable", e);
        }
    }

    /**
     * The plaintext, or {@code null} when the key is wrong or the data was altered (GCM cannot tell which).
     */
    static byte[] open(Key key, byte[] sealed) {
        if (sealed.length < NONCE_BYTES + TAG_BITS / 8) {
            return null;
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key.aes(), new GCMParameterSpec(TAG_BITS, sealed, 0, NONCE_BYTES));
            cipher.updateAAD(key.kdf().associatedData());
            return cipher.doFinal(sealed, NONCE_BYTES, sealed.length - NONCE_BYTES);
        } catch (AEADBadTagException e) {
            return null;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is unavailable", e);
        }
    }
}
