package dev.tessera.issuer.store;

import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;

/** The {@code audit_event} table: written in batches, off the request path. */
public final class AuditStore {
    private final Jdbi jdbi;

    /** One issuance or other security-relevant event. Never holds a token, only its {@code jti}. */
    public record Event(String id, String vo, long at, String event, String clientId, String subject, String jti,
                        String scope, String audience, Long expiresAt) {
    }

    public AuditStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    public void insert(List<Event> events) {
        if (events.isEmpty()) {
            return;
        }
        jdbi.useTransaction(h -> {
            PreparedBatch batch = h.prepareBatch("""
                    INSERT INTO audit_event (id, vo, at, event, client_id, subject, jti, scope, audience, expires_at)
                    VALUES (:id, :vo, :at, :event, :clientId, :subject, :jti, :scope, :audience, :expiresAt)""");
            for (Event e : events) {
                batch.bindMethods(e).add();
            }
            batch.execute();
        });
    }

    /** The latest events of a VO, newest first. */
    public List<Event> latest(String vo, int limit) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM audit_event WHERE vo = :vo ORDER BY at DESC, id LIMIT :limit")
                .bind("vo", vo).bind("limit", limit)
                .map((rs, ctx) -> new Event(rs.getString("id"), rs.getString("vo"), rs.getLong("at"),
                        rs.getString("event"), rs.getString("client_id"), rs.getString("subject"), rs.getString("jti"),
                        rs.getString("scope"), rs.getString("audience"),
                        rs.getObject("expires_at") == null ? null : rs.getLong("expires_at")))
                .list());
    }

    /** Deletes events older than {@code before}; how many. */
    public int deleteOlderThan(long before) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM audit_event WHERE at < :before").bind("before", before).execute());
    }
}
