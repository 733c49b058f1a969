package dev.tessera.token.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.jwk.JWKSet;
import dev.tessera.token.Reason;
import dev.tessera.token.TokenException;
import dev.tessera.token.Trace;
import dev.tessera.token.jws.Json;
import dev.tessera.token.keys.Algorithm;
import dev.tessera.token.keys.SigningKey;
import dev.tessera.token.keys.VerificationKey;
import dev.tessera.token.testing.MemoryKeyFetcher;
import dev.tessera.token.testing.MutableClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The per-issuer key cache: refresh, expiry, stale-while-error, negative cache, unknown-kid refetch,
 * single flight and the WLCG jwks-cache directory. Time is a {@link MutableClock}; fetches are counted
 * by a {@link MemoryKeyFetcher}. Ported in spirit from scitokens-cpp {@code KeycacheTest.*} and
 * {@code ConcurrentNewIssuerLookup}, python {@code test_keycache.py}.
 */
class IssuerKeyCacheTest {
    static final String ISSUER = "https://issuer.example.org/vo";
    static final Duration REFRESH = Duration.ofMinutes(10);
    static final Duration EXPIRY = Duration.ofHours(1);
    static final Duration NEGATIVE_TTL = Duration.ofMinutes(1);
    static final Duration UNKNOWN_KID_INTERVAL = Duration.ofMinutes(2);

    static final SigningKey K1 = SigningKey.generate(Algorithm.ES256, "k1");
    static final SigningKey K2 = SigningKey.generate(Algorithm.ES256, "k2");

    final MutableClock clock = new MutableClock(Instant.parse("2026-05-01T12:00:00Z"));
    final MemoryKeyFetcher fetcher = new MemoryKeyFetcher().publish(ISSUER, K1);

    IssuerKeyCache.Builder builder() {
        return IssuerKeyCache.builder()
                .fetcher(fetcher)
                .clock(clock)
                .refreshInterval(REFRESH)
                .expiry(EXPIRY)
                .negativeTtl(NEGATIVE_TTL)
                .unknownKeyRefetchInterval(UNKNOWN_KID_INTERVAL);
    }

    final IssuerKeyCache cache = builder().build();

    VerificationKey k1(IssuerKeyCache c) throws TokenException {
        return c.key(ISSUER, "k1", Trace.NONE);
    }

    int fetches() {
        return fetcher.fetches(ISSUER);
    }

    static Reason reasonOf(ThrowingCall call) {
        try {
            call.run();
        } catch (TokenException e) {
            return e.reason();
        } catch (Exception e) {
            throw new AssertionError("expected a TokenException, got " + e, e);
        }
        throw new AssertionError("expected a TokenException, nothing was thrown");
    }

    interface ThrowingCall {
        void run() throws Exception;
    }

    @Nested
    class RefreshAndExpiry {
        @Test
        void firstLookupFetchesOnceAndReturnsTheNamedKey() throws Exception {
            VerificationKey key = k1(cache);

            assertThat(key.keyId()).isEqualTo("k1");
            assertThat(key.algorithm()).isEqualTo(Algorithm.ES256);
            assertThat(fetches()).isEqualTo(1);
        }

        @Test
        void freshEntryIsNotRefetched() throws Exception {
            k1(cache);
            k1(cache);
            clock.advance(REFRESH.minusSeconds(1));
            k1(cache);
            cache.keys(ISSUER, Trace.NONE);

            assertThat(fetches()).isEqualTo(1);
        }

        @Test
        void afterTheRefreshIntervalOneRefetch() throws Exception {
            k1(cache);
            clock.advance(REFRESH);
            k1(cache);
            assertThat(fetches()).isEqualTo(2);

            // the refreshed entry is fresh again for a whole interval
            k1(cache);
            clock.advance(REFRESH.minusSeconds(1));
            k1(cache);
            assertThat(fetches()).isEqualTo(2);
            clock.advance(Duration.ofSeconds(1));
            k1(cache);
            assertThat(fetches()).isEqualTo(3);
        }

