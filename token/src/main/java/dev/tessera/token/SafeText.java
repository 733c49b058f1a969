package dev.tessera.token;

/**
 * Makes untrusted text safe for messages: JSON-style escaping of quotes, backslashes and control
 * characters, and truncation with "..." so that a 1000-character issuer cannot produce a
 * 1000-character error (scitokens-cpp {@code IssuerSecurityTest.LongIssuerTruncation}).
 */
public final class SafeText {
    /** Longest value quoted into a message, before escaping. */
    public static final int MAX_VALUE = 96;
    /** Longest message a {@link TokenException} carries. */
    public static final int MAX_MESSAGE = 320;

    private SafeText() {
    }

    /** The value in double quotes, escaped and truncated to {@link #MAX_VALUE} characters. */
    public static String quote(Object value) {
        return quote(value, MAX_VALUE);
    }

    /** The value in double quotes, escaped and truncated to {@code max} characters. */
    public static String quote(Object value, int max) {
        if (value == null) {
            return "null";
        }
        String s = String.valueOf(value);
        boolean cut = s.length() > max;
        StringBuilder out = new StringBuilder(Math.min(s.length(), max) + 8).append('"');
        escape(cut ? s.substring(0, max) : s, true, out);
        return out.append(cut ? "...\"" : "\"").toString();
    }

    /** Escapes control characters and truncates a whole message to {@link #MAX_MESSAGE}. */
    public static String bound(String message) {
        if (message == null) {
            return null;
        }
        StringBuilder out = new StringBuilder(message.length());
        escape(message, false, out);
        return out.length() <= MAX_MESSAGE ? out.toString() : out.substring(0, MAX_MESSAGE - 3) + "...";
    }

    private static void escape(String s, boolean quotes, StringBuilder out) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quotes && (c == '"' || c == '\\')) {
                out.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f || Character.isSurrogate(c) && !pairedSurrogate(s, i)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
    }

    private static boolean pairedSurrogate(String s, int i) {
        return Character.isHighSurrogate(s.charAt(i))
                ? i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))
                : i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }
}
