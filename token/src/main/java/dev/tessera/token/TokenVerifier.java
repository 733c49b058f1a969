package dev.tessera.token;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.tessera.token.discovery.IssuerKeyCache;
import dev.tessera.token.jws.CompactJws;
import dev.tessera.token.keys.Algorithm;
import dev.tessera.token.keys.SigningKey;
import dev.tessera.token.keys.VerificationKey;
import dev.tessera.token.scope.InvalidScopeException;
import dev.tessera.token.scope.ScopeSet;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Verifies SciTokens and WLCG tokens: structure, algorithm, trusted issuer, signature with the
 * issuer's discovered keys, profile rules, times, audience and scope syntax.
 *
 * <pre>{@code
 * TokenVerifier verifier = TokenVerifier.builder()
 *         .issuer("https://cilogon.org/igwn")
 *         .audience("https://data.example.org")
 *         .build();
 * VerifiedToken token = verifier.verify(serialized);   // throws TokenException with a Reason
 * }</pre>
 *
 * <p>A verifier is immutable and thread-safe; build one per configuration and share it. It remembers
 * tokens it has verified (by SHA-256, until they expire), so a service seeing the same token again
 * pays a hash and a lookup; times are still checked against the clock on every call.
 */
public final class TokenVerifier {
    private static final Set<String> SCITOKENS_1_CLAIMS =
            Set.of("iss", "sub", "aud", "exp", "nbf", "iat", "jti", "scope", "ver", "opt");
    private static final Pattern WLCG_VERSION = Pattern.compile("([0-9]+)\\.[0-9]+");
    private static final Pattern WLCG_GROUP = Pattern.compile("(/[a-zA-Z0-9][a-zA-Z0-9_.-]*)+");

    private final Set<String> issuers;
    private final Set<String> audiences;
    private final Map<String, Set<String>> issuerAudiences;
    private final EnumSet<Profile> profiles;
    private final Clock clock;
    private final Duration skew;
    private final Duration maxLifetime;
    private final IssuerKeyCache keys;
    private final int maxTokenLength;
    private final boolean acceptScp;
    private final Cache<TokenDigest, VerifiedToken> verified;

    private TokenVerifier(VerifierSettings<?> s) {
        if (s.issuers.isEmpty()) {
            throw new IllegalArgumentException("a verifier needs at least one trusted issuer");
        }
        this.issuers = Set.copyOf(s.issuers);
        this.audiences = Set.copyOf(s.audiences);
        Map<String, Set<String>> perIssuer = new java.util.HashMap<>();
        s.issuerAudiences.forEach((issuer, accepted) -> perIssuer.put(issuer, Set.copyOf(accepted)));
        this.issuerAudiences = Map.copyOf(perIssuer);
        this.profiles = EnumSet.copyOf(s.profiles);
        this.clock = s.clock;
        this.skew = s.skew;
        this.maxLifetime = s.maxLifetime;
        this.keys = s.keysOrDefault();
        this.maxTokenLength = s.maxTokenLength;
        this.acceptScp = s.acceptScp;
        this.verified = s.cacheSize == 0 ? null : Caffeine.newBuilder()
                .maximumSize(s.cacheSize)
                .expireAfter(new UntilExpiry(clock))
                .build();
    }

    /** A builder; at least one {@link Builder#issuer issuer} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a {@link TokenVerifier}. */
    public static final class Builder extends VerifierSettings<Builder> {
        private Builder() {
        }

        @Override
        Builder self() {
            return this;
        }

        public TokenVerifier build() {
            return new TokenVerifier(this);
        }
    }

    static TokenVerifier of(VerifierSettings<?> settings) {
        return new TokenVerifier(settings);
    }

    /** The trusted issuers. */
    public Set<String> issuers() {
        return issuers;
    }

    /** The audiences this verifier accepts (for issuers without audiences of their own). */
    public Set<String> audiences() {
        return audiences;
    }

    /** The audiences accepted for tokens of {@code issuer}. */
    public Set<String> audiences(String issuer) {
        return issuerAudiences.getOrDefault(issuer, audiences);
    }

    Instant clockInstant() {
        return clock.instant();
    }

    /** The key cache this verifier uses. */
    public IssuerKeyCache keys() {
        return keys;
    }

    /** Verifies a compact serialized token. */
    public VerifiedToken verify(String token) throws TokenException {
        return verify(token, Trace.NONE);
    }

