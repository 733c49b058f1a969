package dev.tessera.issuer.service.admin;

import dev.tessera.issuer.service.Passwords;
import dev.tessera.issuer.service.Secrets;
import dev.tessera.issuer.service.login.LoginThrottle;
import dev.tessera.issuer.store.AdminStore;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The deployment's administrators and their admin API tokens. The first one, {@code admin}, is made on first
 * start with a one-time password shown once; it only opens a password change. Tokens are random, stored as
 * hashes, and last an hour: the API is for scripts that sign in, act, and go.
 */
public final class Administrators {
    private static final Logger LOG = LoggerFactory.getLogger(Administrators.class);
    public static final String BOOTSTRAP = "admin";
    public static final Duration TOKEN_LIFETIME = Duration.ofHours(1);
    private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9_@][A-Za-z0-9._@-]{0,127}");

    private final AdminStore store;
    private final LoginThrottle throttle;
    private final Clock clock;

    /** Why a sign-in was refused, in words for the administrator. */
    public static final class Refused extends Exception {
        private final boolean passwordChangeRequired;

        Refused(String message, boolean passwordChangeRequired) {
            super(message, null, false, false);
            this.passwordChangeRequired = passwordChangeRequired;
        }

        public boolean passwordChangeRequired() {
            return passwordChangeRequired;
        }
    }

    /** An admin API token: shown once. */
    public record Token(String value, String username, long expiresIn) {
    }

    public Administrators(AdminStore store, LoginThrottle throttle, Clock clock) {
        this.store = store;
        this.throttle = throttle;
        this.clock = clock;
    }

    /** On first start: makes {@code admin} with a one-time password and returns it; empty when there are administrators. */
    public Optional<String> bootstrap() {
        if (store.count() > 0) {
            return Optional.empty();
        }
        String password = Secrets.random(18);
        boolean made = store.insert(new AdminStore.Account(BOOTSTRAP, Passwords.hash(password.toCharArray()), true),
                clock.instant().getEpochSecond());
        return made ? Optional.of(password) : Optional.empty(); // another server made it first
    }

    /** A new one-time password for an administrator (made if missing): the recovery for a lost password. */
    public String resetPassword(String username) {
        if (username == null || !USERNAME.matcher(username).matches()) {
            throw new IllegalArgumentException("an administrator's name is letters, digits, '.', '_', '@' and '-'");
        }
        String password = Secrets.random(18);
        String hash = Passwords.hash(password.toCharArray());
        if (!store.setPassword(username, hash, true)) {
            store.insert(new AdminStore.Account(username, hash, true), clock.instant().getEpochSecond());
        }
        LOG.info("one-time password set for administrator {}", username);
        return password;
    }

    /**
     * Checks an administrator's password (changing it first when {@code newPassword} is given, which a one-time
     * password requires) and issues an API token.
     */
    public Token signIn(String username, char[] password, char[] newPassword, String address) throws Refused {
        String key = "admin/" + username;
        if (!throttle.allows(key, address)) {
            throw new Refused("too many failed sign-ins: wait a few minutes", false);
        }
        Optional<AdminStore.Account> account = store.find(username);
        boolean ok = Passwords.matchesAccount(password, account.map(AdminStore.Account::passwordHash));
        if (!ok) {
            throttle.failed(key, address);
            LOG.warn("admin sign-in failed: {} from {}", username, address);
            throw new Refused("wrong administrator name or password", false);
        }
        throttle.succeeded(key);
        if (newPassword != null) {
            if (newPassword.length < 12) {
                throw new Refused("a new password needs at least 12 characters", account.get().mustChange());
            }
            store.setPassword(username, Passwords.hash(newPassword), false);
            LOG.info("administrator {} changed their password", username);
        } else if (account.get().mustChange()) {
            throw new Refused("this is a one-time password: set new_password", true);
        }
        String token = Secrets.newSecret();
        long now = clock.instant().getEpochSecond();
        store.insertToken(Secrets.hash(token), username, now, now + TOKEN_LIFETIME.toSeconds());
        LOG.info("admin API token issued to {} from {}", username, address);
        return new Token(token, username, TOKEN_LIFETIME.toSeconds());
    }

    /** The administrator a bearer token belongs to, if it is live. */
    public Optional<String> authenticate(String token) {
        if (token == null || token.isEmpty()) {
            return Optional.empty();
        }
        return store.tokenOwner(Secrets.hash(token), clock.instant().getEpochSecond());
    }
}
