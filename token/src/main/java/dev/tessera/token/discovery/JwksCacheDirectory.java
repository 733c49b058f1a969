package dev.tessera.token.discovery;

import com.nimbusds.jose.jwk.JWKSet;
import dev.tessera.token.files.PrivateFiles;
import dev.tessera.token.jws.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.ParseException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Issuer key sets kept on disk so that a restarted verifier works while the issuer is down.
 *
 * <p>The layout is the directory mode of the WLCG JWKS cache specification (WLCG-AuthZ-WG/jwks-cache
 * v1.0): one file per issuer, named by the lowercase hex SHA-256 of the issuer URL, holding
 * {@code {"<iss>": {"expiration": <epoch>, "next_update": <epoch>, "jwks": {...}}}}. Files are written
 * 0600 and atomically.
 */
public final class JwksCacheDirectory {
    private final Path directory;

    public JwksCacheDirectory(Path directory) {
        this.directory = directory;
    }

    /** A stored key set. */
    public record Entry(JWKSet jwks, Instant nextUpdate, Instant expiration) {
    }

    public Path directory() {
        return directory;
    }

    /** The file an issuer's keys are stored in. */
    public Path fileFor(String issuer) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(issuer.getBytes(StandardCharsets.UTF_8));
            return directory.resolve(HexFormat.of().formatHex(hash));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public void store(String issuer, Entry entry) throws IOException {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("expiration", entry.expiration().getEpochSecond());
        value.put("next_update", entry.nextUpdate().getEpochSecond());
        value.put("jwks", entry.jwks().toJSONObject(true));
        PrivateFiles.writeAtomically(fileFor(issuer),
                Json.write(Map.of(issuer, value)).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The stored entry for {@code issuer}, or {@code null} when there is none or it cannot be read;
     * a damaged cache file only costs a fetch.
     */
    public Entry load(String issuer) {
        try {
            String text = Files.readString(fileFor(issuer), StandardCharsets.UTF_8);
            if (!(Json.parseObject(text).get(issuer) instanceof Map<?, ?> value)
                    || !(value.get("expiration") instanceof Number expiration)
                    || !(value.get("jwks") instanceof Map<?, ?> jwks)) {
                return null;
            }
            Instant expires = Instant.ofEpochSecond(expiration.longValue());
            // without next_update (other writers of the WLCG format), refresh at first use
            Instant next = value.get("next_update") instanceof Number n ? Instant.ofEpochSecond(n.longValue()) : Instant.EPOCH;
            @SuppressWarnings("unchecked")
            Map<String, Object> jwksObject = (Map<String, Object>) jwks;
            return new Entry(JWKSet.parse(jwksObject), next, expires);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | ParseException | RuntimeException e) {
            return null;
        }
    }

    public void delete(String issuer) throws IOException {
        Files.deleteIfExists(fileFor(issuer));
    }
}
