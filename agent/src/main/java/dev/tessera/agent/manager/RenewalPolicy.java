package dev.tessera.agent.manager;

import dev.tessera.agent.access.TokenInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.Random;

/**
 * When to renew a token and how long to wait after a failure. A token is renewed at {@code fraction} of
 * its lifetime plus a random share of up to {@code jitter} of it (so the tokens of many jobs minted
 * together are not all renewed in the same second), and in any case while it still has the minimum
 * lifetime its users ask for, plus a margin of a twentieth of its lifetime. After a failed renewal the
 * wait starts at {@code firstRetry} and doubles up to {@code lastRetry}; the old token is served
 * meanwhile while it is valid. No renewal is ever due sooner than {@code leastGap} after the last, so a
 * token shorter than the minimum asked for cannot cause a loop.
 *
 * @param fraction   the share of a token's lifetime after which it is renewed (HTCondor's credmon: 0.5)
 * @param jitter     the largest random share of the lifetime added to that
 * @param firstRetry the wait after a first failure
 * @param lastRetry  the longest wait between attempts
 * @param leastGap   the shortest time between two renewals of one token
 */
public record RenewalPolicy(double fraction, double jitter, Duration firstRetry, Duration lastRetry, Duration leastGap) {
    /** Renew at 50-60 % of the lifetime; retry after 30 s, doubling to 10 min; at most every 10 s. */
    public static final RenewalPolicy DEFAULT = new RenewalPolicy(0.5, 0.1, Duration.ofSeconds(30), Duration.ofMinutes(10),
            Duration.ofSeconds(10));

    public RenewalPolicy {
        if (!(fraction > 0 && fraction + jitter < 1 && jitter >= 0)) {
            throw new IllegalArgumentException("renew within a token's lifetime: 0 < fraction, fraction + jitter < 1");
        }
        if (firstRetry.isNegative() || firstRetry.isZero() || lastRetry.compareTo(firstRetry) < 0) {
            throw new IllegalArgumentException("retries wait a positive time, the first no longer than the last");
        }
    }

    /**
     * When {@code token}, issued now or earlier, should be renewed so that it keeps at least
     * {@code minLifetime} left.
     */
    public Instant due(TokenInfo token, Duration minLifetime, Instant now, Random random) {
        Instant expires = token.expiresAt() == null ? now : token.expiresAt();
        Instant issued = token.issuedAt() == null || token.issuedAt().isAfter(expires) ? now : token.issuedAt();
        Duration lifetime = Duration.between(issued, expires);
        double share = fraction + (jitter == 0 ? 0 : random.nextDouble() * jitter);
        Instant atShare = issued.plusMillis((long) (lifetime.toMillis() * share));
        Instant beforeMinimum = expires.minus(minLifetime).minus(lifetime.dividedBy(20));
        Instant at = atShare.isBefore(beforeMinimum) ? atShare : beforeMinimum;
        Instant earliest = now.plus(leastGap);
        return at.isBefore(earliest) ? earliest : at;
    }

    /** The wait after a failure, given the previous wait ({@code null} after a success). */
    public Duration retryAfter(Duration previous) {
        if (previous == null) {
            return firstRetry;
        }
        Duration doubled = previous.multipliedBy(2);
        return doubled.compareTo(lastRetry) > 0 ? lastRetry : doubled;
    }
}
