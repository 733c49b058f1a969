package dev.tessera.issuer.service;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * People's passwords, stored as Argon2id hashes in the PHC string format
 * ({@code $argon2id$v=19$m=19456,t=2,p=1$SALT$HASH}) with OWASP's recommended minimum parameters
 * (19 MiB, 2 passes, 1 lane). The parameters travel with each hash, so they can be raised later.
 */
public final class Passwords {
    private static final int MEMORY_KIB = 19 * 1024;
    private static final int ITERATIONS = 2;
    private static final int PARALLELISM = 1;
    private static final int SALT_BYTES = 16;
    private static final int HASH_BYTES = 32;
    /** The most memory a stored hash may ask for (256 MiB), whatever the row says. */
    private static final int MAX_MEMORY_KIB = 256 * 1024;
    private static final Pattern PHC = Pattern.compile(
            "\\$argon2id\\$v=19\\$m=(\\d{1,7}),t=(\\d{1,3}),p=(\\d{1,2})\\$([A-Za-z0-9+/]+)\\$([A-Za-z0-9+/]+)");
    private static final Base64.Encoder B64 = Base64.getEncoder().withoutPadding();
    private static final SecureRandom RANDOM = new SecureRandom();

    private Passwords() {
    }

    /** The stored form of {@code password}. */
    public static String hash(char[] password) {
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        byte[] hash = argon2(password, salt, MEMORY_KIB, ITERATIONS, PARALLELISM, HASH_BYTES);
        return "$argon2id$v=19$m=" + MEMORY_KIB + ",t=" + ITERATIONS + ",p=" + PARALLELISM + "$"
                + B64.encodeToString(salt) + "$" + B64.encodeToString(hash);
    }

    /**
     * Whether {@code password} opens an account with hash {@code stored}; no account ({@code stored} empty) never
     * matches but costs the same Argon2 work, so the time an answer takes does not tell a wrong username from
     * a wrong password.
     */
    public static boolean matchesAccount(char[] password, Optional<String> stored) {
        return matches(password, stored.orElse(NoAccount.HASH)) && stored.isPresent();
    }

    /** The hash checked when there is no account: made at its first use, not at start-up (Argon2 takes ~60 ms). */
    private static final class NoAccount {
        static final String HASH = hash("not a password of anyone".toCharArray());
    }

    /**
     * Whether {@code password} matches {@code stored}; false for a missing or malformed hash, including one
     * whose parameters are out of range (a corrupted row must refuse a login, not fail it or exhaust memory).
     */
    public static boolean matches(char[] password, String stored) {
        if (stored == null) {
            return false;
        }
        Matcher m = PHC.matcher(stored);
        if (!m.matches()) {
            return false;
        }
        int memoryKib = Integer.parseInt(m.group(1));
        int iterations = Integer.parseInt(m.group(2));
        int parallelism = Integer.parseInt(m.group(3));
        if (memoryKib < 8 * parallelism || memoryKib > MAX_MEMORY_KIB || iterations < 1 || iterations > 20
                || parallelism < 1 || parallelism > 16) {
            return false;
        }
        try {
            byte[] salt = Base64.getDecoder().decode(m.group(4));
            byte[] expected = Base64.getDecoder().decode(m.group(5));
            if (salt.length < 8 || expected.length < 16) {
                return false;
            }
            return MessageDigest.isEqual(expected, argon2(password, salt, memoryKib, iterations, parallelism, expected.length));
        } catch (IllegalArgumentException e) {
            return false; // not base64
        }
    }

    private static byte[] argon2(char[] password, byte[] salt, int memoryKib, int iterations, int parallelism, int length) {
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id).withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withSalt(salt).withMemoryAsKB(memoryKib).withIterations(iterations).withParallelism(parallelism).build());
        byte[] out = new byte[length];
        ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(password));
        byte[] bytes = new byte[encoded.remaining()];
        encoded.get(bytes);
        Arrays.fill(encoded.array(), (byte) 0);
        generator.generateBytes(bytes, out);
        Arrays.fill(bytes, (byte) 0);
        return out;
    }
}
