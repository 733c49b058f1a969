package dev.tessera.issuer.store;

import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * A counter bumped in the same transaction as every change to VOs, keys, clients or policy: a server
 * polls it and reloads what it caches when it moves.
 */
public final class Revision {
    private final Jdbi jdbi;

    public Revision(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public long current() {
        return jdbi.withHandle(h -> h.createQuery("SELECT value FROM revision WHERE id = 1").mapTo(Long.class).one());
    }

    static void bump(Handle handle) {
        handle.createUpdate("UPDATE revision SET value = value + 1 WHERE id = 1").execute();
    }
}
