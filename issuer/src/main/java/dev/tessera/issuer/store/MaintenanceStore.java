package dev.tessera.issuer.store;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jdbi.v3.core.Jdbi;

/** The {@code key_schedule} and {@code lease} tables, and the removal of rows nobody can use any more. */
public final class MaintenanceStore {
    /** Tables whose rows are useless once their {@code expires_at} has passed. */
    private static final List<String> EXPIRING = List.of("device_grant", "refresh_token", "login_session",
            "revoked_access_token", "client_assertion", "admin_token");

    private final Jdbi jdbi;

    public MaintenanceStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /**
     * Takes or extends the named lease for {@code holder} until {@code now + ttl}; false while another holder
     * has it. A crashed holder's lease lapses by itself.
     */
    public boolean lease(String name, String holder, long now, Duration ttl) {
        return jdbi.withHandle(h -> h.createUpdate("""
                UPDATE lease SET holder = :holder, until = :until WHERE name = :name AND (until < :now OR holder = :holder)""")
                .bind("holder", holder).bind("until", now + ttl.toSeconds()).bind("name", name).bind("now", now)
                .execute()) == 1;
    }

    /** Gives up the named lease if {@code holder} has it, so that another server need not wait for it to lapse. */
    public void release(String name, String holder) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE lease SET until = 0 WHERE name = :name AND holder = :holder")
                .bind("name", name).bind("holder", holder).execute());
    }

    /**
     * Deletes what expired before {@code before}: device grants, refresh tokens, sessions, the revocation list's
     * entries and used client assertions; authorization codes a day later, so that a replayed code still
     * revokes the tokens it gave while they live.
     *
     * @return rows deleted per table (tables with none left out)
     */
    public Map<String, Integer> deleteExpired(long before) {
        Map<String, Integer> deleted = new LinkedHashMap<>();
        jdbi.useHandle(h -> {
            for (String table : EXPIRING) {
                int rows = h.createUpdate("DELETE FROM " + table + " WHERE expires_at < :before").bind("before", before)
                        .execute();
                if (rows > 0) {
                    deleted.put(table, rows);
                }
            }
            int codes = h.createUpdate("DELETE FROM authorization_code WHERE expires_at < :before")
                    .bind("before", before - Duration.ofDays(1).toSeconds()).execute();
            if (codes > 0) {
                deleted.put("authorization_code", codes);
            }
        });
        return deleted;
    }

    /** VO name to rotation interval, for the VOs that rotate their keys automatically. */
    public Map<String, Duration> keySchedules() {
        return jdbi.withHandle(h -> h.createQuery("SELECT vo, rotate_every FROM key_schedule ORDER BY vo")
                .reduceRows(new LinkedHashMap<String, Duration>(), (map, row) -> {
                    map.put(row.getColumn("vo", String.class), Duration.ofSeconds(row.getColumn("rotate_every", Long.class)));
                    return map;
                }));
    }

    /** Sets ({@code every} non-null) or removes a VO's rotation schedule. */
    public void setKeySchedule(String vo, Duration every) {
        jdbi.useTransaction(h -> {
            h.createUpdate("DELETE FROM key_schedule WHERE vo = :vo").bind("vo", vo).execute();
            if (every != null) {
                h.createUpdate("INSERT INTO key_schedule (vo, rotate_every) VALUES (:vo, :every)").bind("vo", vo)
                        .bind("every", every.toSeconds()).execute();
            }
        });
    }
}