        @Test
        void refreshPicksUpANewKeySet() throws Exception {
            k1(cache);
            fetcher.publish(ISSUER, K2);
            clock.advance(REFRESH);

            assertThat(cache.keys(ISSUER, Trace.NONE).keyIds()).containsExactly("k2");
        }

        @Test
        void explicitRefreshFetchesEvenWhenFresh() throws Exception {
            k1(cache);
            fetcher.publish(ISSUER, K1, K2);

            assertThat(cache.refresh(ISSUER, Trace.NONE).keyIds()).containsExactly("k1", "k2");
            assertThat(fetches()).isEqualTo(2);
        }

        @Test
        void refreshFailureKeepsServingCachedKeysAndRetriesOnlyAfterNegativeTtl() throws Exception {
            k1(cache);
            fetcher.down(true);

            clock.advance(REFRESH);
            assertThat(k1(cache).keyId()).isEqualTo("k1"); // refresh failed: stale keys served
            assertThat(fetches()).isEqualTo(2);

            k1(cache);
            clock.advance(NEGATIVE_TTL.minusSeconds(1));
            k1(cache);
            assertThat(fetches()).as("no retry before negativeTtl").isEqualTo(2);

            clock.advance(Duration.ofSeconds(1));
            assertThat(k1(cache).keyId()).isEqualTo("k1");
            assertThat(fetches()).as("one retry after negativeTtl").isEqualTo(3);

            fetcher.down(false);
            clock.advance(NEGATIVE_TTL);
            k1(cache);
            assertThat(fetches()).isEqualTo(4);
            // a successful refresh gives a whole refresh interval again
            clock.advance(REFRESH.minusSeconds(1));
            k1(cache);
            assertThat(fetches()).isEqualTo(4);
        }

        @Test
        void staleKeysAreServedUntilExpiryThenKeysUnavailable() throws Exception {
            k1(cache);
            Instant fetchedAt = clock.instant();
            fetcher.down(true);

            clock.set(fetchedAt.plus(EXPIRY).minusSeconds(1));
            assertThat(k1(cache).keyId()).isEqualTo("k1");

            clock.set(fetchedAt.plus(EXPIRY));
            assertThatThrownBy(() -> k1(cache))
                    .isInstanceOfSatisfying(TokenException.class,
                            e -> assertThat(e.reason()).isEqualTo(Reason.KEYS_UNAVAILABLE))
                    .hasMessageContaining(ISSUER)
                    .hasMessageContaining("is down");
            assertThat(cache.entry(ISSUER)).isNull();
        }

        @Test
        void expiredKeysAreReplacedWhenTheIssuerIsBack() throws Exception {
            k1(cache);
            fetcher.down(true);
            clock.advance(EXPIRY);
            assertThat(reasonOf(() -> k1(cache))).isEqualTo(Reason.KEYS_UNAVAILABLE);

            fetcher.down(false);
            clock.advance(NEGATIVE_TTL);
            assertThat(k1(cache).keyId()).isEqualTo("k1");
        }

        @Test
        void expiredKeysWithIssuerDownAreNegativelyCachedLikeAFirstFetch() throws Exception {
            k1(cache);
            fetcher.down(true);
            clock.advance(EXPIRY);
            int before = fetches();

            assertThat(reasonOf(() -> k1(cache))).isEqualTo(Reason.KEYS_UNAVAILABLE);
            assertThat(reasonOf(() -> k1(cache))).isEqualTo(Reason.KEYS_UNAVAILABLE);
            assertThat(reasonOf(() -> k1(cache))).isEqualTo(Reason.KEYS_UNAVAILABLE);

            assertThat(fetches() - before).as("fetches while the issuer is down and nothing usable is cached")
                    .isEqualTo(1);
        }
    }

