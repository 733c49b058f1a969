package dev.tessera.token;

import dev.tessera.token.discovery.HttpsKeyFetcher;
import dev.tessera.token.discovery.IssuerKeyCache;
import dev.tessera.token.jws.CompactJws;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The settings every verifier shares, as a fluent builder base for {@link TokenVerifier.Builder} and
 * {@link Enforcer.Builder}.
 *
 * @param <B> the concrete builder
 */
public abstract class VerifierSettings<B extends VerifierSettings<B>> {
    /** Default allowed clock difference for {@code nbf} and {@code iat}. */
    public static final Duration DEFAULT_SKEW = Duration.ofSeconds(60);
    /** WLCG: "Resource providers MUST NOT accept tokens that have validity longer than 6 hours". */
    public static final Duration WLCG_MAX_LIFETIME = Duration.ofHours(6);

    final Set<String> issuers = new LinkedHashSet<>();
    final Set<String> audiences = new LinkedHashSet<>();
    final Map<String, Set<String>> issuerAudiences = new LinkedHashMap<>();
    EnumSet<Profile> profiles = EnumSet.allOf(Profile.class);
    Clock clock = Clock.systemUTC();
    Duration skew = DEFAULT_SKEW;
    Duration maxLifetime;
    IssuerKeyCache keys;
    List<Path> caFiles = List.of();
    int maxTokenLength = CompactJws.DEFAULT_MAX_LENGTH;
    long cacheSize = 10_000;
    boolean acceptScp;

    VerifierSettings() {
    }

    abstract B self();

    /** Trusts tokens from this issuer (exact string match with {@code iss}; must be an https URL). */
    public B issuer(String issuer) {
        issuers.add(requireHttps(issuer));
        return self();
    }

    /**
     * Trusts tokens from this issuer when they are for one of {@code audiences}, which replace, for this
     * issuer, the audiences set with {@link #audience}.
     */
    public B issuer(String issuer, Collection<String> audiences) {
        issuer(issuer);
        Set<String> accepted = new LinkedHashSet<>();
        for (String audience : audiences) {
            accepted.add(checkAudience(audience));
        }
        issuerAudiences.put(issuer, accepted);
        return self();
    }

    public B issuers(Collection<String> issuers) {
        issuers.forEach(this::issuer);
        return self();
    }

    /**
     * Accepts tokens for this audience (exact, case-sensitive). Tokens whose {@code aud} is the
     * profile's "any" value are accepted too; the verifier's own audience may never be such a wildcard.
     */
    public B audience(String audience) {
        audiences.add(checkAudience(audience));
        return self();
    }

    private static String checkAudience(String audience) {
        Objects.requireNonNull(audience, "audience");
        for (Profile profile : Profile.values()) {
            if (audience.equals(profile.anyAudience())) {
                throw new IllegalArgumentException("a verifier cannot have the wildcard audience " + audience);
            }
        }
        if (audience.isBlank()) {
            throw new IllegalArgumentException("audience must not be blank");
        }
        return audience;
    }

    public B audiences(Collection<String> audiences) {
        audiences.forEach(this::audience);
        return self();
    }

    /** Accepts only tokens of these profiles (default: all). */
    public B profiles(Profile first, Profile... more) {
        this.profiles = EnumSet.of(first, more);
        return self();
    }

    /** The clock read at every check (default: the system clock). */
    public B clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock);
        return self();
    }

    /** Allowed clock difference for {@code nbf} and {@code iat} (default 60 s); {@code exp} is exact. */
    public B skew(Duration skew) {
        if (skew.isNegative()) {
            throw new IllegalArgumentException("skew must not be negative");
        }
        this.skew = skew;
        return self();
    }

    /**
     * Refuses tokens valid for longer than this ({@code exp - iat}); default none. WLCG tokens are
     * always held to at most 6 hours.
     */
    public B maxLifetime(Duration maxLifetime) {
        if (maxLifetime != null && (maxLifetime.isNegative() || maxLifetime.isZero())) {
            throw new IllegalArgumentException("maximum lifetime must be positive");
        }
        this.maxLifetime = maxLifetime;
        return self();
    }

    /** The key cache to use, shared between verifiers (default: a new one over https). */
    public B keys(IssuerKeyCache keys) {
        this.keys = Objects.requireNonNull(keys);
        return self();
    }

    /** Extra CA certificates (PEM bundles or CA directories) for the default key cache's https fetches. */
    public B caFiles(List<Path> caFiles) {
        this.caFiles = List.copyOf(caFiles);
        return self();
    }

    /** Longest token accepted, in characters (default 32 KiB). */
    public B maxTokenLength(int maxTokenLength) {
        if (maxTokenLength < 64) {
            throw new IllegalArgumentException("maximum token length is too small");
        }
        this.maxTokenLength = maxTokenLength;
        return self();
    }

    /** How many verified tokens to remember (default 10 000; 0 disables the cache). */
    public B verifiedTokenCacheSize(long size) {
        if (size < 0) {
            throw new IllegalArgumentException("cache size must not be negative");
        }
        this.cacheSize = size;
        return self();
    }

    /** Accepts the pre-2018 SciTokens {@code scp} claim in place of {@code scope} (default off). */
    public B acceptScp(boolean acceptScp) {
        this.acceptScp = acceptScp;
        return self();
    }

    IssuerKeyCache keysOrDefault() {
        if (keys != null) {
            return keys;
        }
        try {
            return IssuerKeyCache.builder().clock(clock).fetcher(HttpsKeyFetcher.create(new ArrayList<>(caFiles))).build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Checks that {@code issuer} can be an issuer: an https URL with a host and no query or fragment
     * (discovery appends to it).
     *
     * @return {@code issuer}
     * @throws IllegalArgumentException naming what is wrong
     */
    public static String requireHttps(String issuer) {
        Objects.requireNonNull(issuer, "issuer");
        try {
            URI uri = new URI(issuer);
            if (!"https".equals(uri.getScheme()) || uri.getHost() == null || uri.getRawQuery() != null
                    || uri.getRawFragment() != null) {
                throw new IllegalArgumentException("issuer must be an https URL without query or fragment: " + issuer);
            }
            return issuer;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("issuer is not a valid URL: " + issuer, e);
        }
    }
}
