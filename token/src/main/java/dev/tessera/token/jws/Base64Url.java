package dev.tessera.token.jws;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Strict unpadded base64url (RFC 7515 §2): only the 64 URL-safe characters, no '=' padding, and only
 * the canonical encoding (no stray bits in the last character, RFC 4648 §3.5).
 */
public final class Base64Url {
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private Base64Url() {
    }

    public static String encode(byte[] bytes) {
        return ENCODER.encodeToString(bytes);
    }

    /**
     * Decodes {@code s[from, to)}.
     *
     * @throws IllegalArgumentException on a character outside the alphabet, padding, a bad length or
     *                                  a non-canonical last character
     */
    public static byte[] decode(String s, int from, int to) {
        int len = to - from;
        if (len % 4 == 1) {
            throw new IllegalArgumentException("impossible base64url length");
        }
        if (len == 0) {
            return new byte[0];
        }
        int last = value(s.charAt(to - 1)); // also refuses '=' padding, which the JDK decoder would accept
        if (last < 0) {
            throw new IllegalArgumentException("character outside the base64url alphabet");
        }
        if (len % 4 == 2 && (last & 0x0f) != 0 || len % 4 == 3 && (last & 0x03) != 0) {
            throw new IllegalArgumentException("non-canonical base64url (stray bits in the last character)");
        }
        // as Latin-1 bytes, a non-ASCII character becomes a byte (or '?') that the JDK decoder rejects
        return DECODER.decode(s.substring(from, to).getBytes(StandardCharsets.ISO_8859_1));
    }

    private static int value(char c) {
        if (c >= 'A' && c <= 'Z') {
            return c - 'A';
        }
        if (c >= 'a' && c <= 'z') {
            return c - 'a' + 26;
        }
        if (c >= '0' && c <= '9') {
            return c - '0' + 52;
        }
        return c == '-' ? 62 : c == '_' ? 63 : -1;
    }
}
