package dev.tessera.issuer.store;

import dev.tessera.issuer.domain.StoredKey;
import dev.tessera.token.keys.Algorithm;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/** The {@code signing_key} table. */
public final class KeyStore {
    private final Jdbi jdbi;

    public KeyStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public void insert(StoredKey key) {
        jdbi.useTransaction(h -> {
            h.createUpdate("""
                    INSERT INTO signing_key (vo, kid, algorithm, private_key, public_jwk, created_at, activates_at)
                    VALUES (:vo, :kid, :algorithm, :privateKey, :publicJwk, :createdAt, :activatesAt)""")
                    .bind("vo", key.vo()).bind("kid", key.kid()).bind("algorithm", key.algorithm().name())
                    .bind("privateKey", key.sealedPrivateKey()).bind("publicJwk", key.publicJwk())
                    .bind("createdAt", key.createdAt()).bind("activatesAt", key.activatesAt())
                    .execute();
            Revision.bump(h);
        });
    }

    /** Every key, oldest activation first. */
    public List<StoredKey> list() {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM signing_key ORDER BY vo, activates_at, kid")
                .map((rs, ctx) -> new StoredKey(rs.getString("vo"), rs.getString("kid"),
                        Algorithm.valueOf(rs.getString("algorithm")), rs.getString("private_key"),
                        rs.getString("public_jwk"), rs.getLong("created_at"), rs.getLong("activates_at")))
                .list());
    }

    /** Removes keys no longer published (see the key ring for when that is). */
    public void delete(String vo, String kid) {
        jdbi.useTransaction(h -> {
            h.createUpdate("DELETE FROM signing_key WHERE vo = :vo AND kid = :kid").bind("vo", vo).bind("kid", kid)
                    .execute();
            Revision.bump(h);
        });
    }
}
