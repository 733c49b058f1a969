package dev.tessera.agent.manager;

import dev.tessera.agent.vault.VaultEntry;
import dev.tessera.agent.vault.VaultSession;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * A process that rotates one refresh token as fast as it can, printing each number once the store has
 * it durably ({@link CrashSafetyTest} kills it mid-way).
 */
public final class RotatingWriter {
    private RotatingWriter() {
    }

    public static void main(String[] args) throws Exception {
        GrantStore store = new GrantStore(Path.of(args[0]), args[1].toCharArray());
        for (long i = 0; ; i++) {
            try (VaultSession session = store.vault("alice").lock()) {
                session.put(new VaultEntry("https://issuer.example/vo/x", "cli", "rt-" + i, "read:/x", List.of(),
                        Instant.now()));
            }
            System.out.println(i);
            System.out.flush();
        }
    }
}
