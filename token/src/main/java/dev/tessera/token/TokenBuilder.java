package dev.tessera.token;

import dev.tessera.token.jws.JwsSigner;
import dev.tessera.token.keys.SigningKey;
import dev.tessera.token.scope.InvalidScopeException;
import dev.tessera.token.scope.ScopeSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * Creates and signs a token.
 *
 * <pre>{@code
 * String token = TokenBuilder.forKey(key)
 *         .issuer("https://tokens.example.org/ligo")
 *         .subject("alice")
 *         .scope("read:/ligo/frames write:/ligo/user/alice")
 *         .audience("https://data.example.org")
 *         .lifetime(Duration.ofMinutes(20))
 *         .sign();
 * }</pre>
 *
 * <p>Every token carries {@code iss}, {@code iat}, {@code nbf}, {@code exp}, a random {@code jti} and the
 * key's {@code kid}; the profile adds {@code ver: scitoken:2.0} (the default) or
 * {@code wlcg.ver: "1.0"}. Scopes are checked with the same rules verifiers apply, so an invalid
 * token is never signed.
 */
public final class TokenBuilder {
    /** Default lifetime: WLCG's recommended 20 minutes. */
    public static final Duration DEFAULT_LIFETIME = Duration.ofMinutes(20);

    private static final Set<String> RESERVED = Set.of(
            "iss", "sub", "aud", "exp", "nbf", "iat", "jti", "scope", "ver", "wlcg.ver", "wlcg.groups");

    private final SigningKey key;
    private Profile profile = Profile.SCITOKENS_2;
    private String issuer;
    private String subject;
    private final List<String> audience = new ArrayList<>();
    private ScopeSet scopes = ScopeSet.EMPTY;
    private final List<String> groups = new ArrayList<>();
    private Duration lifetime = DEFAULT_LIFETIME;
    private Duration notBeforeBackdate = Duration.ZERO;
    private String type = "JWT";
    private String jwtId;
    private Clock clock = Clock.systemUTC();
    private final Map<String, Object> extra = new LinkedHashMap<>();

    private TokenBuilder(SigningKey key) {
        this.key = Objects.requireNonNull(key, "key");
    }

    /** A builder signing with {@code key}. */
    public static TokenBuilder forKey(SigningKey key) {
        return new TokenBuilder(key);
    }

    public TokenBuilder profile(Profile profile) {
        this.profile = Objects.requireNonNull(profile);
        return this;
    }

    /** {@code iss}: the issuer's https URL. */
    public TokenBuilder issuer(String issuer) {
        this.issuer = VerifierSettings.requireHttps(issuer);
        return this;
    }

    public TokenBuilder subject(String subject) {
        this.subject = subject;
        return this;
    }

    /** Adds an audience; one gives a string {@code aud}, several an array. */
    public TokenBuilder audience(String audience) {
        this.audience.add(Objects.requireNonNull(audience));
        return this;
    }

    public TokenBuilder audiences(Collection<String> audiences) {
        audiences.forEach(this::audience);
        return this;
    }

