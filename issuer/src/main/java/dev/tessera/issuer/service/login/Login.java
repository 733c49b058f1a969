package dev.tessera.issuer.service.login;

import dev.tessera.issuer.domain.Account;
import dev.tessera.issuer.service.Passwords;
import dev.tessera.issuer.service.Secrets;
import dev.tessera.issuer.service.VoContext;
import dev.tessera.issuer.store.AccountStore;
import dev.tessera.issuer.store.SessionStore;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signing in to the pages with a local account, and the sessions that follow: a random cookie value whose
 * hash is stored (so a database copy holds no usable session), one VO per session, a fixed lifetime.
 */
public final class Login {
    private static final Logger LOG = LoggerFactory.getLogger(Login.class);
    /** How long a sign-in lasts. */
    public static final Duration SESSION_LIFETIME = Duration.ofHours(8);

    private final AccountStore accounts;
    private final SessionStore sessions;
    private final LoginThrottle throttle;
    private final Clock clock;

    /** Why a sign-in failed, in words safe to show (never which of username or password was wrong). */
    public static final class Refused extends Exception {
        public Refused(String message) {
            super(message, null, false, false);
        }
    }

    public Login(AccountStore accounts, SessionStore sessions, LoginThrottle throttle, Clock clock) {
        this.accounts = accounts;
        this.sessions = sessions;
        this.throttle = throttle;
        this.clock = clock;
    }

    /**
     * Checks a username and password and opens a session.
     *
     * @return the session cookie's value
     * @throws Refused when they are wrong or too many attempts were made
     */
    public String signIn(VoContext vo, String username, char[] password, String address) throws Refused {
        String key = vo.vo().name() + "/" + username;
        if (!throttle.allows(key, address)) {
            LOG.warn("sign-in throttled: VO {} user {} from {}", vo.vo().name(), username, address);
            throw new Refused("Too many failed sign-ins. Wait a few minutes and try again.");
        }
        Optional<AccountStore.Stored> account = accounts.find(vo.vo().name(), username);
        boolean ok = Passwords.matchesAccount(password, account.map(AccountStore.Stored::passwordHash));
        if (!ok) {
            throttle.failed(key, address);
            LOG.info("sign-in failed: VO {} user {} from {}", vo.vo().name(), username, address);
            throw new Refused("Wrong username or password.");
        }
        throttle.succeeded(key);
        String session = Secrets.newSecret();
        long now = clock.instant().getEpochSecond();
        sessions.insert(Secrets.hash(session), vo.vo().name(), username, now, now + SESSION_LIFETIME.toSeconds());
        LOG.info("signed in: VO {} user {} from {}", vo.vo().name(), username, address);
        return session;
    }

    /** Who is signed in with a session cookie, and since when (epoch seconds). */
    public record SignedIn(Account account, long since) {
    }

    /** The account of a session cookie in this VO, if it is live. */
    public Optional<Account> account(VoContext vo, String session) {
        return signedIn(vo, session).map(SignedIn::account);
    }

    /** The account and sign-in time of a session cookie in this VO, if it is live. */
    public Optional<SignedIn> signedIn(VoContext vo, String session) {
        if (session == null || session.isEmpty()) {
            return Optional.empty();
        }
        return sessions.find(Secrets.hash(session), clock.instant().getEpochSecond())
                .filter(s -> s.vo().equals(vo.vo().name()))
                .flatMap(s -> accounts.find(s.vo(), s.username()).map(a -> new SignedIn(a.account(), s.createdAt())));
    }

    public void signOut(String session) {
        if (session != null && !session.isEmpty()) {
            sessions.delete(Secrets.hash(session));
        }
    }
}