    /**
     * Verifies a token, reporting each step to {@code trace}.
     *
     * @throws TokenException naming the first rule the token breaks
     */
    public VerifiedToken verify(String token, Trace trace) throws TokenException {
        try {
            return verifyOrThrow(token, trace);
        } catch (TokenException e) {
            throw e;
        } catch (RuntimeException e) {
            // a library bug must still surface as a refusal, never as an exception a service did not expect;
            // the cause is kept for logs, the message does not leak internals
            throw new TokenException(Reason.MALFORMED, "token could not be processed", e);
        }
    }

    private VerifiedToken verifyOrThrow(String token, Trace trace) throws TokenException {
        if (token == null || token.isEmpty()) {
            throw fail(trace, "parse", Reason.MALFORMED, "token is empty");
        }
        if (token.length() > maxTokenLength) {
            throw fail(trace, "parse", Reason.TOO_LARGE,
                    "token is " + token.length() + " characters, more than the limit of " + maxTokenLength);
        }
        byte[] ascii = token.getBytes(StandardCharsets.UTF_8); // injective, unlike a lossy charset
        TokenDigest digest = TokenDigest.of(ascii);
        if (verified != null) {
            VerifiedToken known = verified.getIfPresent(digest);
            if (known != null) {
                if (trace.enabled()) {
                    trace.info("cache", "token was verified before: signature not checked again");
                }
                checkTimes(known, clock.instant(), trace);
                return known;
            }
        }
        VerifiedToken result = verifyFully(token, ascii, digest.fingerprint(), trace);
        if (verified != null) {
            verified.put(digest, result);
        }
        return result;
    }

    private VerifiedToken verifyFully(String token, byte[] ascii, String fingerprint, Trace trace)
            throws TokenException {
        CompactJws jws;
        try {
            jws = CompactJws.parse(token, maxTokenLength);
        } catch (TokenException e) {
            throw fail(trace, "parse", e);
        }
        if (trace.enabled()) {
            trace.pass("parse", "compact JWS with a JSON header and payload");
        }
        Map<String, Object> claims = jws.claims();

        Algorithm algorithm = checkHeader(jws, trace);
        String kid = jws.headerString("kid");
        String issuer = checkIssuer(claims, trace);
        Profile profile = detectProfile(jws, trace);
        if (profile == Profile.WLCG_1 && kid == null) {
            throw fail(trace, "header", Reason.UNKNOWN_KEY, "WLCG tokens must name their key with kid");
        }

        VerificationKey key;
        try {
            key = keys.key(issuer, kid, trace);
        } catch (TokenException e) {
            // the key cache already traced why the issuer's keys are unavailable
            throw e.reason() == Reason.KEYS_UNAVAILABLE ? e : fail(trace, "key", e);
        }
        if (key.algorithm() != algorithm) {
            throw fail(trace, "key", Reason.ALGORITHM_MISMATCH, "token header says " + algorithm
                    + " but key " + SafeText.quote(key.keyId(), 64) + " is for " + key.algorithm());
        }
        if (trace.enabled()) {
            trace.pass("key", "key " + key.keyId() + " (" + key.algorithm() + ") found");
        }
        byte[] signature;
        try {
            signature = jws.signature();
        } catch (TokenException e) {
            throw fail(trace, "signature", e);
        }
        if (!key.verify(ascii, jws.signingInputLength(), signature)) {
            throw fail(trace, "signature", Reason.INVALID_SIGNATURE, "signature does not verify with key "
                    + SafeText.quote(key.keyId(), 64));
        }
        if (trace.enabled()) {
            trace.pass("signature", algorithm + " signature verified");
        }

        VerifiedToken verifiedToken = readClaims(profile, issuer, kid, algorithm, claims, fingerprint, trace);
        checkTimes(verifiedToken, clock.instant(), trace);
        checkLifetime(verifiedToken, trace);
        checkAudience(verifiedToken, trace);
        return verifiedToken;
    }

    private Algorithm checkHeader(CompactJws jws, Trace trace) throws TokenException {
        Object alg = jws.header().get("alg");
        Algorithm algorithm = alg instanceof String s ? Algorithm.fromJws(s) : null;
        if (algorithm == null) {
            throw fail(trace, "header", Reason.UNSUPPORTED_ALGORITHM, "algorithm " + SafeText.quote(alg, 32)
                    + " is not accepted (only RS256 and ES256)");
        }
        if (jws.header().containsKey("crit")) {
            throw fail(trace, "header", Reason.INVALID_HEADER, "header 'crit' names extensions this verifier does not implement");
        }
        Object typ = jws.header().get("typ");
        if (typ != null && !(typ instanceof String t && isAcceptedType(t))) {
            throw fail(trace, "header", Reason.INVALID_HEADER, "header 'typ' " + SafeText.quote(typ, 40)
                    + " is not JWT or at+jwt");
        }
        Object kid = jws.header().get("kid");
        if (kid != null && !(kid instanceof String k && SigningKey.isValidKeyId(k))) {
            throw fail(trace, "header", Reason.INVALID_HEADER, "header 'kid' " + SafeText.quote(kid, 40)
                    + " is not a plain key name");
        }
        if (trace.enabled()) {
            trace.pass("header", "alg " + algorithm + ", kid " + (kid == null ? "(none)" : kid)
                    + ", typ " + (typ == null ? "(none)" : typ));
        }
        return algorithm;
    }