    /**
     * The space-separated scopes.
     *
     * @throws IllegalArgumentException when a scope is invalid (traversal, missing path...)
     */
    public TokenBuilder scope(String scope) {
        try {
            this.scopes = ScopeSet.parse(scope);
        } catch (InvalidScopeException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return this;
    }

    public TokenBuilder scopes(ScopeSet scopes) {
        this.scopes = Objects.requireNonNull(scopes);
        return this;
    }

    /** Adds a {@code wlcg.groups} entry, e.g. {@code /cms/uscms} (WLCG profile). */
    public TokenBuilder group(String group) {
        this.groups.add(Objects.requireNonNull(group));
        return this;
    }

    public TokenBuilder lifetime(Duration lifetime) {
        if (lifetime.isNegative() || lifetime.isZero()) {
            throw new IllegalArgumentException("lifetime must be positive");
        }
        this.lifetime = lifetime;
        return this;
    }

    /** Sets {@code nbf} this much before {@code iat}, to absorb verifiers' clock skew (default 0). */
    public TokenBuilder notBeforeBackdate(Duration backdate) {
        this.notBeforeBackdate = backdate;
        return this;
    }

    /** The header {@code typ}: {@code JWT} (default) or {@code at+jwt}. */
    public TokenBuilder type(String type) {
        if (!"JWT".equals(type) && !"at+jwt".equals(type)) {
            throw new IllegalArgumentException("typ must be JWT or at+jwt");
        }
        this.type = type;
        return this;
    }

    /** {@code jti}; default a random UUID. */
    public TokenBuilder jwtId(String jwtId) {
        this.jwtId = jwtId;
        return this;
    }

    /** The clock for {@code iat}, {@code nbf} and {@code exp}. */
    public TokenBuilder clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock);
        return this;
    }

    /** Adds any other claim (a string, number, boolean, list or map); registered claims have their own setters. */
    public TokenBuilder claim(String name, Object value) {
        if (RESERVED.contains(name)) {
            throw new IllegalArgumentException("claim '" + name + "' has its own setter");
        }
        extra.put(name, value);
        return this;
    }

    /** The claims a token would carry if signed now, in order (each call makes a new {@code jti}). */
    public Map<String, Object> claims() {
        if (issuer == null) {
            throw new IllegalStateException("issuer is required");
        }
        if ((profile == Profile.SCITOKENS_2 || profile == Profile.WLCG_1 || profile == Profile.AT_JWT)
                && audience.isEmpty()) {
            throw new IllegalStateException(profile.displayName() + " tokens need an audience (use "
                    + (profile.anyAudience() == null ? "the service's URL" : profile.anyAudience()
                    + " for any service") + ")");
        }
        if ((profile == Profile.WLCG_1 || profile == Profile.AT_JWT) && subject == null) {
            throw new IllegalStateException(profile.displayName() + " tokens need a subject");
        }
        if (profile == Profile.AT_JWT && !(extra.get("client_id") instanceof String)) {
            throw new IllegalStateException("RFC 9068 access tokens need a client_id claim");
        }
        if (profile == Profile.SCITOKENS_1 && !extra.keySet().stream().allMatch("opt"::equals)) {
            throw new IllegalStateException("SciTokens 1.0 tokens can carry no claims but 'opt' beyond the standard ones");
        }
        Instant now = clock.instant();
        Map<String, Object> claims = new LinkedHashMap<>();
        if (profile == Profile.SCITOKENS_2) {
            claims.put("ver", Profile.SCITOKENS_2_VERSION);
        } else if (profile == Profile.WLCG_1) {
            claims.put("wlcg.ver", Profile.WLCG_VERSION);
        }
        claims.put("iss", issuer);
        if (subject != null) {
            claims.put("sub", subject);
        }
        if (!audience.isEmpty()) {
            claims.put("aud", audience.size() == 1 ? audience.get(0) : List.copyOf(audience));
        }
        if (!scopes.isEmpty() || profile == Profile.SCITOKENS_1 || profile == Profile.SCITOKENS_2) {
            claims.put("scope", scopes.toString());
        }
        if (!groups.isEmpty()) {
            claims.put("wlcg.groups", List.copyOf(groups));
        }
        claims.put("iat", now.getEpochSecond());
        claims.put("nbf", now.minus(notBeforeBackdate).getEpochSecond());
        claims.put("exp", now.plus(lifetime).getEpochSecond());
        claims.put("jti", jwtId != null ? jwtId : UUID.randomUUID().toString());
        claims.putAll(extra);
        return claims;
    }

    /** Signs the token and returns its compact serialization. */
    public String sign() {
        return mint().token();
    }

    /** A signed token together with the exact claims it carries. */
    public record Minted(String token, Map<String, Object> claims) {
    }

    /** Signs the token and returns it with its claims ({@link #claims()} would make a new {@code jti}). */
    public Minted mint() {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("typ", profile == Profile.AT_JWT ? "at+jwt" : type);
        Map<String, Object> claims = claims();
        return new Minted(JwsSigner.sign(key, header, claims), java.util.Collections.unmodifiableMap(claims));
    }
}
