package dev.tessera.issuer.store;

import dev.tessera.issuer.domain.DeviceGrant;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** The {@code device_grant} table. State changes are conditional updates, so each happens once. */
public final class DeviceGrantStore {
    private final Jdbi jdbi;

    public DeviceGrantStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** Stores a new grant; false when its user code is taken (the caller draws another). */
    public boolean insert(DeviceGrant g) {
        try {
            jdbi.useHandle(h -> h.createUpdate("""
                    INSERT INTO device_grant (device_code_hash, user_code, vo, client_id, scope, audience, created_at,
                                              expires_at, poll_interval, status)
                    VALUES (:hash, :userCode, :vo, :clientId, :scope, :audience, :createdAt, :expiresAt, :interval,
                            'pending')""")
                    .bind("hash", g.deviceCodeHash()).bind("userCode", g.userCode()).bind("vo", g.vo())
                    .bind("clientId", g.clientId()).bind("scope", g.scope()).bind("audience", g.audience())
                    .bind("createdAt", g.createdAt()).bind("expiresAt", g.expiresAt()).bind("interval", g.pollInterval())
                    .execute());
            return true;
        } catch (RuntimeException e) {
            if (findByUserCode(g.userCode()).isPresent()) {
                return false;
            }
            throw e;
        }
    }

    public Optional<DeviceGrant> findByDeviceCode(String hash) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM device_grant WHERE device_code_hash = :hash")
                .bind("hash", hash).map((rs, ctx) -> read(rs)).findOne());
    }

    public Optional<DeviceGrant> findByUserCode(String userCode) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM device_grant WHERE user_code = :code")
                .bind("code", userCode).map((rs, ctx) -> read(rs)).findOne());
    }

    /** Records a poll and, when it came too early, the longer interval; true if the poll was not too early. */
    public boolean poll(String hash, long now) {
        return jdbi.inTransaction(h -> {
            int onTime = h.createUpdate("""
                    UPDATE device_grant SET last_polled_at = :now WHERE device_code_hash = :hash
                    AND (last_polled_at IS NULL OR last_polled_at + poll_interval <= :now)""")
                    .bind("now", now).bind("hash", hash).execute();
            if (onTime == 0) {
                h.createUpdate("""
                        UPDATE device_grant SET last_polled_at = :now, poll_interval = poll_interval + 5
                        WHERE device_code_hash = :hash""").bind("now", now).bind("hash", hash).execute();
            }
            return onTime > 0;
        });
    }

    /** Decides a pending, unexpired grant; false if it was no longer pending. */
    public boolean decide(String userCode, DeviceGrant.Status decision, String username, String grantedScope, long now) {
        return jdbi.withHandle(h -> h.createUpdate("""
                UPDATE device_grant SET status = :status, username = :username, granted_scope = :granted
                WHERE user_code = :code AND status = 'pending' AND expires_at > :now""")
                .bind("status", decision.name().toLowerCase(Locale.ROOT)).bind("username", username)
                .bind("granted", grantedScope).bind("code", userCode).bind("now", now).execute()) == 1;
    }

    /** Marks an approved grant redeemed; true only for the one caller that did it. */
    public boolean redeem(String hash) {
        return jdbi.withHandle(h -> h.createUpdate("""
                UPDATE device_grant SET status = 'redeemed' WHERE device_code_hash = :hash AND status = 'approved'""")
                .bind("hash", hash).execute()) == 1;
    }

    private static DeviceGrant read(ResultSet rs) throws SQLException {
        long polled = rs.getLong("last_polled_at");
        return new DeviceGrant(rs.getString("device_code_hash"), rs.getString("user_code"), rs.getString("vo"),
                rs.getString("client_id"), rs.getString("scope"), rs.getString("audience"), rs.getLong("created_at"),
                rs.getLong("expires_at"), rs.getInt("poll_interval"), rs.wasNull() ? null : polled,
                DeviceGrant.Status.valueOf(rs.getString("status").toUpperCase(Locale.ROOT)), rs.getString("username"),
                rs.getString("granted_scope"));
    }
}
