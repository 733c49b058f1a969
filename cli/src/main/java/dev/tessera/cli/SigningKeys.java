package dev.tessera.cli;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.tessera.token.keys.Pem;
import dev.tessera.token.keys.SigningKey;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.text.ParseException;

/** Loads a signing key from a PEM file and works out its {@code kid}. */
final class SigningKeys {
    /** Environment variable holding the passphrase of an encrypted private key. */
    static final String PASSPHRASE_ENV = "TESSERA_KEY_PASSPHRASE";

    private SigningKeys() {
    }

    /**
     * The key in {@code pemFile}. Its {@code kid} is {@code kid} when given, else the id of the same key
     * in a {@code jwks.json} beside the file (as {@code tessera keygen} writes it), else the key's RFC 7638
     * thumbprint (with a warning: verifiers will only find it if the JWKS uses the same id).
     */
    static SigningKey load(Path pemFile, String kid, PrintWriter err) {
        KeyPair pair;
        try {
            String passphrase = System.getenv(PASSPHRASE_ENV);
            pair = Pem.readKeyPair(Files.readString(pemFile), passphrase == null ? null : passphrase.toCharArray());
        } catch (java.nio.file.NoSuchFileException e) {
            throw new UsageError("key file not found: " + pemFile, e);
        } catch (IOException e) {
            throw new UsageError("cannot load the private key " + pemFile + ": " + FileErrors.describe(e)
                    + (e.getMessage() != null && e.getMessage().contains("passphrase") ? " (set " + PASSPHRASE_ENV + ")" : ""), e);
        }
        SigningKey anonymous;
        try {
            anonymous = SigningKey.of(null, SigningKey.algorithmFor(pair), pair);
        } catch (IllegalArgumentException e) {
            throw new UsageError("the key in " + pemFile + " cannot sign tokens: " + e.getMessage(), e);
        }
        if (kid != null) {
            try {
                return SigningKey.of(kid, anonymous.algorithm(), pair);
            } catch (IllegalArgumentException e) {
                throw new UsageError("--kid " + kid + ": " + e.getMessage(), e);
            }
        }
        String published = kidFromJwks(pemFile.toAbsolutePath().getParent().resolve("jwks.json"), anonymous);
        if (published != null) {
            return SigningKey.of(published, anonymous.algorithm(), pair);
        }
        err.println("warning: no --kid and no jwks.json beside " + pemFile + " naming this key; using its thumbprint "
                + anonymous.keyId() + " as kid");
        return anonymous;
    }

    private static String kidFromJwks(Path jwksFile, SigningKey key) {
        if (!Files.exists(jwksFile)) {
            return null;
        }
        try {
            String thumbprint = key.toPublicJwk().computeThumbprint().toString();
            for (JWK jwk : JWKSet.parse(Files.readString(jwksFile)).getKeys()) {
                if (jwk.getKeyID() != null && thumbprint.equals(jwk.computeThumbprint().toString())) {
                    return jwk.getKeyID();
                }
            }
            return null;
        } catch (IOException | ParseException | JOSEException e) {
            throw new UsageError("cannot read " + jwksFile + ": " + e.getMessage(), e);
        }
    }
}
