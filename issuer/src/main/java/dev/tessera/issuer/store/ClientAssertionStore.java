package dev.tessera.issuer.store;

import org.jdbi.v3.core.Jdbi;

/** The {@code client_assertion} table: assertion ids already used, until their assertions expire. */
public final class ClientAssertionStore {
    private final Jdbi jdbi;

    public ClientAssertionStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** Records a first use; false when this client used {@code jti} before (on any server of the database). */
    public boolean firstUse(String vo, String clientId, String jti, long expiresAt) {
        try {
            return jdbi.withHandle(h -> h.createUpdate("""
                    INSERT INTO client_assertion (vo, client_id, jti, expires_at) VALUES (:vo, :clientId, :jti, :exp)""")
                    .bind("vo", vo).bind("clientId", clientId).bind("jti", jti).bind("exp", expiresAt).execute()) == 1;
        } catch (RuntimeException e) { // the primary key: used before (or used concurrently elsewhere)
            boolean seen = jdbi.withHandle(h -> h.createQuery("""
                    SELECT COUNT(*) FROM client_assertion WHERE vo = :vo AND client_id = :clientId AND jti = :jti""")
                    .bind("vo", vo).bind("clientId", clientId).bind("jti", jti).mapTo(Long.class).one()) > 0;
            if (seen) {
                return false;
            }
            throw e;
        }
    }
}
