package dev.tessera.agent.manager;

import dev.tessera.agent.vault.Vault;
import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The refresh tokens of every user of the agent, one {@link Vault} per user:
 * {@code DATA/users/USER/grants.json}, a 0600 file in a 0700 directory, encrypted under the
 * {@link AgentKey}, replaced atomically and durably (write, fsync, rename, fsync the directory) on every
 * change, so a crash leaves the old version or the new one and never loses a rotated refresh token. A
 * user's vault holds one entry per issuer and client.
 *
 * <p>A user is named as the system names them (the peer credentials of a socket, or a credential
 * directory); the name is percent-encoded into a directory name, so no name can reach outside
 * {@code users/}.
 */
public final class GrantStore {
    private static final String FILE = "grants.json";

    private final Path users;
    private final char[] key;
    private final ConcurrentHashMap<String, Vault> vaults = new ConcurrentHashMap<>();

    /**
     * @param dataDir the agent's data directory
     * @param key     the encryption key ({@link AgentKey#load})
     */
    public GrantStore(Path dataDir, char[] key) {
        this.users = dataDir.toAbsolutePath().resolve("users");
        this.key = key.clone();
    }

    /** The vault of {@code user} (which may not exist yet). */
    public Vault vault(String user) {
        return vaults.computeIfAbsent(user, u -> new Vault(users.resolve(directoryName(u)).resolve(FILE), key));
    }

    /** The users that have a vault on disk. */
    public List<String> users() throws IOException {
        List<String> names = new ArrayList<>();
        try (var dirs = Files.list(users)) {
            for (Path dir : (Iterable<Path>) dirs::iterator) {
                if (Files.isRegularFile(dir.resolve(FILE))) {
                    names.add(URLDecoder.decode(dir.getFileName().toString(), StandardCharsets.UTF_8));
                }
            }
        } catch (NoSuchFileException e) {
            return List.of();
        }
        return names;
    }

    /** The directory of a user: the name percent-encoded, so {@code /} and a leading dot cannot appear. */
    static String directoryName(String user) {
        if (user == null || user.isEmpty()) {
            throw new IllegalArgumentException("a user has a name");
        }
        String encoded = URLEncoder.encode(user, StandardCharsets.UTF_8).replace("*", "%2A");
        return encoded.startsWith(".") ? "%2E" + encoded.substring(1) : encoded;
    }
}
