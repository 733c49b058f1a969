package dev.tessera.token.discovery;

import com.nimbusds.jose.jwk.JWKSet;
import dev.tessera.token.Reason;
import dev.tessera.token.SafeText;
import dev.tessera.token.TokenException;
import dev.tessera.token.Trace;
import dev.tessera.token.keys.IssuerKeys;
import dev.tessera.token.keys.VerificationKey;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Per-issuer cache of public keys, shared by every verifier of a process.
 *
 * <ul>
 *   <li>Keys are used for {@code refreshInterval} (default 10 min), then refreshed; they are kept for
 *       at most {@code expiry} (default 4 days) when the issuer cannot be reached (stale-while-error).
 *   <li>Single flight: however many verifications need an issuer's keys at once, one fetch runs. When
 *       there are no keys yet, the others wait for it; when the keys are merely due for refresh, the
 *       others carry on with the cached keys meanwhile.
 *   <li>A failed first fetch is remembered for {@code negativeTtl} (default 1 min): verifications fail
 *       fast instead of hammering a down issuer.
 *   <li>A {@code kid} the cached set lacks triggers one refetch, at most once per
 *       {@code unknownKeyRefetchInterval} (default 1 min), so a rotated-in key works at once
 *       (scitokens-cpp waits for the next refresh) while bogus {@code kid}s cannot cause a fetch storm.
 *   <li>Optionally keys are persisted to a {@link JwksCacheDirectory}, so a restarted verifier works
 *       while the issuer is down.
 * </ul>
 *
 * <p>Only issuers a verifier already trusts are ever looked up, so the table stays small.
 */
public final class IssuerKeyCache {
    private final KeyFetcher fetcher;
    private final Clock clock;
    private final Duration refreshInterval;
    private final Duration expiry;
    private final Duration negativeTtl;
    private final Duration unknownKeyRefetchInterval;
    private final Duration waitLimit;
    private final JwksCacheDirectory directory;
    private final ConcurrentHashMap<String, IssuerState> issuers = new ConcurrentHashMap<>();

