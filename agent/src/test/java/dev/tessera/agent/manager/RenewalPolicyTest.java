package dev.tessera.agent.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tessera.agent.access.TokenInfo;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** When tokens are renewed and how long a failure waits: pure arithmetic on a token's times. */
class RenewalPolicyTest {
    static final Instant ISSUED = Instant.parse("2026-01-01T00:00:00Z");
    final RenewalPolicy policy = RenewalPolicy.DEFAULT;

    static TokenInfo token(Duration lifetime) {
        return new TokenInfo("t", "https://issuer.example", "alice", "read:/x", null, List.of(), ISSUED,
                ISSUED.plus(lifetime));
    }

    @Test
    void renewalFallsBetweenHalfAndSixTenthsOfTheLifetimeSpreadByJitter() {
        Random random = new Random(1);
        Instant earliest = Instant.MAX;
        Instant latest = Instant.MIN;
        for (int i = 0; i < 1000; i++) {
            Instant due = policy.due(token(Duration.ofMinutes(20)), Duration.ZERO, ISSUED, random);
            earliest = due.isBefore(earliest) ? due : earliest;
            latest = due.isAfter(latest) ? due : latest;
        }
        assertThat(earliest).isBetween(ISSUED.plusSeconds(600), ISSUED.plusSeconds(610));
        assertThat(latest).isBetween(ISSUED.plusSeconds(710), ISSUED.plusSeconds(720));
    }

    @Test
    void aLongMinimumLifetimeBringsTheRenewalForward() {
        Instant due = policy.due(token(Duration.ofMinutes(20)), Duration.ofMinutes(15), ISSUED, new Random(1));
        assertThat(due).isEqualTo(ISSUED.plus(Duration.ofMinutes(4))); // 20 - 15 - 1 (a twentieth)
    }

    @Test
    void noRenewalIsDueSoonerThanTheLeastGapEvenForATokenShorterThanTheMinimum() {
        Instant now = ISSUED.plusSeconds(30);
        assertThat(policy.due(token(Duration.ofMinutes(1)), Duration.ofMinutes(5), now, new Random(1)))
                .isEqualTo(now.plusSeconds(10));
    }

    @Test
    void failuresWaitLongerEachTimeUpToTheCap() {
        Duration wait = null;
        StringBuilder waits = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            wait = policy.retryAfter(wait);
            waits.append(wait.toSeconds()).append(' ');
        }
        assertThat(waits.toString().strip()).isEqualTo("30 60 120 240 480 600 600 600");
    }

    @Test
    void aPolicyRenewingAfterExpiryIsRefused() {
        assertThatThrownBy(() -> new RenewalPolicy(0.95, 0.1, Duration.ofSeconds(1), Duration.ofSeconds(2),
                Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }
}
