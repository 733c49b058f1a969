package dev.tessera.storage.webdav;

import java.nio.charset.StandardCharsets;

/** Percent-encoding of path segments for hrefs (RFC 3986 unreserved and sub-delims stay as they are). */
public final class Hrefs {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private Hrefs() {
    }

    public static String encodeSegment(String segment) {
        StringBuilder out = new StringBuilder(segment.length() + 8);
        for (byte b : segment.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-._~!$&'()*+,;=:@".indexOf(c) >= 0) {
                out.append(c);
            } else {
                out.append('%').append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
            }
        }
        return out.toString();
    }
}
