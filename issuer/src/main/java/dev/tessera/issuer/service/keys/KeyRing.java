package dev.tessera.issuer.service.keys;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.tessera.issuer.domain.StoredKey;
import dev.tessera.token.keys.SigningKey;
import dev.tessera.token.keys.VerificationKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * One VO's keys over time. Each key signs from its activation until the next key activates. A key is
 * published from its creation, so a key made by a rotation is in the JWKS for the pre-publication time
 * before it signs (verifiers learn it in advance), and a key replaced by a newer one stays published for
 * {@code retention} after that (the longest lifetime of a token it signed, plus the verifiers' cache
 * time), so no token it signed stops verifying early.
 */
public final class KeyRing {
    private final List<Entry> entries; // by activation, oldest first
    private final Duration retention;

    /** A stored key with its unsealed signing key. */
    public record Entry(StoredKey stored, SigningKey key) {
    }

    private final java.util.Map<String, Integer> indexByKid = new java.util.HashMap<>();
    private final List<VerificationKey> verificationKeys;

    public KeyRing(List<Entry> entries, Duration retention) {
        this.entries = entries.stream()
                .sorted(Comparator.comparingLong((Entry e) -> e.stored().activatesAt()).thenComparing(e -> e.stored().kid()))
                .toList();
        this.retention = retention;
        List<VerificationKey> keys = new ArrayList<>();
        for (int i = 0; i < this.entries.size(); i++) {
            indexByKid.put(this.entries.get(i).stored().kid(), i);
            keys.add(this.entries.get(i).key().verificationKey());
        }
        this.verificationKeys = List.copyOf(keys);
    }

    /** The key {@code kid} if it is published at {@code now}: what verifies this VO's own tokens. */
    public Optional<VerificationKey> verificationKey(String kid, Instant now) {
        Integer index = kid == null ? null : indexByKid.get(kid);
        return index != null && isPublished(index, now) ? Optional.of(verificationKeys.get(index)) : Optional.empty();
    }

    /** The key that signs at {@code now}: the last one activated (the first one if none is active yet). */
    public Optional<SigningKey> active(Instant now) {
        return activeEntry(now).map(Entry::key);
    }

    /** The stored form of {@link #active}. */
    public Optional<StoredKey> activeKey(Instant now) {
        return activeEntry(now).map(Entry::stored);
    }

    private Optional<Entry> activeEntry(Instant now) {
        Entry active = null;
        for (Entry e : entries) {
            if (e.stored().activatesAt() <= now.getEpochSecond() || active == null) {
                active = e;
            }
        }
        return Optional.ofNullable(active);
    }

    /** The public keys a verifier needs at {@code now}: pre-published, active, and retained ones. */
    public JWKSet published(Instant now) {
        List<JWK> keys = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            if (isPublished(i, now)) {
                keys.add(entries.get(i).key().toPublicJwk());
            }
        }
        return new JWKSet(keys);
    }

    /** Keys that can be deleted: replaced, and past their retention. */
    public List<StoredKey> expired(Instant now) {
        List<StoredKey> out = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            if (!isPublished(i, now)) {
                out.add(entries.get(i).stored());
            }
        }
        return out;
    }

    /** Keys created but not yet signing. */
    public List<StoredKey> pending(Instant now) {
        return entries.stream().map(Entry::stored).filter(k -> k.activatesAt() > now.getEpochSecond()).toList();
    }

    /** Keys replaced long enough ago that no verifier needs them: no longer published, safe to delete. */
    public List<StoredKey> retired(Instant now) {
        List<StoredKey> out = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            if (!isPublished(i, now)) {
                out.add(entries.get(i).stored());
            }
        }
        return out;
    }

    public List<StoredKey> all() {
        return entries.stream().map(Entry::stored).toList();
    }

    private boolean isPublished(int index, Instant now) {
        if (index + 1 == entries.size()) {
            return true;
        }
        long replacedAt = entries.get(index + 1).stored().activatesAt(); // keys are sorted by activation
        return replacedAt > now.getEpochSecond() || now.getEpochSecond() < replacedAt + retention.toSeconds();
    }
}
