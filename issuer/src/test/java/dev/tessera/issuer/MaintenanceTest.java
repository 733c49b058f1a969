package dev.tessera.issuer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tessera.issuer.domain.Client;
import dev.tessera.issuer.domain.StoredKey;
import dev.tessera.issuer.service.Administration;
import dev.tessera.issuer.service.Maintenance;
import dev.tessera.issuer.testing.RunningIssuer;
import dev.tessera.token.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The periodic work, driven pass by pass on a clock the test moves. */
class MaintenanceTest {
    @TempDir
    Path dir;
    MutableClock clock = MutableClock.now();
    RunningIssuer issuer;

    @BeforeEach
    void start() throws Exception {
        issuer = RunningIssuer.start(RunningIssuer.config(dir, null), clock); // verifiers cache keys 5 minutes
    }

    @AfterEach
    void stop() {
        issuer.close();
    }

    Maintenance.Report pass() throws Exception {
        Maintenance.Report report = issuer.server().maintenance().runOnce();
        assertThat(report.leader()).isTrue();
        issuer.server().refresh();
        return report;
    }

    @Test
    void expiredDeviceGrantsAndSessionsGo() throws Exception {
        Administration.NewClient device = issuer.admin().addClient("default", "cli", Set.of(Client.DEVICE_CODE), "read:/x",
                List.of(), List.of(), true);
        issuer.server().refresh();
        assertThat(issuer.post("default", "/device_authorization", "client_id=" + device.client().clientId()).statusCode())
                .isEqualTo(200);
        assertThat(pass().deleted()).isEmpty();
        clock.advance(Duration.ofMinutes(11)); // device codes live 10 minutes
        assertThat(pass().deleted()).containsEntry("device_grant", 1);
    }

    @Test
    void aScheduledVoRotatesWithPrepublicationAndRetiresTheOldKey() throws Exception {
        StoredKey first = issuer.admin().keys("default").get(0);
        issuer.admin().setKeySchedule("default", Duration.ofDays(7));
        assertThat(pass().rotatedVos()).isEmpty();

        // the next key is made one pre-publication time (the verifiers' cache time) before the interval is up
        clock.set(java.time.Instant.ofEpochSecond(first.activatesAt()).plus(Duration.ofDays(7)).minus(Duration.ofMinutes(5)));
        assertThat(pass().rotatedVos()).containsExactly("default");
        List<StoredKey> keys = issuer.admin().keys("default");
        assertThat(keys).hasSize(2);
        StoredKey next = keys.stream().filter(k -> !k.kid().equals(first.kid())).findFirst().orElseThrow();
        assertThat(next.activatesAt() - clock.instant().getEpochSecond()).isEqualTo(300);
        assertThat(pass().rotatedVos()).as("one waiting key at a time").isEmpty();

        // the old key stays published until its last token (at most 6 h) and the verifiers' caches expired
        clock.set(java.time.Instant.ofEpochSecond(next.activatesAt()).plus(Duration.ofHours(6)));
        assertThat(pass().retiredKeys()).isEmpty();
        clock.advance(Duration.ofMinutes(6));
        assertThat(pass().retiredKeys()).containsExactly("default/" + first.kid());
        assertThat(issuer.admin().keys("default")).extracting(StoredKey::kid).containsExactly(next.kid());
    }

    @Test
    void auditEventsOlderThanTheRetentionGo() throws Exception {
        Administration.NewClient robot = issuer.client("default", "read:/x");
        assertThat(issuer.post("default", "/token", "grant_type=client_credentials", "Authorization",
                RunningIssuer.basicHeader(robot)).statusCode()).isEqualTo(200);
        issuer.close(); // writes the queued audit events
        issuer = RunningIssuer.start(RunningIssuer.config(dir, null), clock);
        assertThat(pass().deleted()).doesNotContainKey("audit_event");
        clock.advance(Duration.ofDays(91)); // the default retention is 90 days
        assertThat(pass().deleted()).containsEntry("audit_event", 1);
    }

    @Test
    void schedulesShorterThanADayAreRefused() {
        assertThatThrownBy(() -> issuer.admin().setKeySchedule("default", Duration.ofHours(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("daily");
    }
}