    @Nested
    class NegativeCache {
        @Test
        void failedFirstFetchFailsFastUntilNegativeTtlPasses() throws Exception {
            fetcher.down(true);

            assertThatThrownBy(() -> k1(cache))
                    .isInstanceOfSatisfying(TokenException.class,
                            e -> assertThat(e.reason()).isEqualTo(Reason.KEYS_UNAVAILABLE));
            assertThat(fetches()).isEqualTo(1);

            // like scitokens-cpp NegativeCacheTest: further attempts fail without fetching
            assertThatThrownBy(() -> k1(cache))
                    .isInstanceOfSatisfying(TokenException.class,
                            e -> assertThat(e.reason()).isEqualTo(Reason.KEYS_UNAVAILABLE))
                    .hasMessageContaining("recently")
                    .hasMessageContaining("is down");
            assertThat(reasonOf(() -> cache.keys(ISSUER, Trace.NONE))).isEqualTo(Reason.KEYS_UNAVAILABLE);
            clock.advance(NEGATIVE_TTL.minusSeconds(1));
            assertThat(reasonOf(() -> k1(cache))).isEqualTo(Reason.KEYS_UNAVAILABLE);
            assertThat(fetches()).isEqualTo(1);

            clock.advance(Duration.ofSeconds(1));
            assertThat(reasonOf(() -> k1(cache))).isEqualTo(Reason.KEYS_UNAVAILABLE);
            assertThat(fetches()).isEqualTo(2);
        }

        @Test
        void issuerThatComesBackWorksAfterNegativeTtl() throws Exception {
            fetcher.down(true);
            assertThat(reasonOf(() -> k1(cache))).isEqualTo(Reason.KEYS_UNAVAILABLE);
            fetcher.down(false);

            assertThat(reasonOf(() -> k1(cache))).as("still negatively cached").isEqualTo(Reason.KEYS_UNAVAILABLE);
            clock.advance(NEGATIVE_TTL);
            assertThat(k1(cache).keyId()).isEqualTo("k1");
            assertThat(fetches()).isEqualTo(2);
        }

        @Test
        void negativeEntriesArePerIssuer() throws Exception {
            String unknown = "https://unknown.example.org";
            assertThat(reasonOf(() -> cache.key(unknown, "k1", Trace.NONE))).isEqualTo(Reason.KEYS_UNAVAILABLE);

            assertThat(k1(cache).keyId()).isEqualTo("k1");
            assertThat(fetcher.fetches(unknown)).isEqualTo(1);
        }

        @Test
        void negativeCacheHitIsTraced() throws Exception {
            fetcher.down(true);
            assertThat(reasonOf(() -> k1(cache))).isEqualTo(Reason.KEYS_UNAVAILABLE);

            Trace.Recorder trace = Trace.recorder();
            assertThat(reasonOf(() -> cache.key(ISSUER, "k1", trace))).isEqualTo(Reason.KEYS_UNAVAILABLE);
            assertThat(trace.steps()).anySatisfy(step -> {
                assertThat(step.check()).isEqualTo("discovery");
                assertThat(step.status()).isEqualTo(Trace.Status.FAIL);
                assertThat(step.detail()).contains("failed recently");
            });
        }
    }

    @Nested
    class UnknownKid {
        @Test
        void unknownKidCausesExactlyOneRateLimitedRefetch() throws Exception {
            k1(cache);
            assertThat(fetches()).isEqualTo(1);

            assertThatThrownBy(() -> cache.key(ISSUER, "nope", Trace.NONE))
                    .isInstanceOfSatisfying(TokenException.class,
                            e -> assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_KEY))
                    .hasMessageContaining("nope")
                    .hasMessageContaining("k1");
            assertThat(fetches()).as("one refetch for the unknown kid").isEqualTo(2);

