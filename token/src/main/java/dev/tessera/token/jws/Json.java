package dev.tessera.token.jws;

import com.nimbusds.jose.util.JSONObjectUtils;
import java.text.ParseException;
import java.util.Map;

/**
 * JSON objects as {@code Map<String, Object>} through Nimbus's bundled Gson: no other JSON library.
 *
 * <p>Values are {@code String}, {@code Long} (integers that fit) or {@code Double}, {@code Boolean},
 * {@code List}, {@code Map} or {@code null}. Parsing rejects duplicate member names, numbers that
 * overflow to infinity and nesting deeper than 255 levels, so JSON bombs fail fast.
 */
public final class Json {
    private Json() {
    }

    /** Parses a JSON object; anything else (an array, {@code null}, a string) is an error. */
    public static Map<String, Object> parseObject(String json) throws ParseException {
        // Gson would also read an array of [name, value] pairs, or null, as a map
        int i = 0;
        while (i < json.length() && Character.isWhitespace(json.charAt(i))) {
            i++;
        }
        if (i == json.length() || json.charAt(i) != '{') {
            throw new ParseException("not a JSON object", i);
        }
        return JSONObjectUtils.parse(json);
    }

    /** Serializes a JSON object compactly, keeping the map's iteration order. */
    public static String write(Map<String, ?> object) {
        return JSONObjectUtils.toJSONString(object);
    }
}
