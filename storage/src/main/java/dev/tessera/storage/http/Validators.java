package dev.tessera.storage.http;

import dev.tessera.storage.service.FileTree;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/** ETags, HTTP dates and the conditional-request rules of RFC 9110 §13. */
public final class Validators {
    private static final DateTimeFormatter HTTP_DATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);

    private Validators() {
    }

    /** A strong ETag from size and modification time: changes whenever the content is replaced. */
    public static String etag(FileTree.Info info) {
        return "\"" + Long.toHexString(info.size()) + "-" + Long.toHexString(info.modified()) + "\"";
    }

    /** The HTTP date of a time; the last few are remembered, since the same files are served again and again. */
    public static String httpDate(long millis) {
        long second = Math.floorDiv(millis, 1000);
        int slot = (int) (second & (DATES.length - 1));
        CachedDate cached = DATES[slot];
        if (cached != null && cached.second == second) {
            return cached.text;
        }
        String text = HTTP_DATE.format(Instant.ofEpochSecond(second));
        DATES[slot] = new CachedDate(second, text);
        return text;
    }

    private record CachedDate(long second, String text) {
    }

    /** Racy by design: a slot holds an immutable pair, so a reader sees an old pair or a new one. */
    private static final CachedDate[] DATES = new CachedDate[64];

    /** An HTTP date in seconds since the epoch, or -1 when absent or unreadable (then ignored, RFC 9110). */
    static long parseDate(String value) {
        if (value == null) {
            return -1;
        }
        try {
            return ZonedDateTime.parse(value.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toEpochSecond();
        } catch (DateTimeParseException e) {
            return -1;
        }
    }

    /** Whether an {@code If-Match} / {@code If-None-Match} list names {@code etag} (or is {@code *}). */
    static boolean matches(String header, String etag) {
        if (header == null) {
            return false;
        }
        for (String candidate : header.split(",")) {
            String c = candidate.strip();
            if (c.equals("*") || c.equals(etag) || c.startsWith("W/") && c.substring(2).equals(etag)) {
                return true;
            }
        }
        return false;
    }

    /** A single byte range of a file: {@code [first, last]} inclusive. */
    record Range(long first, long last) {
        long length() {
            return last - first + 1;
        }
    }

    /**
     * The one range of a {@code Range: bytes=...} header: {@code null} to serve the whole file (no header,
     * another unit, several ranges), {@link #UNSATISFIABLE} for a range outside the file.
     */
    static Range range(String header, long size) {
        if (header == null || !header.startsWith("bytes=") || header.indexOf(',') >= 0) {
            return null;
        }
        String spec = header.substring(6).strip();
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return null;
        }
        try {
            String from = spec.substring(0, dash).strip();
            String to = spec.substring(dash + 1).strip();
            if (from.isEmpty()) { // suffix: the last N bytes
                long n = Long.parseLong(to);
                return n <= 0 || size == 0 ? UNSATISFIABLE : new Range(Math.max(0, size - n), size - 1);
            }
            long first = Long.parseLong(from);
            long last = to.isEmpty() ? size - 1 : Math.min(Long.parseLong(to), size - 1);
            return first >= size || last < first ? UNSATISFIABLE : new Range(first, last);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static final Range UNSATISFIABLE = new Range(-1, -2);
}
