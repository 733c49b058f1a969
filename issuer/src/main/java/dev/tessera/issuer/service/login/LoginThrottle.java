package dev.tessera.issuer.service.login;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Limits password guessing: at most {@code perAccount} failed sign-ins per account and {@code perAddress}
 * per client address within a window. Counts live in this process (several issuer processes each allow
 * their share), which bounds guessing without letting anyone lock an account for long.
 */
public final class LoginThrottle {
    private final int perAccount;
    private final int perAddress;
    private final Duration window;
    private final Clock clock;
    private final Map<String, Deque<Long>> failures = new ConcurrentHashMap<>();

    public LoginThrottle(int perAccount, int perAddress, Duration window, Clock clock) {
        this.perAccount = perAccount;
        this.perAddress = perAddress;
        this.window = window;
        this.clock = clock;
    }

    /** 5 per account and 30 per address in 15 minutes. */
    public static LoginThrottle standard(Clock clock) {
        return new LoginThrottle(5, 30, Duration.ofMinutes(15), clock);
    }

    /** Whether another attempt for this account from this address may be checked now. */
    public boolean allows(String account, String address) {
        return recent("account:" + account) < perAccount && recent("address:" + address) < perAddress;
    }

    public void failed(String account, String address) {
        long now = clock.millis();
        for (String key : new String[] {"account:" + account, "address:" + address}) {
            Deque<Long> times = failures.computeIfAbsent(key, k -> new ArrayDeque<>());
            synchronized (times) {
                times.addLast(now);
            }
        }
        if (failures.size() > 100_000) {
            failures.entrySet().removeIf(e -> recent(e.getKey()) == 0);
        }
    }

    public void succeeded(String account) {
        failures.remove("account:" + account);
    }

    private int recent(String key) {
        Deque<Long> times = failures.get(key);
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
