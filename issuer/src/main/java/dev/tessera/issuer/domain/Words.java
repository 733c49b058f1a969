package dev.tessera.issuer.domain;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/** Lists stored as space-separated words (none of the stored items can contain a space). */
public final class Words {
    private Words() {
    }

    public static String join(Collection<String> items) {
        for (String item : items) {
            if (item.isEmpty() || item.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException("empty or contains white space: '" + item + "'");
            }
        }
        return String.join(" ", items);
    }

    public static List<String> split(String text) {
        return text == null || text.isBlank() ? List.of() : Arrays.asList(text.strip().split(" +"));
    }
}
