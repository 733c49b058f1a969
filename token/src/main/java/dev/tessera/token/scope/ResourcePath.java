package dev.tessera.token.scope;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.regex.Pattern;

/**
 * A normalized absolute path, as granted by a scope or asked for by a request.
 *
 * <p>The value is percent-decoded once, has no empty, {@code .} or {@code ..} segments and no
 * trailing slash ({@code "/"} for the root). A trailing slash in the source is kept as
 * {@link #directory()}: WLCG says a scope path ending in {@code /} names a directory only, and a
 * request ending in {@code /} is for a directory.
 *
 * <p>Containment is on segment boundaries: {@code /data} contains {@code /data/x} but never
 * {@code /database} (the prefix bug of scitokens-cpp before 1.4.1, CVE-2026-32716).
 */
public final class ResourcePath {
    /** The root, {@code /}. */
    public static final ResourcePath ROOT = new ResourcePath("/", true);

    /** How many decoding passes a scope path is searched for hidden {@code ..} segments. */
    private static final int TRAVERSAL_DECODE_PASSES = 8;
    private static final Pattern SEPARATORS = Pattern.compile("[/\\\\]");

    private final String value;
    private final boolean directory;

    private ResourcePath(String value, boolean directory) {
        this.value = value;
        this.directory = directory;
    }

    /**
     * A path from a scope ({@code read:/path}). Strict: the path must be absolute, and {@code ..}
     * anywhere, in any encoding ({@code %2e%2e}, {@code .%2E}, {@code %252e%252e}, ...), makes it
     * invalid rather than being resolved.
     */
    public static ResourcePath parseScopePath(String raw) throws InvalidScopeException {
        if (raw.isEmpty() || raw.charAt(0) != '/') {
            throw new InvalidScopeException("scope path must be absolute (start with /)");
        }
        if (isPlain(raw)) {
            return raw.length() == 1 ? ROOT : new ResourcePath(raw, false);
        }
        rejectTraversal(raw);
        String decoded = PercentCoding.decodeStrict(raw);
        if (decoded == null) {
            throw new InvalidScopeException("scope path has an invalid percent-encoding");
        }
        rejectControls(decoded, "scope path");
        Deque<String> segments = new ArrayDeque<>();
        for (String segment : decoded.split("/")) {
            if (!segment.isEmpty() && !segment.equals(".")) {
                segments.addLast(segment);
            }
        }
        return of(segments, decoded.endsWith("/") || decoded.endsWith("/."));
    }

    /**
     * A path from a request, as it appears in a URL: decoded once, then {@code .} and {@code ..}
     * resolved. A path that climbs above the root is invalid (never clamped to the root).
     */
    public static ResourcePath parseRequestPath(String raw) throws InvalidScopeException {
        if (raw == null || raw.isEmpty() || raw.charAt(0) != '/') {
            throw new InvalidScopeException("path must be absolute (start with /)");
        }
        if (isPlain(raw)) {
            return raw.length() == 1 ? ROOT : new ResourcePath(raw, false);
        }
        String decoded = PercentCoding.decodeStrict(raw);
        if (decoded == null) {
            throw new InvalidScopeException("path has an invalid percent-encoding");
        }
        rejectControls(decoded, "path");
        Deque<String> segments = new ArrayDeque<>();
        String last = "";
        for (String segment : decoded.split("/", -1)) {
            last = segment;
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..")) {
                if (segments.pollLast() == null) {
                    throw new InvalidScopeException("path escapes above the root");
                }
                continue;
            }
            segments.addLast(segment);
        }
        return of(segments, last.isEmpty() || last.equals(".") || last.equals(".."));
    }

    /**
     * Whether {@code raw} is already in normal form (no encoding, no empty, {@code .} or {@code ..}
     * segments, no trailing slash, no backslash or control character), which most paths are: then it
     * needs no decoding or rebuilding.
     */
    private static boolean isPlain(String raw) {
        int n = raw.length();
        if (n > 1 && raw.charAt(n - 1) == '/') {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = raw.charAt(i);
            if (c == '%' || c == '\\' || c < 0x20 || c == 0x7f) {
                return false;
            }
            if (c == '/' && i + 1 < n) {
                char next = raw.charAt(i + 1);
                if (next == '/') {
                    return false;
                }
                if (next == '.') {
                    int end = raw.indexOf('/', i + 1);
                    int length = (end < 0 ? n : end) - i - 1;
                    if (length == 1 || length == 2 && raw.charAt(i + 2) == '.') {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    private static ResourcePath of(Deque<String> segments, boolean directory) {
        if (segments.isEmpty()) {
            return ROOT;
        }
        return new ResourcePath("/" + String.join("/", segments), directory);
    }

    private static void rejectTraversal(String raw) throws InvalidScopeException {
        String s = raw;
        for (int pass = 0; pass < TRAVERSAL_DECODE_PASSES; pass++) {
            for (String segment : SEPARATORS.split(s)) {
                if (segment.equals("..")) {
                    throw new InvalidScopeException("scope path contains a path traversal (..)");
                }
            }
            String next = PercentCoding.decodeLenient(s);
            if (next.equals(s)) {
                return;
            }
            s = next;
        }
        throw new InvalidScopeException("scope path is percent-encoded too many times");
    }

    private static void rejectControls(String s, String what) throws InvalidScopeException {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new InvalidScopeException(what + " contains a control character");
            }
        }
    }

    /** The normalized, decoded path without a trailing slash; {@code "/"} for the root. */
    public String value() {
        return value;
    }

    /** Whether the path names a directory only (trailing slash), or is the root. */
    public boolean directory() {
        return directory;
    }

    public boolean isRoot() {
        return value.equals("/");
    }

    /**
     * Whether this path, as granted by a scope, covers {@code other}: the same path or one below it
     * on a segment boundary. A directory-only path does not cover the same path as a file.
     */
    public boolean contains(ResourcePath other) {
        if (isRoot()) {
            return true;
        }
        if (other.value.equals(value)) {
            return !directory || other.directory;
        }
        return isStrictPrefixOf(other.value);
    }

    /** Whether this path lies strictly above {@code other} (is one of its ancestor directories). */
    public boolean isAncestorOf(ResourcePath other) {
        return isRoot() ? !other.isRoot() : isStrictPrefixOf(other.value);
    }

    private boolean isStrictPrefixOf(String other) {
        return other.length() > value.length() && other.startsWith(value) && other.charAt(value.length()) == '/';
    }

    /**
     * This path relative to {@code base} (a base path maps an issuer's {@code /} to a directory of
     * the service), or {@code null} when it lies outside {@code base}.
     */
    public ResourcePath relativeTo(ResourcePath base) {
        if (base.isRoot()) {
            return this;
        }
        if (value.equals(base.value)) {
            return ROOT;
        }
        return base.isStrictPrefixOf(value) ? new ResourcePath(value.substring(base.value.length()), directory) : null;
    }

    /** {@code relative} placed under this path: the inverse of {@link #relativeTo}. */
    public ResourcePath resolve(ResourcePath relative) {
        if (isRoot()) {
            return relative;
        }
        if (relative.isRoot()) {
            return this;
        }
        return new ResourcePath(value + relative.value, relative.directory);
    }

    /** The path percent-encoded where needed, with a trailing slash for a directory-only path. */
    @Override
    public String toString() {
        String encoded = PercentCoding.encodePath(value);
        return directory && !isRoot() ? encoded + "/" : encoded;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ResourcePath p && p.value.equals(value) && p.directory == directory;
    }

    @Override
    public int hashCode() {
        return value.hashCode() * 31 + (directory ? 1 : 0);
    }
}
