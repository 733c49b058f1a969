package dev.tessera.issuer.store;

import org.jdbi.v3.core.Jdbi;

/** The {@code revoked_access_token} table. */
public final class RevokedTokenStore {
    private final Jdbi jdbi;

    public RevokedTokenStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public void revoke(String jti, String vo, long now, long expiresAt) {
        jdbi.useHandle(h -> h.createUpdate("""
                INSERT INTO revoked_access_token (jti, vo, revoked_at, expires_at) SELECT :jti, :vo, :now, :exp
                WHERE NOT EXISTS (SELECT 1 FROM revoked_access_token WHERE jti = :jti)""")
                .bind("jti", jti).bind("vo", vo).bind("now", now).bind("exp", expiresAt).execute());
    }

    public boolean isRevoked(String jti) {
        return jti != null && jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM revoked_access_token WHERE jti = :jti")
                .bind("jti", jti).mapTo(Integer.class).one()) > 0;
    }
}
