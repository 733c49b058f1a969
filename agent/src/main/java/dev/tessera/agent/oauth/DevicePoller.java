package dev.tessera.agent.oauth;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;

/**
 * Waits for a person to approve a device authorization, polling as RFC 8628 §3.5 says: every
 * {@code interval}, five seconds slower after each {@code slow_down}, stopping at {@code access_denied},
 * {@code expired_token} or when the codes expire by this client's clock. A lost answer is retried with
 * a doubled interval, a few times, before giving up.
 */
public final class DevicePoller {
    private static final Duration SLOW_DOWN = Duration.ofSeconds(5);
    private static final Duration LONGEST_BACKOFF = Duration.ofMinutes(1);
    private static final int NETWORK_ATTEMPTS = 4;

    private final Clock clock;
    private final Sleeper sleeper;

    /**
     * @param clock   the clock the codes' expiry is judged by
     * @param sleeper how to wait between polls
     */
    public DevicePoller(Clock clock, Sleeper sleeper) {
        this.clock = clock;
        this.sleeper = sleeper;
    }

    /**
     * Polls until the person decides.
     *
     * @return the tokens once approved
     * @throws OAuthError            {@code access_denied}, {@code expired_token}, or another refusal
     * @throws IOException           when the issuer stayed unreachable
     * @throws InterruptedException  when interrupted while waiting
     */
    public IssuedTokens await(IssuerClient client, DeviceAuthorization authorization)
            throws IOException, OAuthError, InterruptedException {
        Duration interval = authorization.interval();
        int networkFailures = 0;
        while (true) {
            if (!clock.instant().isBefore(authorization.expiresAt())) {
                throw new OAuthError(OAuthError.EXPIRED_TOKEN, "the code " + authorization.userCode()
                        + " expired before it was approved", 0);
            }
            sleeper.sleep(interval);
            try {
                return client.pollDeviceAuthorization(authorization);
            } catch (OAuthError e) {
                networkFailures = 0;
                if (e.is(OAuthError.SLOW_DOWN)) {
                    interval = interval.plus(SLOW_DOWN);
                } else if (!e.is(OAuthError.AUTHORIZATION_PENDING)) {
                    throw e;
                }
            } catch (IOException e) {
                if (++networkFailures >= NETWORK_ATTEMPTS) {
                    throw e;
                }
                Duration doubled = interval.multipliedBy(2);
                interval = doubled.compareTo(LONGEST_BACKOFF) > 0 ? LONGEST_BACKOFF : doubled;
            }
        }
    }
}
