package dev.tessera.issuer.store;

import dev.tessera.issuer.domain.Account;
import dev.tessera.token.jws.Json;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/** The {@code account} and {@code membership} tables. */
public final class AccountStore {
    private final Jdbi jdbi;

    /** An account with its password hash, for logging in. */
    public record Stored(Account account, String passwordHash) {
    }

    public AccountStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public void insert(Account account, String passwordHash, long now) {
        jdbi.useTransaction(h -> {
            h.createUpdate("""
                    INSERT INTO account (vo, username, subject, password_hash, claims, created_at)
                    VALUES (:vo, :username, :subject, :hash, :claims, :now)""")
                    .bind("vo", account.vo()).bind("username", account.username())
                    .bind("subject", account.subject()).bind("hash", passwordHash)
                    .bind("claims", claimsText(account.claims())).bind("now", now)
                    .execute();
            addGroups(h, account.vo(), account.username(), account.groups());
        });
    }

    public void addGroups(String vo, String username, Collection<String> groups) {
        jdbi.useTransaction(h -> addGroups(h, vo, username, groups));
    }

    private static void addGroups(Handle h, String vo, String username, Collection<String> groups) {
        for (String group : groups) {
            h.createUpdate("""
                    INSERT INTO membership (vo, username, grp) SELECT :vo, :username, :grp
                    WHERE NOT EXISTS (SELECT 1 FROM membership WHERE vo = :vo AND username = :username AND grp = :grp)""")
                    .bind("vo", vo).bind("username", username).bind("grp", group).execute();
        }
    }

    public void setPasswordHash(String vo, String username, String passwordHash) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE account SET password_hash = :hash WHERE vo = :vo AND username = :username")
                .bind("hash", passwordHash).bind("vo", vo).bind("username", username).execute());
    }

    public Optional<Stored> find(String vo, String username) {
        return jdbi.withHandle(h -> h.createQuery("SELECT subject, password_hash, claims FROM account WHERE vo = :vo AND username = :username")
                .bind("vo", vo).bind("username", username)
                .map((rs, ctx) -> new Stored(new Account(vo, username, rs.getString("subject"), groups(h, vo, username),
                        claims(rs.getString("claims"))), rs.getString("password_hash")))
                .findOne());
    }

    /** The account whose tokens carry {@code sub} = {@code subject}. */
    public Optional<Account> findBySubject(String vo, String subject) {
        return jdbi.withHandle(h -> h.createQuery("SELECT username FROM account WHERE vo = :vo AND subject = :subject")
                .bind("vo", vo).bind("subject", subject).mapTo(String.class).findOne()
                .flatMap(username -> find(vo, username)).map(Stored::account));
    }

    public List<Account> list(String vo) {
        return jdbi.withHandle(h -> h.createQuery("SELECT username, subject, claims FROM account WHERE vo = :vo ORDER BY username")
                .bind("vo", vo)
                .map((rs, ctx) -> new Account(vo, rs.getString("username"), rs.getString("subject"),
                        groups(h, vo, rs.getString("username")), claims(rs.getString("claims"))))
                .list());
    }

    /** Replaces an account's identity claims; whether the account exists. */
    public boolean setClaims(String vo, String username, Map<String, Object> claims) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE account SET claims = :claims WHERE vo = :vo AND username = :username")
                .bind("claims", claimsText(claims)).bind("vo", vo).bind("username", username).execute()) == 1;
    }

    private static String claimsText(Map<String, Object> claims) {
        return claims.isEmpty() ? null : Json.write(claims);
    }

    private static Map<String, Object> claims(String text) {
        if (text == null) {
            return Map.of();
        }
        try {
            return Json.parseObject(text);
        } catch (java.text.ParseException e) {
            throw new IllegalStateException("an account's claims are not a JSON object", e);
        }
    }

    private static List<String> groups(Handle h, String vo, String username) {
        return h.createQuery("SELECT grp FROM membership WHERE vo = :vo AND username = :username ORDER BY grp")
                .bind("vo", vo).bind("username", username).mapTo(String.class).list();
    }
}