            assertThat(reasonOf(() -> cache.key(ISSUER, "other", Trace.NONE))).isEqualTo(Reason.UNKNOWN_KEY);
            assertThat(reasonOf(() -> cache.key(ISSUER, "nope", Trace.NONE))).isEqualTo(Reason.UNKNOWN_KEY);
            clock.advance(UNKNOWN_KID_INTERVAL.minusSeconds(1));
            assertThat(reasonOf(() -> cache.key(ISSUER, "third", Trace.NONE))).isEqualTo(Reason.UNKNOWN_KEY);
            assertThat(fetches()).as("no refetch within the interval").isEqualTo(2);

            clock.advance(Duration.ofSeconds(1));
            assertThat(reasonOf(() -> cache.key(ISSUER, "fourth", Trace.NONE))).isEqualTo(Reason.UNKNOWN_KEY);
            assertThat(fetches()).as("one more after the interval").isEqualTo(3);
        }

        @Test
        void knownKidsStillWorkWhileUnknownKidsAreRateLimited() throws Exception {
            k1(cache);
            reasonOf(() -> cache.key(ISSUER, "nope", Trace.NONE));
            reasonOf(() -> cache.key(ISSUER, "nope", Trace.NONE));

            assertThat(k1(cache).keyId()).isEqualTo("k1");
            assertThat(fetches()).isEqualTo(2);
        }

        @Test
        void rotatedInKeyWorksAtOnce() throws Exception {
            k1(cache);
            fetcher.publish(ISSUER, K1, K2); // the issuer starts signing with k2, well before the next refresh

            VerificationKey k2 = cache.key(ISSUER, "k2", Trace.NONE);

            assertThat(k2.keyId()).isEqualTo("k2");
            assertThat(fetches()).isEqualTo(2);
            byte[] data = "payload".getBytes(StandardCharsets.US_ASCII);
            byte[] signature = K2.sign(data);
            assertThat(k2.verify(data, data.length, signature)).isTrue();
            // both keys now served from the cache
            k1(cache);
            cache.key(ISSUER, "k2", Trace.NONE);
            assertThat(fetches()).isEqualTo(2);
        }

        @Test
        void refetchForUnknownKidIsTraced() throws Exception {
            k1(cache);
            fetcher.publish(ISSUER, K1, K2);
            Trace.Recorder trace = Trace.recorder();

            cache.key(ISSUER, "k2", trace);

            assertThat(trace.steps()).anySatisfy(step -> {
                assertThat(step.check()).isEqualTo("key");
                assertThat(step.detail()).contains("k2").contains("fetching");
            });
        }

        @Test
        void unknownKidWithIssuerDownIsUnknownKeyAndKeepsTheCachedKeys() throws Exception {
            k1(cache);
            fetcher.down(true);

            assertThat(reasonOf(() -> cache.key(ISSUER, "k2", Trace.NONE))).isEqualTo(Reason.UNKNOWN_KEY);
            assertThat(k1(cache).keyId()).isEqualTo("k1");
            assertThat(fetches()).isEqualTo(2);
        }

