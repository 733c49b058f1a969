package dev.tessera.token.keys;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/** SHA-256 with one reusable digest per thread (the JDK's is intrinsified with the CPU's SHA instructions). */
public final class Sha256 {
    private static final ThreadLocal<MessageDigest> DIGEST = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    });

    private Sha256() {
    }

    /** The hash of {@code data[0, length)}. */
    public static byte[] digest(byte[] data, int length) {
        MessageDigest digest = DIGEST.get();
        digest.update(data, 0, length);
        return digest.digest();
    }

    public static byte[] digest(byte[] data) {
        return digest(data, data.length);
    }
}
