package dev.tessera.issuer.service.keys;

import dev.tessera.token.files.PrivateFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The key that seals the VOs' private signing keys in the database (AES-256-GCM), so a copy of the
 * database alone signs nothing. It comes from {@code TESSERA_MASTER_KEY} (base64 of 32 bytes) or the
 * file {@code master.key} in the data directory, created 0600 on first start. Every issuer process
 * sharing one database needs the same master key.
 */
public final class MasterKey {
    public static final String ENVIRONMENT = "TESSERA_MASTER_KEY";
    public static final String FILE_NAME = "master.key";
    private static final String FORMAT = "aes256gcm:";
    private static final int NONCE_BYTES = 12;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;

    private MasterKey(byte[] key) {
        if (key.length != 32) {
            throw new IllegalArgumentException("the master key must be 32 bytes (base64 of 32 random bytes), not "
                    + key.length);
        }
        this.key = new SecretKeySpec(key, "AES");
    }

    /** A master key from its 32 bytes. */
    public static MasterKey of(byte[] key) {
        return new MasterKey(key.clone());
    }

    /**
     * The master key from {@code env} or {@code dataDir/master.key}, creating the file when neither exists
     * and {@code create} is set.
     *
     * @throws IOException when the file is unreadable, malformed, or readable by others
     */
    public static MasterKey load(Path dataDir, Map<String, String> env, boolean create) throws IOException {
        String fromEnv = env.get(ENVIRONMENT);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return new MasterKey(decode(fromEnv, ENVIRONMENT));
        }
        Path file = dataDir.resolve(FILE_NAME);
        if (!Files.exists(file)) {
            if (!create) {
                throw new IOException("no master key: set " + ENVIRONMENT + " or create " + file);
            }
            byte[] fresh = new byte[32];
            RANDOM.nextBytes(fresh);
            Files.createDirectories(dataDir);
            PrivateFiles.writeAtomically(file, (Base64.getEncoder().encodeToString(fresh) + "\n")
                    .getBytes(StandardCharsets.US_ASCII));
            return new MasterKey(fresh);
        }
        if (PrivateFiles.isGroupOrWorldAccessible(file)) {
            throw new IOException(file + " is readable by others: chmod 600 it");
        }
        return new MasterKey(decode(Files.readString(file, StandardCharsets.US_ASCII), file.toString()));
    }

    private static byte[] decode(String text, String where) throws IOException {
        try {
            return Base64.getDecoder().decode(text.strip());
        } catch (IllegalArgumentException e) {
            throw new IOException(where + ": not base64", e);
        }
    }

    /** {@code plain} encrypted and authenticated, bound to {@code context} (e.g. which row it is stored in). */
    public String seal(byte[] plain, String context) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
            cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(plain);
            byte[] out = Arrays.copyOf(nonce, NONCE_BYTES + sealed.length);
            System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
            return FORMAT + Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is unavailable", e);
        }
    }

    /**
     * The plain bytes of {@link #seal sealed} text.
     *
     * @throws GeneralSecurityException when it was sealed under another key or context, or altered
     */
    public byte[] open(String sealed, String context) throws GeneralSecurityException {
        if (!sealed.startsWith(FORMAT)) {
            throw new GeneralSecurityException("not a sealed value");
        }
        byte[] in;
        try {
            in = Base64.getDecoder().decode(sealed.substring(FORMAT.length()));
        } catch (IllegalArgumentException e) {
            throw new GeneralSecurityException("a sealed value is not base64");
        }
        if (in.length < NONCE_BYTES + 16) {
            throw new GeneralSecurityException("a sealed value is too short");
        }
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, in, 0, NONCE_BYTES));
        cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
        return cipher.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES);
    }
}
