package dev.tessera.issuer.service;

import dev.tessera.issuer.domain.StoredKey;
import dev.tessera.issuer.service.keys.Keys;
import dev.tessera.issuer.store.Stores;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The issuer's periodic work: removing expired grants, sessions and revocations; deleting keys no verifier
 * needs any more; and rotating the keys of VOs with a schedule (the next key pre-published for the
 * verifiers' cache time, as a manual rotation would). Of several servers on one database, the one holding
 * the maintenance lease does it, so two never rotate a VO at once.
 */
public final class Maintenance implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Maintenance.class);
    static final String LEASE = "maintenance";

    private final Stores stores;
    private final IssuerState state;
    private final Keys keys;
    private final Duration prepublish;
    private final Duration auditRetention;
    private final Clock clock;
    private final String holder = UUID.randomUUID().toString();
    private ScheduledExecutorService timer;

    /** What one pass did. */
    public record Report(boolean leader, Map<String, Integer> deleted, List<String> retiredKeys, List<String> rotatedVos) {
        boolean didSomething() {
            return !deleted.isEmpty() || !retiredKeys.isEmpty() || !rotatedVos.isEmpty();
        }
    }

    /**
     * @param prepublish     how long a scheduled rotation's key is published before it signs
     * @param auditRetention how long issuance events are kept (at full speed they are gigabytes an hour)
     */
    public Maintenance(Stores stores, IssuerState state, Keys keys, Duration prepublish, Duration auditRetention,
                       Clock clock) {
        this.stores = stores;
        this.state = state;
        this.keys = keys;
        this.prepublish = prepublish;
        this.auditRetention = auditRetention;
        this.clock = clock;
    }

    /** Runs a pass now and then every {@code period}, on a daemon thread. */
    public synchronized void start(Duration period) {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "issuer-maintenance");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::runSafely, 0, period.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void runSafely() {
        try {
            Report report = runOnce();
            if (report.didSomething()) {
                LOG.info("maintenance: deleted {}, retired keys {}, rotated keys of {}", report.deleted(),
                        report.retiredKeys(), report.rotatedVos());
            }
        } catch (RuntimeException e) { // the next pass retries; the timer must not die
            LOG.warn("maintenance pass failed: {}", e.toString());
        }
    }

    /** One pass, if this server holds the lease. */
    public Report runOnce() {
        Instant now = clock.instant();
        if (!stores.maintenance().lease(LEASE, holder, now.getEpochSecond(), Duration.ofMinutes(10))) {
            return new Report(false, Map.of(), List.of(), List.of());
        }
        Map<String, Integer> deleted = new java.util.LinkedHashMap<>(stores.maintenance().deleteExpired(now.getEpochSecond()));
        int events = stores.audit().deleteOlderThan(now.minus(auditRetention).getEpochSecond());
        if (events > 0) {
            deleted.put("audit_event", events);
        }
        List<String> retired = new ArrayList<>();
        List<String> rotated = new ArrayList<>();
        Map<String, Duration> schedules = stores.maintenance().keySchedules();
        for (VoContext vo : state.vos()) {
            for (StoredKey old : vo.keys().retired(now)) {
                stores.keys().delete(old.vo(), old.kid());
                retired.add(old.vo() + "/" + old.kid());
            }
            Duration every = schedules.get(vo.vo().name());
            StoredKey active = vo.keys().activeKey(now).orElse(null);
            if (every != null && active != null && vo.keys().pending(now).isEmpty()
                    && !Instant.ofEpochSecond(active.activatesAt()).plus(every).minus(prepublish).isAfter(now)) {
                // started early by the pre-publication time, so the new key signs when the interval is up
                keys.rotate(vo.vo(), stores.keys().list(), prepublish);
                rotated.add(vo.vo().name());
            }
        }
        return new Report(true, deleted, retired, rotated);
    }

    /** Stops the timer and hands the lease on (a restarted server then takes over at once). */
    @Override
    public synchronized void close() {
        if (timer != null) {
            timer.shutdownNow();
            try {
                timer.awaitTermination(10, TimeUnit.SECONDS); // a pass in progress ends before the database closes
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try {
            stores.maintenance().release(LEASE, holder);
        } catch (RuntimeException e) {
            LOG.warn("could not release the maintenance lease: {}", e.toString());
        }
    }
}
