package dev.tessera.issuer.service.keys;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.tessera.issuer.domain.StoredKey;
import dev.tessera.token.keys.Algorithm;
import dev.tessera.token.keys.SigningKey;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A VO's keys over time: which one signs, which are published, which can go. */
class KeyRingTest {

    private static final Instant T0 = Instant.parse("2025-03-01T12:00:00Z");
    private static final Duration HOUR = Duration.ofHours(1);
    private static final Duration RETENTION = Duration.ofHours(6);

    private static SigningKey k1;
    private static SigningKey k2;
    private static SigningKey k3;

    @BeforeAll
    static void keys() {
        k1 = SigningKey.generate(Algorithm.ES256, "kid-1");
        k2 = SigningKey.generate(Algorithm.ES256, "kid-2");
        k3 = SigningKey.generate(Algorithm.ES256, "kid-3");
    }

    private static KeyRing.Entry entry(SigningKey key, Instant createdAt, Instant activatesAt) {
        StoredKey stored = new StoredKey("ligo", key.keyId(), key.algorithm(), "aes256gcm:not-read-by-the-ring",
                key.toPublicJwk().toJSONString(), createdAt.getEpochSecond(), activatesAt.getEpochSecond());
        return new KeyRing.Entry(stored, key);
    }

    private static List<String> publishedKids(KeyRing ring, Instant now) {
        JWKSet set = ring.published(now);
        return set.getKeys().stream().map(JWK::getKeyID).toList();
    }

    private static String activeKid(KeyRing ring, Instant now) {
        return ring.active(now).map(SigningKey::keyId).orElse(null);
    }

    private static List<String> kids(List<StoredKey> keys) {
        return keys.stream().map(StoredKey::kid).toList();
    }

    /** k1 active since T0 - 1 day; at T0 a rotation creates k2, signing from T0 + 1h. */
    private static KeyRing rotated() {
        return new KeyRing(List.of(
                entry(k1, T0.minus(Duration.ofDays(1)), T0.minus(Duration.ofDays(1))),
                entry(k2, T0, T0.plus(HOUR))), RETENTION);
    }

    @Test
    void emptyRingHasNoActiveKeyAndPublishesNothing() {
        KeyRing ring = new KeyRing(List.of(), RETENTION);
        assertThat(ring.active(T0)).isEmpty();
        assertThat(ring.published(T0).getKeys()).isEmpty();
        assertThat(ring.expired(T0)).isEmpty();
        assertThat(ring.pending(T0)).isEmpty();
        assertThat(ring.all()).isEmpty();
    }

    @Test
    void singleKeyIsActiveAndPublished() {
        KeyRing ring = new KeyRing(List.of(entry(k1, T0, T0)), RETENTION);
        assertThat(activeKid(ring, T0)).isEqualTo("kid-1");
        assertThat(activeKid(ring, T0.plus(Duration.ofDays(365)))).isEqualTo("kid-1");
        assertThat(publishedKids(ring, T0)).containsExactly("kid-1");
        assertThat(publishedKids(ring, T0.plus(Duration.ofDays(365)))).containsExactly("kid-1");
        assertThat(ring.expired(T0.plus(Duration.ofDays(365)))).isEmpty();
        assertThat(ring.pending(T0)).isEmpty();
    }

    @Test
    void publishedKeysArePublicOnly() {
        KeyRing ring = new KeyRing(List.of(entry(k1, T0, T0)), RETENTION);
        JWK jwk = ring.published(T0).getKeys().get(0);
        assertThat(jwk.isPrivate()).isFalse();
        assertThat(jwk.toJSONObject()).doesNotContainKey("d");
        assertThat(jwk.getKeyID()).isEqualTo("kid-1");
    }

    @Test
    void rotatedKeyIsPublishedButNotActiveBeforeActivation() {
        KeyRing ring = rotated();
        for (Instant now : List.of(T0, T0.plusSeconds(1), T0.plus(HOUR).minusSeconds(1))) {
            assertThat(activeKid(ring, now)).as("at %s", now).isEqualTo("kid-1");
            assertThat(publishedKids(ring, now)).as("at %s", now).containsExactly("kid-1", "kid-2");
            assertThat(kids(ring.pending(now))).as("at %s", now).containsExactly("kid-2");
        }
    }

    @Test
    void rotatedKeySignsFromItsActivation() {
        KeyRing ring = rotated();
        assertThat(activeKid(ring, T0.plus(HOUR))).isEqualTo("kid-2");
        assertThat(activeKid(ring, T0.plus(HOUR).plusSeconds(1))).isEqualTo("kid-2");
        assertThat(ring.pending(T0.plus(HOUR))).isEmpty();
    }

    @Test
    void replacedKeyStaysPublishedForTheRetention() {
        KeyRing ring = rotated();
        Instant activation = T0.plus(HOUR);
        Instant lastRetained = activation.plus(RETENTION).minusSeconds(1);
        assertThat(publishedKids(ring, activation)).containsExactly("kid-1", "kid-2");
        assertThat(publishedKids(ring, lastRetained)).containsExactly("kid-1", "kid-2");
        assertThat(ring.expired(lastRetained)).isEmpty();
    }