    private static boolean isAcceptedType(String typ) {
        return typ.equalsIgnoreCase("JWT") || isAccessTokenType(typ);
    }

    private static boolean isAccessTokenType(String typ) {
        return typ != null && (typ.equalsIgnoreCase("at+jwt") || typ.equalsIgnoreCase("application/at+jwt"));
    }

    private String checkIssuer(Map<String, Object> claims, Trace trace) throws TokenException {
        Object iss = claims.get("iss");
        if (iss == null) {
            throw fail(trace, "issuer", Reason.MISSING_CLAIM, "claim 'iss' is required");
        }
        if (!(iss instanceof String issuer)) {
            throw fail(trace, "issuer", Reason.INVALID_ISSUER, "claim 'iss' must be a string, not " + Claims.jsonType(iss));
        }
        if (!issuer.startsWith("https://")) {
            throw fail(trace, "issuer", Reason.INVALID_ISSUER, "token issuer " + SafeText.quote(issuer)
                    + " is not an https URL, so its keys cannot be trusted");
        }
        if (!issuers.contains(issuer)) {
            throw fail(trace, "issuer", Reason.ISSUER_NOT_ALLOWED, "token issuer " + SafeText.quote(issuer)
                    + " is not in the list of allowed issuers");
        }
        if (trace.enabled()) {
            trace.pass("issuer", "issuer " + issuer + " is trusted");
        }
        return issuer;
    }

    private Profile detectProfile(CompactJws jws, Trace trace) throws TokenException {
        Map<String, Object> claims = jws.claims();
        Object ver = claims.get("ver");
        Object wlcgVer = claims.get("wlcg.ver");
        Profile profile;
        if (ver != null) {
            // scitokens-cpp also writes "scitokens:2.0"; python's explicit 1.0 is the integer 1
            if (Profile.SCITOKENS_2_VERSION.equals(ver) || "scitokens:2.0".equals(ver)) {
                profile = Profile.SCITOKENS_2;
            } else if ("scitokens:1.0".equals(ver) || ver instanceof Long l && l == 1L) {
                profile = Profile.SCITOKENS_1;
            } else {
                throw fail(trace, "profile", Reason.UNSUPPORTED_VERSION, "token version 'ver' "
                        + SafeText.quote(ver, 40) + " is not supported (expected scitoken:2.0)");
            }
        } else if (wlcgVer != null) {
            var m = wlcgVer instanceof String s ? WLCG_VERSION.matcher(s) : null;
            if (m == null || !m.matches() || !m.group(1).equals("1")) {
                throw fail(trace, "profile", Reason.UNSUPPORTED_VERSION, "WLCG version 'wlcg.ver' "
                        + SafeText.quote(wlcgVer, 40) + " is not supported (expected 1.x)");
            }
            profile = Profile.WLCG_1;
        } else if (isAccessTokenType(jws.headerString("typ"))) {
            profile = Profile.AT_JWT;
        } else {
            profile = Profile.SCITOKENS_1;
        }
        if (!profiles.contains(profile)) {
            throw fail(trace, "profile", Reason.PROFILE_NOT_ACCEPTED, profile.displayName()
                    + " tokens are not accepted here");
        }
        if (trace.enabled()) {
            trace.pass("profile", profile.displayName());
        }
        return profile;
    }

