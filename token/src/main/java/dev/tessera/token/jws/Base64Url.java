package dev.tessera.token.jws;

import java.util.Base64;

/** Strict unpadded base64url (RFC 7515 §2): only the 64 URL-safe characters, no '=' padding. */
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
     * @throws IllegalArgumentException on a character outside the alphabet, padding or a bad length
     */
    public static byte[] decode(String s, int from, int to) {
        int len = to - from;
        if (len % 4 == 1) {
            throw new IllegalArgumentException("impossible base64url length");
        }
        byte[] ascii = new byte[len];
        for (int i = 0; i < len; i++) {
            char c = s.charAt(from + i);
            if (!(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_')) {
                throw new IllegalArgumentException("character outside the base64url alphabet");
            }
            ascii[i] = (byte) c;
        }
        return DECODER.decode(ascii);
    }
}
