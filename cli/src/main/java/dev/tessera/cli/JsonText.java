package dev.tessera.cli;

import dev.tessera.token.SafeText;
import java.util.List;
import java.util.Map;

/** Indented JSON for people to read (the library writes compact JSON for machines). */
final class JsonText {
    private JsonText() {
    }

    static String pretty(Object value) {
        StringBuilder out = new StringBuilder();
        write(value, 0, out);
        return out.toString();
    }

    private static void write(Object value, int depth, StringBuilder out) {
        if (value instanceof Map<?, ?> map) {
            if (map.isEmpty()) {
                out.append("{}");
                return;
            }
            out.append("{\n");
            int i = 0;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                indent(depth + 1, out);
                string(String.valueOf(e.getKey()), out);
                out.append(": ");
                write(e.getValue(), depth + 1, out);
                out.append(++i < map.size() ? ",\n" : "\n");
            }
            indent(depth, out);
            out.append('}');
        } else if (value instanceof List<?> list) {
            if (list.isEmpty()) {
                out.append("[]");
                return;
            }
            boolean simple = list.stream().noneMatch(v -> v instanceof Map || v instanceof List);
            out.append(simple ? "[" : "[\n");
            for (int i = 0; i < list.size(); i++) {
                if (!simple) {
                    indent(depth + 1, out);
                }
                write(list.get(i), depth + 1, out);
                if (i + 1 < list.size()) {
                    out.append(simple ? ", " : ",\n");
                }
            }
            if (!simple) {
                out.append('\n');
                indent(depth, out);
            }
            out.append(']');
        } else if (value instanceof String s) {
            string(s, out);
        } else {
            out.append(value);
        }
    }

    private static void indent(int depth, StringBuilder out) {
        out.append("  ".repeat(depth));
    }

    private static void string(String s, StringBuilder out) {
        out.append(SafeText.quote(s, Integer.MAX_VALUE)); // JSON string escaping, never truncated here
    }
}
