package dev.tessera.token.jws;

import dev.tessera.token.keys.SigningKey;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Signs a header and claims as a compact JWS. Low level: no claim rules are applied, which is what
 * tests of bad tokens need; tokens for real use come from {@code TokenBuilder}.
 */
public final class JwsSigner {
    private JwsSigner() {
    }

    /**
     * Signs {@code claims} with {@code key}. The header gets {@code alg} and {@code kid} from the key
     * unless {@code header} sets them.
     */
    public static String sign(SigningKey key, Map<String, ?> header, Map<String, ?> claims) {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("alg", key.algorithm().name());
        h.put("kid", key.keyId());
        h.putAll(header);
        h.values().removeIf(v -> v == null);
        return signRaw(key, Json.write(h), Json.write(claims));
    }

    /** Signs exactly these header and payload texts. */
    public static String signRaw(SigningKey key, String headerJson, String claimsJson) {
        String input = Base64Url.encode(headerJson.getBytes(StandardCharsets.UTF_8)) + "."
                + Base64Url.encode(claimsJson.getBytes(StandardCharsets.UTF_8));
        return input + "." + Base64Url.encode(key.sign(input.getBytes(StandardCharsets.US_ASCII)));
    }
}
