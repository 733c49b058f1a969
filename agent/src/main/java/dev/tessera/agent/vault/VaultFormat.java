package dev.tessera.agent.vault;

import dev.tessera.token.jws.Json;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The vault file's JSON. In clear:
 * <pre>{"tessera_vault": 1, "encryption": "none", "entries": [{"issuer": ..., "client_id": ..., "refresh_token": ...,
 *   "scope": ..., "audience": [...], "updated_at": 1767225600}]}</pre>
 * Encrypted, the same {@code {"entries": [...]}} object sealed:
 * <pre>{"tessera_vault": 1, "encryption": "A256GCM", "kdf": {"name": "argon2id", "m": 65536, "t": 3, "p": 1,
 *   "salt": BASE64}, "ciphertext": BASE64(nonce | ciphertext | tag)}</pre>
 */
final class VaultFormat {
    static final long VERSION = 1;

    /** What a file held: its entries, and the KDF parameters when it was encrypted. */
    record Contents(List<VaultEntry> entries, VaultCipher.Kdf kdf) {
        static final Contents EMPTY = new Contents(List.of(), null);
    }

    /** A file that is not a vault this version reads. */
    static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message);
        }
    }

    private VaultFormat() {
    }

    static byte[] plain(List<VaultEntry> entries) {
        Map<String, Object> file = header("none");
        file.put("entries", entries(entries));
        return bytes(file);
    }

    static byte[] sealed(List<VaultEntry> entries, VaultCipher.Key key) {
        Map<String, Object> file = header("A256GCM");
        VaultCipher.Kdf kdf = key.kdf();
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("name", "argon2id");
        params.put("m", kdf.memoryKib());
        params.put("t", kdf.iterations());
        params.put("p", kdf.parallelism());
        params.put("salt", Base64.getEncoder().encodeToString(kdf.salt()));
        file.put("kdf", params);
        byte[] inner = Json.write(Map.of("entries", entries(entries))).getBytes(StandardCharsets.UTF_8);
        file.put("ciphertext", Base64.getEncoder().encodeToString(VaultCipher.seal(key, inner)));
        return bytes(file);
    }

    /** The parsed outer object, checked for the version. */
    static Map<String, Object> outer(byte[] content) throws Malformed {
        Map<String, Object> file = object(new String(content, StandardCharsets.UTF_8), "the file");
        if (!Long.valueOf(VERSION).equals(file.get("tessera_vault"))) {
            throw new Malformed("not a Tessera vault of version " + VERSION + " (tessera_vault is "
                    + file.get("tessera_vault") + ")");
        }
        return file;
    }

    static boolean isEncrypted(Map<String, Object> file) throws Malformed {
        Object encryption = file.get("encryption");
        if ("none".equals(encryption)) {
            return false;
        }
        if ("A256GCM".equals(encryption)) {
            return true;
        }
        throw new Malformed("unknown encryption " + encryption);
    }

    static VaultCipher.Kdf kdf(Map<String, Object> file) throws Malformed {
        if (!(file.get("kdf") instanceof Map<?, ?> kdf) || !"argon2id".equals(kdf.get("name"))) {
            throw new Malformed("the key derivation is missing or not argon2id");
        }
        VaultCipher.Kdf parsed = new VaultCipher.Kdf(integer(kdf.get("m")), integer(kdf.get("t")), integer(kdf.get("p")),
                base64(kdf.get("salt"), "kdf.salt"));
        if (!parsed.withinBounds()) {
            throw new Malformed("the key derivation parameters are out of bounds");
        }
        return parsed;
    }

    static byte[] ciphertext(Map<String, Object> file) throws Malformed {
        return base64(file.get("ciphertext"), "ciphertext");
    }

    static List<VaultEntry> entries(Map<String, Object> object) throws Malformed {
        if (!(object.get("entries") instanceof List<?> list)) {
            throw new Malformed("no list of entries");
        }
        List<VaultEntry> out = new ArrayList<>();
        for (Object item : list) {
            if (!(item instanceof Map<?, ?> e)) {
                throw new Malformed("an entry is not an object");
            }
            List<String> audiences = new ArrayList<>();
            if (e.get("audience") instanceof List<?> values) {
                values.forEach(v -> audiences.add(String.valueOf(v)));
            }
            out.add(new VaultEntry(string(e, "issuer"), string(e, "client_id"), string(e, "refresh_token"),
                    e.get("scope") instanceof String s ? s : null, audiences,
                    Instant.ofEpochSecond(e.get("updated_at") instanceof Long l ? l : 0)));
        }
        return out;
    }

    static List<VaultEntry> entries(byte[] innerJson) throws Malformed {
        return entries(object(new String(innerJson, StandardCharsets.UTF_8), "the decrypted content"));
    }

    private static List<Map<String, Object>> entries(List<VaultEntry> entries) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (VaultEntry entry : entries) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("issuer", entry.issuer());
            e.put("client_id", entry.clientId());
            e.put("refresh_token", entry.refreshToken());
            if (entry.scope() != null) {
                e.put("scope", entry.scope());
            }
            e.put("audience", entry.audiences());
            e.put("updated_at", entry.updatedAt().getEpochSecond());
            out.add(e);
        }
        return out;
    }

    private static Map<String, Object> header(String encryption) {
        Map<String, Object> file = new LinkedHashMap<>();
        file.put("tessera_vault", VERSION);
        file.put("encryption", encryption);
        return file;
    }

    private static byte[] bytes(Map<String, Object> file) {
        return (Json.write(file) + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private static Map<String, Object> object(String json, String what) throws Malformed {
        try {
            return Json.parseObject(json);
        } catch (java.text.ParseException | RuntimeException e) {
            throw new Malformed(what + " is not a JSON object");
        }
    }

    private static String string(Map<?, ?> e, String name) throws Malformed {
        if (!(e.get(name) instanceof String s) || s.isEmpty()) {
            throw new Malformed("an entry lacks " + name);
        }
        return s;
    }

    private static int integer(Object value) throws Malformed {
        if (!(value instanceof Long l) || l < 0 || l > Integer.MAX_VALUE) {
            throw new Malformed("a key derivation parameter is not a number");
        }
        return l.intValue();
    }

    private static byte[] base64(Object value, String name) throws Malformed {
        try {
            return Base64.getDecoder().decode((String) value);
        } catch (ClassCastException | IllegalArgumentException | NullPointerException e) {
            throw new Malformed(name + " is not base64");
        }
    }
}
