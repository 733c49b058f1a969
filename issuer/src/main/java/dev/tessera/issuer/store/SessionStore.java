package dev.tessera.issuer.store;

import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** The {@code login_session} table: the pages' sign-ins, by the hash of the cookie's value. */
public final class SessionStore {
    private final Jdbi jdbi;

    /** A live session. */
    public record Session(String vo, String username, long createdAt, long expiresAt) {
    }

    public SessionStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public void insert(String idHash, String vo, String username, long now, long expiresAt) {
        jdbi.useHandle(h -> h.createUpdate("""
                INSERT INTO login_session (id_hash, vo, username, created_at, expires_at)
                VALUES (:id, :vo, :username, :now, :expires)""")
                .bind("id", idHash).bind("vo", vo).bind("username", username).bind("now", now).bind("expires", expiresAt)
                .execute());
    }

    public Optional<Session> find(String idHash, long now) {
        return jdbi.withHandle(h -> h.createQuery("""
                SELECT vo, username, created_at, expires_at FROM login_session WHERE id_hash = :id AND expires_at > :now""")
                .bind("id", idHash).bind("now", now)
                .map((rs, ctx) -> new Session(rs.getString("vo"), rs.getString("username"), rs.getLong("created_at"),
                        rs.getLong("expires_at")))
                .findOne());
    }

    public void delete(String idHash) {
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM login_session WHERE id_hash = :id").bind("id", idHash).execute());
    }
}