    private VerifiedToken readClaims(Profile profile, String issuer, String kid, Algorithm algorithm,
                                     Map<String, Object> claims, String fingerprint, Trace trace)
            throws TokenException {
        try {
            for (String name : requiredClaims(profile)) {
                if (claims.get(name) == null) { // a JSON null is as absent as a missing member
                    throw Claims.missing(name);
                }
            }
            if (profile == Profile.SCITOKENS_1) {
                for (String name : claims.keySet()) {
                    if (!SCITOKENS_1_CLAIMS.contains(name) && !(acceptScp && name.equals("scp"))) {
                        throw new TokenException(Reason.UNKNOWN_CLAIM, "claim " + SafeText.quote(name, 40)
                                + " is not understood, and SciTokens 1.0 tokens with unknown claims are invalid");
                    }
                }
            }
            String subject = Claims.string(claims, "sub");
            if (profile == Profile.WLCG_1 && (subject.length() > 255 || !isAscii(subject))) {
                throw new TokenException(Reason.INVALID_CLAIM, "WLCG 'sub' must be at most 255 ASCII characters");
            }
            String jwtId = Claims.string(claims, "jti");
            List<String> audience = Claims.strings(claims, "aud");
            if (claims.containsKey("aud") && audience.isEmpty()) {
                throw new TokenException(Reason.INVALID_CLAIM, "claim 'aud' must not be an empty array");
            }
            Instant issuedAt = Claims.date(claims, "iat");
            Instant notBefore = Claims.date(claims, "nbf");
            Instant expiresAt = Claims.date(claims, "exp");
            List<String> groups = groups(profile, claims);
            Claims.string(claims, "client_id");
            ScopeSet scopes = readScopes(profile, claims);
            if (trace.enabled()) {
                trace.pass("claims", "required claims of " + profile.displayName() + " present and well-formed");
                trace.pass("scope", scopes.isEmpty() ? "no scopes" : "scopes: " + scopes);
            }
            return new VerifiedToken(profile, issuer, subject, audience, issuedAt, notBefore, expiresAt, jwtId,
                    scopes, groups, kid, algorithm, claims, fingerprint);
        } catch (TokenException e) {
            throw fail(trace, e.reason() == Reason.INVALID_SCOPE ? "scope" : "claims", e);
        }
    }

    /**
     * {@code wlcg.groups}: checked strictly in WLCG tokens; in other profiles it is an unknown claim to
     * ignore, so a malformed value just means no groups.
     */
    private static List<String> groups(Profile profile, Map<String, Object> claims) throws TokenException {
        List<String> groups;
        try {
            groups = Claims.strings(claims, "wlcg.groups");
        } catch (TokenException e) {
            if (profile == Profile.WLCG_1) {
                throw e;
            }
            return List.of();
        }
        for (String group : groups) {
            if (!WLCG_GROUP.matcher(group).matches()) {
                if (profile != Profile.WLCG_1) {
                    return List.of();
                }
                throw new TokenException(Reason.INVALID_CLAIM, "group " + SafeText.quote(group, 60)
                        + " in 'wlcg.groups' is not of the form /vo/group");
            }
        }
        return groups;
    }

    private static List<String> requiredClaims(Profile profile) {
        return switch (profile) {
            case SCITOKENS_1 -> List.of("iss", "exp", "iat");
            case SCITOKENS_2 -> List.of("ver", "aud", "iss", "exp", "iat", "nbf", "scope");
            case WLCG_1 -> List.of("wlcg.ver", "sub", "iss", "exp", "iat", "jti", "aud");
            // as scitokens-cpp reads at+jwt: its own at+jwt tokens lack RFC 9068's aud and client_id
            case AT_JWT -> List.of("iss", "exp", "iat");
        };
    }

    private ScopeSet readScopes(Profile profile, Map<String, Object> claims) throws TokenException {
        Object scope = claims.get("scope");
        String text;
        if (scope == null && acceptScp && claims.get("scp") != null) {
            text = String.join(" ", Claims.strings(claims, "scp"));
        } else if (scope == null) {
            if (profile == Profile.SCITOKENS_1) {
                throw Claims.missing("scope");
            }
            return ScopeSet.EMPTY;
        } else if (scope instanceof String s) {
            text = s;
        } else {
            throw new TokenException(Reason.INVALID_CLAIM, "claim 'scope' must be a space-separated string, not "
                    + Claims.jsonType(scope));
        }
        try {
            return ScopeSet.parse(text);
        } catch (InvalidScopeException e) {
            throw new TokenException(Reason.INVALID_SCOPE, e.getMessage());
        }
    }

