package dev.tessera.token.scope;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** RFC 3986 percent-encoding of path text, UTF-8 based. */
final class PercentCoding {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private PercentCoding() {
    }

    /**
     * Decodes every {@code %XX} once. Strict: a {@code %} not followed by two hex digits, or bytes
     * that are not UTF-8, are errors ({@code null}).
     */
    static String decodeStrict(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); ) {
            char c = s.charAt(i);
            if (c != '%') {
                if (bytes.size() > 0 && !flush(bytes, out)) {
                    return null;
                }
                out.append(c);
                i++;
                continue;
            }
            int value = i + 2 < s.length() ? hexPair(s.charAt(i + 1), s.charAt(i + 2)) : -1;
            if (value < 0) {
                return null;
            }
            bytes.write(value);
            i += 3;
        }
        return bytes.size() > 0 && !flush(bytes, out) ? null : out.toString();
    }

    /** Decodes the valid {@code %XX} sequences once and leaves anything else as it is. */
    static String decodeLenient(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            int value = c == '%' && i + 2 < s.length() ? hexPair(s.charAt(i + 1), s.charAt(i + 2)) : -1;
            if (value >= 0) {
                out.append((char) value); // byte-wise is enough to spot '.', '/' and '\' at any depth
                i += 2;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** Encodes everything except RFC 3986 unreserved characters, sub-delims, ':', '@' and '/'. */
    static String encodePath(String s) {
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (isPathChar(c)) {
                if (out != null) {
                    out.append(c);
                }
                continue;
            }
            if (out == null) {
                out = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            int end = Character.isHighSurrogate(c) && i + 1 < s.length() ? i + 2 : i + 1;
            for (byte b : s.substring(i, end).getBytes(StandardCharsets.UTF_8)) {
                out.append('%').append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
            }
            i = end - 1;
        }
        return out == null ? s : out.toString();
    }

    private static boolean isPathChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                || "-._~!$&'()*+,;=:@/".indexOf(c) >= 0;
    }

    private static boolean flush(ByteArrayOutputStream bytes, StringBuilder out) {
        try {
            out.append(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())));
            bytes.reset();
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static int hexPair(char hi, char lo) {
        int h = hex(hi);
        int l = hex(lo);
        return h < 0 || l < 0 ? -1 : h << 4 | l;
    }

    private static int hex(char c) { // ASCII only: Character.digit would accept other scripts' digits
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    }
}