        @Test
        void tokenWithoutKidUsesTheOnlyKeyButNotOneOfSeveral() throws Exception {
            assertThat(cache.key(ISSUER, null, Trace.NONE).keyId()).isEqualTo("k1");

            fetcher.publish(ISSUER, K1, K2);
            cache.refresh(ISSUER, Trace.NONE);
            assertThatThrownBy(() -> cache.key(ISSUER, null, Trace.NONE))
                    .isInstanceOfSatisfying(TokenException.class,
                            e -> assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_KEY))
                    .hasMessageContaining("no kid");
        }
    }

    @Nested
    class ExplicitApi {
        @Test
        void putPreSeedsWithoutFetching() throws Exception {
            cache.put(ISSUER, new JWKSet(List.of(K1.toPublicJwk(), K2.toPublicJwk())));

            assertThat(cache.key(ISSUER, "k2", Trace.NONE).keyId()).isEqualTo("k2");
            assertThat(k1(cache).keyId()).isEqualTo("k1");
            assertThat(fetches()).isZero();
        }

        @Test
        void putClearsANegativeEntry() throws Exception {
            fetcher.down(true);
            assertThat(reasonOf(() -> k1(cache))).isEqualTo(Reason.KEYS_UNAVAILABLE);

            cache.put(ISSUER, new JWKSet(K1.toPublicJwk()));

            assertThat(k1(cache).keyId()).isEqualTo("k1");
            assertThat(fetches()).isEqualTo(1);
        }

        @Test
        void entryReportsKeysAndTimesWithoutFetching() throws Exception {
            assertThat(cache.entry(ISSUER)).isNull();
            assertThat(fetches()).isZero();

            Instant t0 = clock.instant();
            k1(cache);
            clock.advance(Duration.ofSeconds(30));
            IssuerKeyCache.Entry entry = cache.entry(ISSUER);

            assertThat(entry).isNotNull();
            assertThat(entry.keys().keyIds()).containsExactly("k1");
            assertThat(entry.fetchedAt()).isEqualTo(t0);
            assertThat(entry.refreshAt()).isEqualTo(t0.plus(REFRESH));
            assertThat(entry.expiresAt()).isEqualTo(t0.plus(EXPIRY));
            assertThat(fetches()).isEqualTo(1);

            clock.set(t0.plus(EXPIRY));
            assertThat(cache.entry(ISSUER)).as("expired entries are not reported").isNull();
            assertThat(fetches()).isEqualTo(1);
        }

        @Test
        void entryAfterPutUsesTheConfiguredIntervals() {
            Instant t0 = clock.instant();
            cache.put(ISSUER, new JWKSet(K1.toPublicJwk()));

            IssuerKeyCache.Entry entry = cache.entry(ISSUER);
            assertThat(entry.fetchedAt()).isEqualTo(t0);
            assertThat(entry.refreshAt()).isEqualTo(t0.plus(REFRESH));
            assertThat(entry.expiresAt()).isEqualTo(t0.plus(EXPIRY));
        }

        @Test
        void removeForgetsTheIssuer() throws Exception {
            k1(cache);
            cache.remove(ISSUER);

            assertThat(cache.entry(ISSUER)).isNull();
            k1(cache);
            assertThat(fetches()).isEqualTo(2);
        }

        @Test
        void removingAnUnknownIssuerIsNotAnError() {
            cache.remove("https://never.example.org"); // scitokens-cpp DeleteJwksNonExistentTest
            assertThat(cache.entry("https://never.example.org")).isNull();
        }

        @Test
        void builderRejectsZeroAndNegativeDurations() {
            List<Consumer<IssuerKeyCache.Builder>> setters = List.of(
                    b -> b.refreshInterval(Duration.ZERO), b -> b.refreshInterval(Duration.ofSeconds(-1)),
                    b -> b.expiry(Duration.ZERO), b -> b.expiry(Duration.ofSeconds(-1)),
                    b -> b.negativeTtl(Duration.ZERO), b -> b.negativeTtl(Duration.ofSeconds(-1)),
                    b -> b.unknownKeyRefetchInterval(Duration.ZERO),
                    b -> b.unknownKeyRefetchInterval(Duration.ofSeconds(-1)),
                    b -> b.waitLimit(Duration.ZERO), b -> b.waitLimit(Duration.ofMillis(-1)),
                    b -> b.refreshInterval(null));
            for (Consumer<IssuerKeyCache.Builder> setter : setters) {
                assertThatThrownBy(() -> setter.accept(IssuerKeyCache.builder()))
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("must be positive");
            }
        }

        @Test
        void builderRejectsExpiryShorterThanRefresh() {
            assertThatThrownBy(() -> IssuerKeyCache.builder().fetcher(fetcher)
                    .refreshInterval(Duration.ofHours(2)).expiry(Duration.ofHours(1)).build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("expiry");
            // defaults (10 min / 4 d) are consistent, and equal values are allowed
            assertThat(IssuerKeyCache.builder().fetcher(fetcher).build()).isNotNull();
            assertThat(IssuerKeyCache.builder().fetcher(fetcher)
                    .refreshInterval(Duration.ofHours(1)).expiry(Duration.ofHours(1)).build()).isNotNull();
        }
    }

    @Nested
    class SingleFlight {
        static final int THREADS = 16;

        <T> List<Future<T>> runTogether(int n, Callable<T> task) throws Exception {
            ExecutorService pool = Executors.newFixedThreadPool(n);
            try {
                CountDownLatch ready = new CountDownLatch(n);
                CountDownLatch start = new CountDownLatch(1);
                List<Future<T>> futures = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    futures.add(pool.submit(() -> {
                        ready.countDown();
                        start.await();
                        return task.call();
                    }));
                }
                assertThat(ready.await(30, TimeUnit.SECONDS)).isTrue();
                start.countDown();
                for (Future<T> f : futures) {
                    f.get(60, TimeUnit.SECONDS);
                }
                return futures;
            } finally {
                pool.shutdownNow();
            }
        }

        @Test
        void concurrentFirstLookupFetchesOnceAndEveryoneGetsTheKey() throws Exception {
            fetcher.delay(Duration.ofMillis(500)); // keeps the first fetch running while the others arrive

            List<Future<VerificationKey>> results = runTogether(THREADS, () -> k1(cache));

            assertThat(fetches()).isEqualTo(1);
            for (Future<VerificationKey> f : results) {
                assertThat(f.get().keyId()).isEqualTo("k1");
            }
        }

        @Test
        void concurrentFirstLookupOfADownIssuerFetchesOnceAndAllFail() throws Exception {
            fetcher.delay(Duration.ofMillis(500));
            fetcher.down(true);

            List<Future<Reason>> results = runTogether(THREADS, () -> reasonOf(() -> k1(cache)));

            assertThat(fetches()).isEqualTo(1);
            for (Future<Reason> f : results) {
                assertThat(f.get()).isEqualTo(Reason.KEYS_UNAVAILABLE);
            }
        }

        @Test
        void concurrentLookupsOfAStaleEntryRefreshOnceAndNoneFails() throws Exception {
            k1(cache);
            clock.advance(REFRESH);
            fetcher.publish(ISSUER, K1, K2);
            fetcher.delay(Duration.ofMillis(500));

            List<Future<VerificationKey>> results = runTogether(THREADS, () -> k1(cache));

            assertThat(fetches()).isEqualTo(2);
            for (Future<VerificationKey> f : results) {
                assertThat(f.get().keyId()).isEqualTo("k1");
            }
            assertThat(cache.entry(ISSUER).keys().keyIds()).containsExactly("k1", "k2");
        }

        @Test
        void waitersGiveUpAfterTheWaitLimit() throws Exception {
            IssuerKeyCache impatient = builder().waitLimit(Duration.ofMillis(50)).build();
            fetcher.delay(Duration.ofSeconds(2));
            CountDownLatch fetching = new CountDownLatch(1);
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                Future<VerificationKey> first = pool.submit(() -> {
                    fetching.countDown();
                    return k1(impatient);
                });
                fetching.await();
                // wait until the first caller's fetch is actually running
                while (fetches() == 0) {
                    Thread.onSpinWait();
                }
                assertThatThrownBy(() -> k1(impatient))
                        .isInstanceOfSatisfying(TokenException.class,
                                e -> assertThat(e.reason()).isEqualTo(Reason.KEYS_UNAVAILABLE))
                        .hasMessageContaining("timed out waiting");
                assertThat(first.get(30, TimeUnit.SECONDS).keyId()).isEqualTo("k1");
                assertThat(fetches()).isEqualTo(1);
            } finally {
                pool.shutdownNow();
            }
        }

        /**
         * Deterministic interleaving: a caller reads the stale entry, is held (inside its trace callback)
         * while another caller completes the refresh, then continues. It should see that the keys were
         * just refreshed instead of fetching again.
         */
        @Test
        void callerThatSawTheStaleEntryDoesNotRefreshAgainAfterARefreshCompleted() throws Exception {
            k1(cache);
            clock.advance(REFRESH);
            CountDownLatch sawStale = new CountDownLatch(1);
            CountDownLatch refreshed = new CountDownLatch(1);
            Trace holding = new Trace() {
                @Override
                public boolean enabled() {
                    return true;
                }

                @Override
                public void step(String check, Status status, String detail) {
                    if (detail.startsWith("keys of the issuer are cached") && sawStale.getCount() > 0) {
                        sawStale.countDown();
                        try {
                            refreshed.await(30, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                }
            };
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try {
                Future<VerificationKey> slow = pool.submit(() -> cache.key(ISSUER, "k1", holding));
                assertThat(sawStale.await(30, TimeUnit.SECONDS)).isTrue();
                k1(cache); // refreshes
                assertThat(fetches()).isEqualTo(2);
                refreshed.countDown();
                assertThat(slow.get(30, TimeUnit.SECONDS).keyId()).isEqualTo("k1");

                assertThat(fetches()).as("one refresh per stale period").isEqualTo(2);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Nested
    class Persistence {
        @TempDir
        Path dir;

        final MemoryKeyFetcher downFetcher = new MemoryKeyFetcher();

        {
            downFetcher.down(true);
        }

        IssuerKeyCache restarted() {
            return builder().fetcher(downFetcher).persistTo(dir).build();
        }

        static String sha256Hex(String s) throws Exception {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        }

        @Test
        void restartedCacheServesPersistedKeysWhileTheIssuerIsDown() throws Exception {
            k1(builder().persistTo(dir).build());

            IssuerKeyCache second = restarted();

            assertThat(k1(second).keyId()).isEqualTo("k1");
            assertThat(downFetcher.fetches(ISSUER)).isZero();
            assertThat(second.entry(ISSUER).expiresAt()).isEqualTo(clock.instant().plus(EXPIRY));
        }

        @Test
        void restartedCacheServesStalePersistedKeysWhileRefreshFails() throws Exception {
            k1(builder().persistTo(dir).build());
            clock.advance(REFRESH.plusMinutes(5));

            IssuerKeyCache second = restarted();

            assertThat(k1(second).keyId()).isEqualTo("k1");
            assertThat(downFetcher.fetches(ISSUER)).as("the stale entry was refreshed (and failed)").isEqualTo(1);
        }

        @Test
        void fileNameIsTheSha256OfTheIssuerAsInTheWlcgJwksCache() throws Exception {
            String demo = "https://demo.scitokens.org";
            fetcher.publish(demo, K1);
            IssuerKeyCache persisting = builder().persistTo(dir).build();

            persisting.key(demo, "k1", Trace.NONE);

            Path file = dir.resolve("defd42fc2ae81f9628744cf6232e40c18697e65b5ef7e828c6223aa1b706bebb");
            assertThat(file).isRegularFile();
            assertThat(new JwksCacheDirectory(dir).fileFor(demo)).isEqualTo(file);
        }

        @Test
        void fileHoldsExpirationNextUpdateAndJwksAndIsPrivate() throws Exception {
            Instant t0 = clock.instant();
            k1(builder().persistTo(dir).build());

            Path file = dir.resolve(sha256Hex(ISSUER));
            assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
            Map<String, Object> top = Json.parseObject(Files.readString(file));
            assertThat(top).containsOnlyKeys(ISSUER);
            @SuppressWarnings("unchecked")
            Map<String, Object> value = (Map<String, Object>) top.get(ISSUER);
            assertThat(((Number) value.get("expiration")).longValue()).isEqualTo(t0.plus(EXPIRY).getEpochSecond());
            assertThat(((Number) value.get("next_update")).longValue()).isEqualTo(t0.plus(REFRESH).getEpochSecond());
            @SuppressWarnings("unchecked")
            JWKSet jwks = JWKSet.parse((Map<String, Object>) value.get("jwks"));
            assertThat(jwks.getKeys()).hasSize(1);
            assertThat(jwks.getKeys().get(0).getKeyID()).isEqualTo("k1");
            assertThat(jwks.getKeys().get(0).isPrivate()).isFalse();
            try (var listing = Files.list(dir)) {
                assertThat(listing).as("no temporary files left").containsExactly(file);
            }
        }

        @Test
        void refreshRewritesTheFile() throws Exception {
            IssuerKeyCache persisting = builder().persistTo(dir).build();
            k1(persisting);
            fetcher.publish(ISSUER, K1, K2);
            clock.advance(REFRESH);
            k1(persisting);

            IssuerKeyCache second = restarted();
            assertThat(second.key(ISSUER, "k2", Trace.NONE).keyId()).isEqualTo("k2");
            assertThat(downFetcher.fetches(ISSUER)).isZero();
        }

        @Test
        void expiredPersistedEntryIsNotUsed() throws Exception {
            k1(builder().persistTo(dir).build());
            clock.advance(EXPIRY);

            IssuerKeyCache second = restarted();

            assertThat(second.entry(ISSUER)).isNull();
            assertThat(reasonOf(() -> k1(second))).isEqualTo(Reason.KEYS_UNAVAILABLE);
            assertThat(downFetcher.fetches(ISSUER)).isEqualTo(1);
        }

        @Test
        void corruptCacheFileIsIgnoredAndCostsOneFetch() throws Exception {
            Path file = dir.resolve(sha256Hex(ISSUER));
            Files.writeString(file, "{\"" + ISSUER + "\": {\"expiration\": 99999999999, \"jwks\": {\"keys\": [tru");
            IssuerKeyCache c = builder().persistTo(dir).build();

            assertThat(k1(c).keyId()).isEqualTo("k1");
            assertThat(fetches()).isEqualTo(1);
            // and the file was replaced with a usable one
            assertThat(k1(restarted()).keyId()).isEqualTo("k1");
        }

        @Test
        void cacheFileForAnotherIssuerOrWithoutJwksIsIgnored() throws Exception {
            Path file = dir.resolve(sha256Hex(ISSUER));
            long future = clock.instant().plus(EXPIRY).getEpochSecond();
            String jwks = new JWKSet(K2.toPublicJwk()).toString(true);
            Files.writeString(file, "{\"https://other.example.org\": {\"expiration\": " + future + ", \"jwks\": " + jwks + "}}");
            IssuerKeyCache c = builder().persistTo(dir).build();
            assertThat(c.entry(ISSUER)).isNull();
            assertThat(k1(c).keyId()).isEqualTo("k1");
            assertThat(fetches()).isEqualTo(1);
            assertThat(c.entry(ISSUER).keys().keyIds()).containsExactly("k1");

            Files.writeString(file, "{\"" + ISSUER + "\": {\"expiration\": " + future + "}}");
            assertThat(reasonOf(() -> k1(restarted()))).isEqualTo(Reason.KEYS_UNAVAILABLE);
        }

        @Test
        void removeDeletesThePersistedFile() throws Exception {
            IssuerKeyCache persisting = builder().persistTo(dir).build();
            k1(persisting);
            Path file = dir.resolve(sha256Hex(ISSUER));
            assertThat(file).exists();

            persisting.remove(ISSUER);

            assertThat(file).doesNotExist();
            assertThat(reasonOf(() -> k1(restarted()))).isEqualTo(Reason.KEYS_UNAVAILABLE);
        }
    }
}
