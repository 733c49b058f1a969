package dev.tessera.issuer.store;

import dev.tessera.issuer.domain.RefreshGrant;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** The {@code refresh_token} table: hashes only. Rotation is a conditional update, so a token is used once. */
public final class RefreshTokenStore {
    private final Jdbi jdbi;

    public RefreshTokenStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public void insert(RefreshGrant g) {
        jdbi.useHandle(h -> h.createUpdate("""
                INSERT INTO refresh_token (token_hash, family_id, vo, client_id, username, subject, scope, audience,
                                           issued_at, expires_at)
                VALUES (:tokenHash, :familyId, :vo, :clientId, :username, :subject, :scope, :audience, :issuedAt,
                        :expiresAt)""")
                .bindMethods(g).execute());
    }

    public Optional<RefreshGrant> find(String hash) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM refresh_token WHERE token_hash = :hash")
                .bind("hash", hash)
                .map((rs, ctx) -> {
                    long used = rs.getLong("used_at");
                    Long usedAt = rs.wasNull() ? null : used;
                    long revoked = rs.getLong("revoked_at");
                    Long revokedAt = rs.wasNull() ? null : revoked;
                    return new RefreshGrant(rs.getString("token_hash"), rs.getString("family_id"), rs.getString("vo"),
                            rs.getString("client_id"), rs.getString("username"), rs.getString("subject"),
                            rs.getString("scope"), rs.getString("audience"), rs.getLong("issued_at"),
                            rs.getLong("expires_at"), usedAt, revokedAt);
                })
                .findOne());
    }

    /** Marks a live token used; true only for the one caller that did it. */
    public boolean use(String hash, long now) {
        return jdbi.withHandle(h -> h.createUpdate("""
                UPDATE refresh_token SET used_at = :now
                WHERE token_hash = :hash AND used_at IS NULL AND revoked_at IS NULL AND expires_at > :now""")
                .bind("now", now).bind("hash", hash).execute()) == 1;
    }

    /** Revokes every token of a family; how many were live. */
    public int revokeFamily(String familyId, long now) {
        return jdbi.withHandle(h -> h.createUpdate("""
                UPDATE refresh_token SET revoked_at = :now WHERE family_id = :family AND revoked_at IS NULL""")
                .bind("now", now).bind("family", familyId).execute());
    }
}
