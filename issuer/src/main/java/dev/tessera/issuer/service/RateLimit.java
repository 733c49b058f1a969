package dev.tessera.issuer.service;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * At most {@code limit} events per key within a sliding window, counted in this process (several issuer
 * processes each allow their share: a bound on abuse, not an exact quota).
 */
public final class RateLimit {
    private final int limit;
    private final Duration window;
    private final Clock clock;
    private final Map<String, Deque<Long>> events = new ConcurrentHashMap<>();

    public RateLimit(int limit, Duration window, Clock clock) {
        this.limit = limit;
        this.window = window;
        this.clock = clock;
    }

    /** Whether another event for {@code key} is within the limit now. */
    public boolean allows(String key) {
        return count(key) < limit;
    }

    /** Counts an event for {@code key}. */
    public void record(String key) {
        Deque<Long> times = events.computeIfAbsent(key, k -> new ArrayDeque<>());
        synchronized (times) {
            times.addLast(clock.millis());
        }
        if (events.size() > 100_000) {
            events.keySet().removeIf(k -> count(k) == 0);
        }
    }

    /** Forgets {@code key}'s events. */
    public void reset(String key) {
        events.remove(key);
    }

    private int count(String key) {
        Deque<Long> times = events.get(key);
        if (times == null) {
            return 0;
        }
        long since = clock.millis() - window.toMillis();
        synchronized (times) {
            while (!times.isEmpty() && times.peekFirst() < since) {
                times.removeFirst();
            }
            return times.size();
        }
    }
}
