package dev.tessera.token;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Typed reading of claims, with errors that name the claim. */
final class Claims {
    /** Latest NumericDate accepted: the end of year 9999. */
    private static final long MAX_EPOCH = 253402300799L;

    private Claims() {
    }

    static String string(Map<String, Object> claims, String name) throws TokenException {
        Object value = claims.get(name);
        if (value == null || value instanceof String) {
            return (String) value;
        }
        throw new TokenException(Reason.INVALID_CLAIM, "claim '" + name + "' must be a string, not " + jsonType(value));
    }

    static String requiredString(Map<String, Object> claims, String name) throws TokenException {
        String value = string(claims, name);
        if (value == null) {
            throw missing(name);
        }
        return value;
    }

    /** A NumericDate (RFC 7519 §2): a JSON number of seconds; strings and absurd values are invalid. */
    static Instant date(Map<String, Object> claims, String name) throws TokenException {
        Object value = claims.get(name);
        if (value == null) {
            return null;
        }
        if (!(value instanceof Number number)) {
            throw new TokenException(Reason.INVALID_CLAIM, "claim '" + name + "' must be a number of seconds, not "
                    + jsonType(value));
        }
        double seconds = number.doubleValue();
        if (!(seconds >= 0 && seconds <= MAX_EPOCH)) {
            throw new TokenException(Reason.INVALID_CLAIM, "claim '" + name + "' is out of range: "
                    + SafeText.quote(value, 24));
        }
        if (number instanceof Long l) {
            return Instant.ofEpochSecond(l);
        }
        long whole = (long) Math.floor(seconds);
        return Instant.ofEpochSecond(whole, Math.round((seconds - whole) * 1e9));
    }

    /** A string or an array of strings (as {@code aud}); empty when absent. */
    static List<String> strings(Map<String, Object> claims, String name) throws TokenException {
        Object value = claims.get(name);
        if (value == null) {
            return List.of();
        }
        if (value instanceof String s) {
            return List.of(s);
        }
        if (value instanceof List<?> list) {
            List<String> out = new ArrayList<>(list.size());
            for (Object item : list) {
                if (!(item instanceof String s)) {
                    throw new TokenException(Reason.INVALID_CLAIM, "claim '" + name
                            + "' must hold only strings, not " + jsonType(item));
                }
                out.add(s);
            }
            return List.copyOf(out);
        }
        throw new TokenException(Reason.INVALID_CLAIM, "claim '" + name + "' must be a string or an array of strings, not "
                + jsonType(value));
    }

    static TokenException missing(String name) {
        return new TokenException(Reason.MISSING_CLAIM, "claim '" + name + "' is required");
    }

    static String jsonType(Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof String) {
            return "a string";
        }
        if (value instanceof Number) {
            return "a number";
        }
        if (value instanceof Boolean) {
            return "a boolean";
        }
        if (value instanceof List) {
            return "an array";
        }
        return "an object";
    }
}
