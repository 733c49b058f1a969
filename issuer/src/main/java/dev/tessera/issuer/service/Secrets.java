package dev.tessera.issuer.service;

import dev.tessera.token.jws.Base64Url;
import dev.tessera.token.keys.Sha256;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;

/**
 * Random identifiers and secrets, and how secrets are stored: as SHA-256 hashes. A fast hash is right
 * here because every secret this issuer stores (client secrets, refresh tokens, codes) is 256 random bits
 * it made itself, beyond any guessing; people's passwords, chosen by people, use {@link Passwords}.
 */
public final class Secrets {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String PREFIX = "sha256:";

    private Secrets() {
    }

    /** {@code bytes} random bytes, base64url. */
    public static String random(int bytes) {
        byte[] out = new byte[bytes];
        RANDOM.nextBytes(out);
        return Base64Url.encode(out);
    }

    /** A new secret: 256 random bits, 43 characters. */
    public static String newSecret() {
        return random(32);
    }

    /** How {@code secret} is stored. */
    public static String hash(String secret) {
        return PREFIX + Base64Url.encode(Sha256.digest(secret.getBytes(StandardCharsets.UTF_8)));
    }

    /** Whether {@code secret} is the one stored as {@code hash}, in time independent of where they differ. */
    public static boolean matches(String secret, String hash) {
        if (secret == null || hash == null) {
            return false;
        }
        return MessageDigest.isEqual(hash(secret).getBytes(StandardCharsets.US_ASCII),
                hash.getBytes(StandardCharsets.US_ASCII));
    }
}