    /** Checks {@code exp}, {@code nbf} and {@code iat} against {@code now}: {@code exp} exactly, the others with skew. */
    void checkTimes(VerifiedToken token, Instant now, Trace trace) throws TokenException {
        if (token.expiresAt() == null) {
            throw fail(trace, "exp", Reason.MISSING_CLAIM, "claim 'exp' is required");
        }
        if (!now.isBefore(token.expiresAt())) {
            throw fail(trace, "exp", Reason.EXPIRED, "token expired at " + token.expiresAt() + " ("
                    + Duration.between(token.expiresAt(), now).toSeconds() + " s ago)");
        }
        if (trace.enabled()) {
            trace.pass("exp", "expires at " + token.expiresAt() + ", in "
                    + Duration.between(now, token.expiresAt()).toSeconds() + " s");
        }
        if (token.notBefore() != null) {
            if (now.plus(skew).isBefore(token.notBefore())) {
                throw fail(trace, "nbf", Reason.NOT_YET_VALID, "token is not valid before " + token.notBefore()
                        + " (" + Duration.between(now, token.notBefore()).toSeconds() + " s from now, allowed skew "
                        + skew.toSeconds() + " s)");
            }
            if (trace.enabled()) {
                trace.pass("nbf", "valid since " + token.notBefore());
            }
        }
        if (token.issuedAt() != null) {
            if (now.plus(skew).isBefore(token.issuedAt())) {
                throw fail(trace, "iat", Reason.ISSUED_IN_FUTURE, "token is issued in the future, at "
                        + token.issuedAt() + " (allowed skew " + skew.toSeconds() + " s)");
            }
            if (trace.enabled()) {
                trace.pass("iat", "issued at " + token.issuedAt());
            }
        }
    }

    private void checkLifetime(VerifiedToken token, Trace trace) throws TokenException {
        Duration limit = maxLifetime;
        if (token.profile() == Profile.WLCG_1 && (limit == null || limit.compareTo(VerifierSettings.WLCG_MAX_LIFETIME) > 0)) {
            limit = VerifierSettings.WLCG_MAX_LIFETIME;
        }
        if (limit == null) {
            return;
        }
        Duration lifetime = Duration.between(token.issuedAt(), token.expiresAt());
        if (lifetime.compareTo(limit) > 0) {
            throw fail(trace, "lifetime", Reason.LIFETIME_TOO_LONG, "token is valid for " + lifetime.toSeconds()
                    + " s, longer than the maximum of " + limit.toSeconds() + " s");
        }
        if (trace.enabled()) {
            trace.pass("lifetime", "valid for " + lifetime.toSeconds() + " s (maximum " + limit.toSeconds() + " s)");
        }
    }

    private void checkAudience(VerifiedToken token, Trace trace) throws TokenException {
        Set<String> audiences = audiences(token.issuer());
        List<String> aud = token.audience();
        if (aud.isEmpty()) {
            if (!audiences.isEmpty()) {
                throw fail(trace, "audience", Reason.AUDIENCE_MISMATCH, "token has no 'aud', and this verifier requires one of "
                        + SafeText.quote(String.join(", ", audiences)));
            }
            if (trace.enabled()) {
                trace.pass("audience", "token names no audience, and none is required");
            }
            return;
        }
        String any = token.profile().anyAudience();
        for (String a : aud) {
            if (audiences.contains(a) || a.equals(any)) {
                if (trace.enabled()) {
                    trace.pass("audience", "audience " + a + (a.equals(any) ? " (any relying party)" : " accepted"));
                }
                return;
            }
        }
        throw fail(trace, "audience", Reason.AUDIENCE_MISMATCH, "token audience " + SafeText.quote(String.join(", ", aud))
                + (audiences.isEmpty() ? " but this verifier has no audience configured"
                        : " matches none of " + SafeText.quote(String.join(", ", audiences))));
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0x7e || s.charAt(i) < 0x20) {
                return false;
            }
        }
        return true;
    }

    private static TokenException fail(Trace trace, String check, Reason reason, String message) {
        return fail(trace, check, new TokenException(reason, message));
    }

    private static TokenException fail(Trace trace, String check, TokenException e) {
        if (trace.enabled()) {
            trace.fail(check, e.getMessage());
        }
        return e;
    }

    /** Evicts a verified token when it expires (by the verifier's clock at insertion). */
    private static final class UntilExpiry implements Expiry<TokenDigest, VerifiedToken> {
        private final Clock clock;

        UntilExpiry(Clock clock) {
            this.clock = clock;
        }

        @Override
        public long expireAfterCreate(TokenDigest key, VerifiedToken token, long currentTime) {
            long millis = token.expiresAt().toEpochMilli() - clock.millis();
            return Math.max(0, millis) * 1_000_000L;
        }

        @Override
        public long expireAfterUpdate(TokenDigest key, VerifiedToken token, long currentTime, long currentDuration) {
            return expireAfterCreate(key, token, currentTime);
        }

        @Override
        public long expireAfterRead(TokenDigest key, VerifiedToken token, long currentTime, long currentDuration) {
            return currentDuration;
        }
    }
}
