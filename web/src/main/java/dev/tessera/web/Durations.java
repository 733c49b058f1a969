package dev.tessera.web;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as people write them: {@code 20m}, {@code 1h30m}, {@code 90s}, {@code 7d}, {@code 3600}, {@code PT20M}. */
public final class Durations {
    private static final Pattern PART = Pattern.compile("(\\d+)([dhms])");

    private Durations() {
    }

    /**
     * Parses a duration.
     *
     * @throws IllegalArgumentException with examples of what is accepted
     */
    public static Duration parse(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.matches("\\d{1,15}")) {
            return Duration.ofSeconds(Long.parseLong(v));
        }
        if (v.startsWith("p")) {
            try {
                return Duration.parse(value.trim());
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("not a duration: " + value);
            }
        }
        Matcher m = PART.matcher(v);
        Duration total = Duration.ZERO;
        int end = 0;
        while (m.find() && m.start() == end && m.group(1).length() <= 9) {
            long n = Long.parseLong(m.group(1));
            total = total.plus(switch (m.group(2)) {
                case "d" -> Duration.ofDays(n);
                case "h" -> Duration.ofHours(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofSeconds(n);
            });
            end = m.end();
        }
        if (end == 0 || end != v.length()) {
            throw new IllegalArgumentException("not a duration: " + value + " (examples: 20m, 1h, 90s, 3600)");
        }
        return total;
    }

    /** The shortest exact form: {@code 2h}, {@code 20m}, {@code 90s}. */
    public static String format(Duration d) {
        long s = d.getSeconds();
        if (s != 0 && s % 86400 == 0) {
            return s / 86400 + "d";
        }
        if (s != 0 && s % 3600 == 0) {
            return s / 3600 + "h";
        }
        if (s != 0 && s % 60 == 0) {
            return s / 60 + "m";
        }
        return s + "s";
    }
}
