package dev.tessera.issuer.store;

import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** The {@code admin_account} and {@code admin_token} tables. */
public final class AdminStore {
    private final Jdbi jdbi;

    /** An administrator as stored. */
    public record Account(String username, String passwordHash, boolean mustChange) {
    }

    public AdminStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** Stores an administrator unless there is one of that name; whether it was stored. */
    public boolean insert(Account account, long now) {
        return jdbi.withHandle(h -> h.createUpdate("""
                INSERT INTO admin_account (username, password_hash, must_change, created_at)
                SELECT :username, :hash, :mustChange, :now
                WHERE NOT EXISTS (SELECT 1 FROM admin_account WHERE username = :username)""")
                .bind("username", account.username()).bind("hash", account.passwordHash())
                .bind("mustChange", account.mustChange() ? 1 : 0).bind("now", now).execute()) == 1;
    }

    public long count() {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM admin_account").mapTo(Long.class).one());
    }

    public Optional<Account> find(String username) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM admin_account WHERE username = :username")
                .bind("username", username)
                .map((rs, ctx) -> new Account(rs.getString("username"), rs.getString("password_hash"),
                        rs.getInt("must_change") == 1))
                .findOne());
    }

    /** Sets a password (and whether it is one-time); ends the administrator's API sessions. */
    public boolean setPassword(String username, String passwordHash, boolean mustChange) {
        return jdbi.inTransaction(h -> {
            h.createUpdate("DELETE FROM admin_token WHERE username = :username").bind("username", username).execute();
            return h.createUpdate("UPDATE admin_account SET password_hash = :hash, must_change = :mustChange WHERE username = :username")
                    .bind("hash", passwordHash).bind("mustChange", mustChange ? 1 : 0).bind("username", username)
                    .execute() == 1;
        });
    }

    public void insertToken(String tokenHash, String username, long now, long expiresAt) {
        jdbi.useHandle(h -> h.createUpdate("""
                INSERT INTO admin_token (token_hash, username, created_at, expires_at)
                VALUES (:hash, :username, :now, :expires)""")
                .bind("hash", tokenHash).bind("username", username).bind("now", now).bind("expires", expiresAt).execute());
    }

    /** The administrator a live token belongs to. */
    public Optional<String> tokenOwner(String tokenHash, long now) {
        return jdbi.withHandle(h -> h.createQuery("SELECT username FROM admin_token WHERE token_hash = :hash AND expires_at > :now")
                .bind("hash", tokenHash).bind("now", now).mapTo(String.class).findOne());
    }
}