    @Test
    void replacedKeyIsDroppedAfterActivationPlusRetention() {
        KeyRing ring = rotated();
        Instant end = T0.plus(HOUR).plus(RETENTION);
        for (Instant now : List.of(end, end.plusSeconds(1), end.plus(Duration.ofDays(30)))) {
            assertThat(publishedKids(ring, now)).as("at %s", now).containsExactly("kid-2");
            assertThat(kids(ring.expired(now))).as("at %s", now).containsExactly("kid-1");
            assertThat(activeKid(ring, now)).isEqualTo("kid-2");
        }
    }

    @Test
    void retentionCountsFromReplacementNotFromCreation() {
        // k1 is years old; what matters is when k2 took over
        KeyRing ring = new KeyRing(List.of(
                entry(k1, T0.minus(Duration.ofDays(1000)), T0.minus(Duration.ofDays(1000))),
                entry(k2, T0, T0)), RETENTION);
        assertThat(publishedKids(ring, T0.plus(RETENTION).minusSeconds(1))).containsExactly("kid-1", "kid-2");
        assertThat(publishedKids(ring, T0.plus(RETENTION))).containsExactly("kid-2");
    }

    @Test
    void activeWhenNoKeyIsActiveYetIsTheFirst() {
        KeyRing ring = new KeyRing(List.of(
                entry(k2, T0, T0.plus(Duration.ofHours(2))),
                entry(k1, T0, T0.plus(HOUR))), RETENTION);
        assertThat(activeKid(ring, T0)).isEqualTo("kid-1");
        assertThat(publishedKids(ring, T0)).containsExactly("kid-1", "kid-2");
        assertThat(kids(ring.pending(T0))).containsExactly("kid-1", "kid-2");
    }

    @Test
    void entriesAreOrderedByActivationWhateverTheInputOrder() {
        KeyRing ring = new KeyRing(List.of(
                entry(k3, T0, T0.plus(Duration.ofDays(2))),
                entry(k1, T0, T0),
                entry(k2, T0, T0.plus(Duration.ofDays(1)))), RETENTION);
        assertThat(kids(ring.all())).containsExactly("kid-1", "kid-2", "kid-3");
        assertThat(activeKid(ring, T0.plus(Duration.ofDays(1)).plusSeconds(5))).isEqualTo("kid-2");
    }

    @Test
    void sameActivationIsOrderedByKid() {
        KeyRing ring = new KeyRing(List.of(entry(k2, T0, T0), entry(k1, T0, T0)), RETENTION);
        assertThat(kids(ring.all())).containsExactly("kid-1", "kid-2");
        assertThat(activeKid(ring, T0)).isEqualTo("kid-2");
    }

    @Test
    void threeKeyTimeline() {
        Instant a1 = T0;
        Instant a2 = T0.plus(Duration.ofDays(30));
        Instant a3 = T0.plus(Duration.ofDays(60));
        KeyRing ring = new KeyRing(List.of(
                entry(k1, a1, a1),
                entry(k2, a2.minus(HOUR), a2),
                entry(k3, a3.minus(HOUR), a3)), RETENTION);

        Instant beforeThird = a3.minusSeconds(1);
        assertThat(activeKid(ring, beforeThird)).isEqualTo("kid-2");
        assertThat(publishedKids(ring, beforeThird)).containsExactly("kid-2", "kid-3");
        assertThat(kids(ring.expired(beforeThird))).containsExactly("kid-1");
        assertThat(kids(ring.pending(beforeThird))).containsExactly("kid-3");

        Instant inRetention = a3.plus(HOUR);
        assertThat(activeKid(ring, inRetention)).isEqualTo("kid-3");
        assertThat(publishedKids(ring, inRetention)).containsExactly("kid-2", "kid-3");
        assertThat(kids(ring.expired(inRetention))).containsExactly("kid-1");

        Instant after = a3.plus(RETENTION);
        assertThat(publishedKids(ring, after)).containsExactly("kid-3");
        assertThat(kids(ring.expired(after))).containsExactly("kid-1", "kid-2");
        assertThat(ring.pending(after)).isEmpty();
    }

    @Test
    void theNewestKeyIsNeverExpired() {
        KeyRing ring = new KeyRing(List.of(entry(k1, T0, T0), entry(k2, T0, T0.plus(HOUR))), Duration.ZERO);
        Instant farFuture = T0.plus(Duration.ofDays(10_000));
        assertThat(publishedKids(ring, farFuture)).containsExactly("kid-2");
        assertThat(kids(ring.expired(farFuture))).containsExactly("kid-1");
    }

    @Test
    void zeroRetentionDropsTheReplacedKeyAtActivation() {
        KeyRing ring = new KeyRing(List.of(entry(k1, T0, T0), entry(k2, T0, T0.plus(HOUR))), Duration.ZERO);
        assertThat(publishedKids(ring, T0.plus(HOUR).minusSeconds(1))).containsExactly("kid-1", "kid-2");
        assertThat(publishedKids(ring, T0.plus(HOUR))).containsExactly("kid-2");
    }

    @Test
    void subSecondInstantsAreJudgedBySecond() {
        KeyRing ring = rotated();
        assertThat(activeKid(ring, T0.plus(HOUR).minusMillis(1))).isEqualTo("kid-1");
        assertThat(activeKid(ring, T0.plus(HOUR).plusMillis(999))).isEqualTo("kid-2");
    }
}
