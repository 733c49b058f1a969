package dev.tessera.issuer.service;

import dev.tessera.issuer.store.AuditStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records every issuance (never the token: its {@code jti}, subject, client, scopes, audience, expiry)
 * to the {@code audit} log at once and to the database in batches from a background thread, so the
 * token endpoint never waits for a database write. Events queued when the process stops are written by
 * {@link #close()}; if the database is unreachable they are kept (up to a limit) and written later.
 */
public final class AuditTrail implements AutoCloseable {
    private static final Logger AUDIT = LoggerFactory.getLogger("audit");
    private static final Logger LOG = LoggerFactory.getLogger(AuditTrail.class);
    private static final int BATCH = 500;
    private static final int MAX_QUEUED = 200_000;

    private final AuditStore store;
    private final LinkedBlockingQueue<AuditStore.Event> queue = new LinkedBlockingQueue<>(MAX_QUEUED);
    private final Thread writer;
    private volatile boolean closing;

    public AuditTrail(AuditStore store) {
        this.store = store;
        this.writer = new Thread(this::run, "audit-writer");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    /** Records an event. */
    public void record(AuditStore.Event event) {
        AUDIT.info("{} vo={} client={} sub={} jti={} scope=\"{}\" aud=\"{}\" exp={}", event.event(), event.vo(),
                event.clientId(), event.subject(), event.jti(), event.scope(), event.audience(), event.expiresAt());
        if (!queue.offer(event)) {
            LOG.error("audit queue full ({} events): the database has not accepted audit events for a while; "
                    + "this event is only in the audit log", MAX_QUEUED);
        }
    }

    private void run() {
        List<AuditStore.Event> batch = new ArrayList<>(BATCH);
        while (!closing || !queue.isEmpty() || !batch.isEmpty()) {
            try {
                if (batch.isEmpty()) {
                    AuditStore.Event first = queue.poll(200, TimeUnit.MILLISECONDS);
                    if (first == null) {
                        continue;
                    }
                    batch.add(first);
                }
                queue.drainTo(batch, BATCH - batch.size());
                store.insert(batch);
                batch.clear();
            } catch (InterruptedException e) {
                closing = true;
            } catch (RuntimeException e) {
                LOG.warn("cannot write {} audit events to the database yet: {}", batch.size(), e.toString());
                if (closing) {
                    return;
                }
                sleep(Duration.ofSeconds(1));
            }
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Writes what is queued and stops. */
    @Override
    public void close() {
        closing = true;
        try {
            writer.join(Duration.ofSeconds(10).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
