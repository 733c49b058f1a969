package dev.tessera.agent.manager;

import dev.tessera.token.files.PrivateFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;

/**
 * The key the agent encrypts its users' refresh tokens with: {@code TESSERA_AGENT_KEY} when set, else the
 * file {@code agent.key} in the data directory (mode 0600), created with 256 random bits on first start.
 * It is the passphrase of every user's {@link dev.tessera.agent.vault.Vault}, so the stores on disk are
 * AES-256-GCM encrypted and useless without it (a backup of the data directory without the key, say).
 */
public final class AgentKey {
    /** The environment variable that holds the key instead of the file. */
    public static final String ENV = "TESSERA_AGENT_KEY";
    /** The key file's name in the data directory. */
    public static final String FILE = "agent.key";
    private static final int LEAST_LENGTH = 16;

    private AgentKey() {
    }

    /**
     * The key from {@code env}, else from {@code dataDir/agent.key}, creating that file when it does not exist.
     *
     * @throws IOException when the key file cannot be read or written, is readable by others, or is too short
     */
    public static char[] load(Path dataDir, Map<String, String> env) throws IOException {
        String fromEnv = env.get(ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            if (fromEnv.strip().length() < LEAST_LENGTH) {
                throw new IOException(ENV + " is too short: give at least " + LEAST_LENGTH + " random characters");
            }
            return fromEnv.strip().toCharArray();
        }
        Path file = dataDir.resolve(FILE);
        try {
            if (PrivateFiles.isGroupOrWorldAccessible(file)) {
                throw new IOException("the agent key " + file + " can be read by other users: chmod 600 " + file);
            }
            String key = Files.readString(file, StandardCharsets.US_ASCII).strip();
            if (key.length() < LEAST_LENGTH) {
                throw new IOException("the agent key " + file + " is too short (" + key.length() + " characters)");
            }
            return key.toCharArray();
        } catch (NoSuchFileException e) {
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            String key = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            PrivateFiles.writeAtomically(file, (key + "\n").getBytes(StandardCharsets.US_ASCII));
            return key.toCharArray();
        }
    }
}