    private IssuerKeyCache(Builder b) {
        this.fetcher = b.fetcher;
        this.clock = b.clock;
        this.refreshInterval = b.refreshInterval;
        this.expiry = b.expiry;
        this.negativeTtl = b.negativeTtl;
        this.unknownKeyRefetchInterval = b.unknownKeyRefetchInterval;
        this.waitLimit = b.waitLimit;
        this.directory = b.directory == null ? null : new JwksCacheDirectory(b.directory);
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The cached keys of an issuer and when they will be refreshed and expire; {@code fetchedAt} is
     * {@code null} for keys loaded from the on-disk cache.
     */
    public record Entry(IssuerKeys keys, Instant fetchedAt, Instant refreshAt, Instant expiresAt) {
    }

    private static final class IssuerState {
        volatile Entry entry;
        volatile Instant failedUntil;
        volatile String lastFailure;
        final AtomicReference<Instant> lastUnknownKeyRefetch = new AtomicReference<>(Instant.MIN);
        final AtomicReference<CompletableFuture<Entry>> inFlight = new AtomicReference<>();
    }

    /**
     * The key that verifies a token of {@code issuer} with header {@code kid} ({@code null}: the
     * issuer's only key), fetching or refreshing the issuer's keys as needed.
     *
     * @throws TokenException {@link Reason#KEYS_UNAVAILABLE} when the issuer's keys cannot be had,
     *                        {@link Reason#UNKNOWN_KEY} when none of them matches
     */
    public VerificationKey key(String issuer, String kid, Trace trace) throws TokenException {
        IssuerState state = state(issuer);
        Entry before = state.entry;
        Entry entry = current(issuer, state, trace);
        VerificationKey key = entry.keys().select(kid);
        if (key == null && kid != null && entry == before) { // keys fetched just now need no second look
            key = refetchForUnknownKey(issuer, kid, state, trace);
        }
        if (key == null) {
            List<String> known = state.entry == null ? List.of() : state.entry.keys().keyIds();
            throw new TokenException(Reason.UNKNOWN_KEY, kid == null
                    ? "token has no kid and issuer " + SafeText.quote(issuer) + " publishes " + known.size() + " keys"
                    : "key " + SafeText.quote(kid, 64) + " is not published by issuer " + SafeText.quote(issuer)
                    + " (published: " + SafeText.quote(String.join(", ", known), 120) + ")");
        }
        return key;
    }

    /** The issuer's keys, fetched if there are none or refreshed if they are due. */
    public IssuerKeys keys(String issuer, Trace trace) throws TokenException {
        return current(issuer, state(issuer), trace).keys();
    }

    /** Fetches the issuer's keys now, whatever the cache holds (waits for a fetch already running). */
    public IssuerKeys refresh(String issuer, Trace trace) throws TokenException {
        IssuerState state = state(issuer);
        return fetchShared(issuer, state, state.entry, trace).keys();
    }

    /** Stores keys for an issuer as if just fetched (pre-seeding, e.g. for an offline verifier). */
    public void put(String issuer, JWKSet jwks) {
        IssuerState state = state(issuer);
        state.entry = newEntry(IssuerKeys.of(jwks), clock.instant());
        state.failedUntil = null;
    }

    /** What is cached for an issuer, without fetching; {@code null} when nothing (unexpired) is. */
    public Entry entry(String issuer) {
        IssuerState state = issuers.get(issuer);
        Entry entry = state == null ? null : state.entry;
        return entry == null || !clock.instant().isBefore(entry.expiresAt()) ? null : entry;
    }

    /** Forgets an issuer, in memory and on disk. */
    public void remove(String issuer) {
        issuers.remove(issuer);
        if (directory != null) {
            try {
                directory.delete(issuer);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private IssuerState state(String issuer) {
        return issuers.computeIfAbsent(issuer, this::load);
    }

    private IssuerState load(String issuer) {
        IssuerState state = new IssuerState();
        JwksCacheDirectory.Entry stored = directory == null ? null : directory.load(issuer);
        if (stored != null && clock.instant().isBefore(stored.expiration())) {
            state.entry = new Entry(IssuerKeys.of(stored.jwks()), null, stored.nextUpdate(), stored.expiration());
        }
        return state;
    }

    private Entry current(String issuer, IssuerState state, Trace trace) throws TokenException {
        Instant now = clock.instant();
        Entry entry = usable(state, now);
        if (entry == null) {
            Instant failedUntil = state.failedUntil;
            if (failedUntil != null && now.isBefore(failedUntil)) {
                if (trace.enabled()) {
                    trace.fail("discovery", "issuer failed recently, retry after " + failedUntil + ": " + state.lastFailure);
                }
                throw new TokenException(Reason.KEYS_UNAVAILABLE, "keys of issuer " + SafeText.quote(issuer)
                        + " could not be fetched recently (retry after " + failedUntil + "): " + state.lastFailure);
            }
            try {
                return fetchShared(issuer, state, null, trace);
            } catch (TokenException e) {
                if (trace.enabled()) {
                    trace.fail("discovery", e.getMessage());
                }
                throw e;
            }
        }
        if (trace.enabled()) {
            trace.info("discovery", "keys of the issuer are cached until " + entry.expiresAt()
                    + ", next refresh " + entry.refreshAt());
        }
        if (!now.isBefore(entry.refreshAt())) {
            return refreshIfIdle(issuer, state, entry, trace);
        }
        return entry;
    }

    /** The entry when it has not expired; an expired one is dropped (expired keys are never used). */
    private static Entry usable(IssuerState state, Instant now) {
        Entry entry = state.entry;
        if (entry != null && !now.isBefore(entry.expiresAt())) {
            state.entry = null;
            return null;
        }
        return entry;
    }

    /** Stale keys: one caller refreshes, the others keep using the cached keys meanwhile. */
    private Entry refreshIfIdle(String issuer, IssuerState state, Entry stale, Trace trace) {
        CompletableFuture<Entry> mine = new CompletableFuture<>();
        if (!state.inFlight.compareAndSet(null, mine)) {
            return stale;
        }
        try {
            return run(issuer, state, stale, mine, trace);
        } catch (TokenException e) {
            // stale-while-error: keep the cached keys until they expire, retry after negativeTtl
            Instant retry = clock.instant().plus(negativeTtl);
            Entry kept = new Entry(stale.keys(), stale.fetchedAt(), min(retry, stale.expiresAt()), stale.expiresAt());
            state.entry = kept;
            if (trace.enabled()) {
                trace.info("discovery", "refresh failed (" + e.getMessage() + "); using cached keys until "
                        + stale.expiresAt());
            }
            return kept;
        }
    }

    private VerificationKey refetchForUnknownKey(String issuer, String kid, IssuerState state, Trace trace) {
        Instant now = clock.instant();
        Instant last = state.lastUnknownKeyRefetch.get();
        if (now.isBefore(last.plus(unknownKeyRefetchInterval))
                || !state.lastUnknownKeyRefetch.compareAndSet(last, now)) {
            return null;
        }
        if (trace.enabled()) {
            trace.info("key", "kid " + kid + " not in cached keys: fetching the issuer's keys again");
        }
        try {
            return fetchShared(issuer, state, state.entry, trace).keys().select(kid);
        } catch (TokenException e) {
            return null;
        }
    }

    /**
     * Fetches, or waits for the fetch another caller already started. {@code seen} is the entry the
     * caller decided on; if another fetch replaced it meanwhile, that result is used instead of fetching.
     */
    private Entry fetchShared(String issuer, IssuerState state, Entry seen, Trace trace) throws TokenException {
        CompletableFuture<Entry> mine = new CompletableFuture<>();
        CompletableFuture<Entry> running = state.inFlight.compareAndExchange(null, mine);
        if (running == null) {
            return run(issuer, state, seen, mine, trace);
        }
        try {
            return running.get(waitLimit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TokenException te) {
                throw new TokenException(te.reason(), te.getMessage());
            }
            throw new TokenException(Reason.KEYS_UNAVAILABLE, "fetching keys failed: " + e.getCause());
        } catch (TimeoutException e) {
            throw new TokenException(Reason.KEYS_UNAVAILABLE, "timed out waiting for the keys of issuer "
                    + SafeText.quote(issuer));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TokenException(Reason.KEYS_UNAVAILABLE, "interrupted while waiting for issuer keys");
        }
    }

    private Entry run(String issuer, IssuerState state, Entry seen, CompletableFuture<Entry> mine, Trace trace)
            throws TokenException {
        try {
            Entry current = usable(state, clock.instant());
            if (current != null && current != seen && current.refreshAt().isAfter(clock.instant())) {
                mine.complete(current); // another caller fetched between our look and winning the slot
                return current;
            }
            JWKSet jwks = fetcher.fetch(issuer, trace);
            Instant now = clock.instant();
            Entry entry = newEntry(IssuerKeys.of(jwks), now);
            state.entry = entry;
            state.failedUntil = null;
            if (trace.enabled() && !entry.keys().skipped().isEmpty()) {
                trace.info("jwks", "unusable keys skipped: " + String.join("; ", entry.keys().skipped()));
            }
            persist(issuer, entry);
            mine.complete(entry);
            return entry;
        } catch (KeyFetchException | RuntimeException e) {
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            state.lastFailure = message;
            if (usable(state, clock.instant()) == null) {
                state.failedUntil = clock.instant().plus(negativeTtl);
            }
            TokenException failure = new TokenException(Reason.KEYS_UNAVAILABLE,
                    "cannot fetch the keys of issuer " + SafeText.quote(issuer) + ": " + message, e);
            mine.completeExceptionally(failure);
            throw failure;
        } finally {
            state.inFlight.set(null);
        }
    }

    private Entry newEntry(IssuerKeys keys, Instant now) {
        return new Entry(keys, now, now.plus(refreshInterval), now.plus(expiry));
    }

    private void persist(String issuer, Entry entry) {
        if (directory == null) {
            return;
        }
        try {
            directory.store(issuer, new JwksCacheDirectory.Entry(entry.keys().jwks(), entry.refreshAt(), entry.expiresAt()));
        } catch (IOException e) {
            // the in-memory cache still works; persistence is a convenience for restarts
        }
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    /** Settings of an {@link IssuerKeyCache}. */
    public static final class Builder {
        private KeyFetcher fetcher;
        private Clock clock = Clock.systemUTC();
        private Duration refreshInterval = Duration.ofMinutes(10);
        private Duration expiry = Duration.ofDays(4);
        private Duration negativeTtl = Duration.ofMinutes(1);
        private Duration unknownKeyRefetchInterval = Duration.ofMinutes(1);
        private Duration waitLimit = Duration.ofSeconds(30);
        private Path directory;

        private Builder() {
        }

        /** How keys are fetched; default: discovery over https trusting the JDK's CAs. */
        public Builder fetcher(KeyFetcher fetcher) {
            this.fetcher = Objects.requireNonNull(fetcher);
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock);
            return this;
        }

        /** How long fetched keys are used before a refresh is attempted. */
        public Builder refreshInterval(Duration interval) {
            this.refreshInterval = positive(interval, "refresh interval");
            return this;
        }

        /** How long fetched keys may be used at most, while refreshes fail. */
        public Builder expiry(Duration expiry) {
            this.expiry = positive(expiry, "expiry");
            return this;
        }

        /** How long a failed first fetch is remembered before the issuer is tried again. */
        public Builder negativeTtl(Duration ttl) {
            this.negativeTtl = positive(ttl, "negative cache time");
            return this;
        }

        /** Least time between two refetches caused by an unknown {@code kid}. */
        public Builder unknownKeyRefetchInterval(Duration interval) {
            this.unknownKeyRefetchInterval = positive(interval, "unknown-key refetch interval");
            return this;
        }

        /** Longest a caller waits for a fetch another caller started. */
        public Builder waitLimit(Duration limit) {
            this.waitLimit = positive(limit, "wait limit");
            return this;
        }

        /** Persist keys in this directory (WLCG jwks-cache layout); default: memory only. */
        public Builder persistTo(Path directory) {
            this.directory = directory;
            return this;
        }

        public IssuerKeyCache build() {
            if (expiry.compareTo(refreshInterval) < 0) {
                throw new IllegalArgumentException("expiry must not be shorter than the refresh interval");
            }
            if (fetcher == null) {
                try {
                    fetcher = HttpsKeyFetcher.create(List.of());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            return new IssuerKeyCache(this);
        }

        private static Duration positive(Duration d, String what) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive");
            }
            return d;
        }
    }
}
