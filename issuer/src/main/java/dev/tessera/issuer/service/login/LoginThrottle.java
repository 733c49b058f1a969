package dev.tessera.issuer.service.login;

import dev.tessera.issuer.service.RateLimit;
import java.time.Clock;
import java.time.Duration;

/**
 * Limits password guessing: at most a few failed sign-ins per account and per client address within a
 * window, which bounds guessing without letting anyone lock an account for long.
 */
public final class LoginThrottle {
    private final RateLimit perAccount;
    private final RateLimit perAddress;

    public LoginThrottle(int perAccount, int perAddress, Duration window, Clock clock) {
        this.perAccount = new RateLimit(perAccount, window, clock);
        this.perAddress = new RateLimit(perAddress, window, clock);
    }

    /** 5 per account and 30 per address in 15 minutes. */
    public static LoginThrottle standard(Clock clock) {
        return new LoginThrottle(5, 30, Duration.ofMinutes(15), clock);
    }

    /** Whether another attempt for this account from this address may be checked now. */
    public boolean allows(String account, String address) {
        return perAccount.allows(account) && perAddress.allows(address);
    }

    public void failed(String account, String address) {
        perAccount.record(account);
        perAddress.record(address);
    }

    public void succeeded(String account) {
        perAccount.reset(account);
    }
}
