package dev.tessera.token;

import dev.tessera.token.keys.Sha256;
import java.util.HexFormat;

/**
 * The SHA-256 of a token, as the key of the verified-token cache: the cache never holds the tokens
 * themselves, and a collision would need a SHA-256 collision.
 */
final class TokenDigest {
    private final long a;
    private final long b;
    private final long c;
    private final long d;

    private TokenDigest(byte[] hash) {
        a = word(hash, 0);
        b = word(hash, 8);
        c = word(hash, 16);
        d = word(hash, 24);
    }

    static TokenDigest of(byte[] token) {
        return new TokenDigest(Sha256.digest(token));
    }

    /** The first 64 bits in hex: enough to tell tokens apart in logs, useless to an attacker. */
    String fingerprint() {
        return HexFormat.of().toHexDigits(a);
    }

    private static long word(byte[] h, int i) {
        long w = 0;
        for (int k = 0; k < 8; k++) {
            w = w << 8 | (h[i + k] & 0xff);
        }
        return w;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TokenDigest t && t.a == a && t.b == b && t.c == c && t.d == d;
    }

    @Override
    public int hashCode() {
        return (int) (a ^ a >>> 32);
    }
}
