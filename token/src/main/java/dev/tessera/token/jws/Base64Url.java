package dev.tessera.token.jws;

import java.util.Base64;

/** Strict unpadded base64url (RFC 7515 §2): only the 64 URL-safe characters, no '=' padding. */
public final class Base64Url {
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private Base64Url() {
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

    public static String encode(byte[] bytes) {
        return ENCODER.encodeToString(bytes);
    }

    /**
     * Decodes {@code s[from, to)}.
     *
     * @throws IllegalArgumentException on a character outside the alphabet, padding or a bad length
     */
    public static byte[] decode(String s, int from, int to) {
        int len = to - from;
        if (len % 4 == 1) {
            throw new IllegalArgumentException("impossible base64url length");
        }
        byte[] ascii = new byte[len];
        int last = 0;
        for (int i = 0; i < len; i++) {
            char c = s.charAt(from + i);
            last = value(c);
            if (last < 0) {
                throw new IllegalArgumentException("character outside the base64url alphabet");
            }
            ascii[i] = (byte) c;
        }
        // canonical form only: the bits the last character carries beyond the data must be zero (RFC 4648 §3.5)
        if (len % 4 == 2 && (last & 0x0f) != 0 || len % 4 == 3 && (last & 0x03) != 0) {
            throw new IllegalArgumentException("non-canonical base64url (stray bits in the last character)");
        }
        return DECODER.decode(ascii);
    }
}
