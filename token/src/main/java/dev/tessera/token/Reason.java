package dev.tessera.token;

import java.util.Locale;

/**
 * Why a token was refused or a request denied: a stable, machine-readable code.
 *
 * <p>{@link #code()} gives the snake_case form used in JSON output, logs and HTTP error bodies
 * (for example {@code "expired"}); it never changes once released.
 */
public enum Reason {
    /** Not a compact JWS: wrong number of parts, bad base64url, bad JSON, duplicate keys. */
    MALFORMED,
    /** Longer than the configured size limit. */
    TOO_LARGE,
    /** {@code alg} is not RS256 or ES256 ({@code none} and HMAC are always refused). */
    UNSUPPORTED_ALGORITHM,
    /** A header the verifier will not accept: {@code crit}, an unexpected {@code typ}, an unsafe {@code kid}. */
    INVALID_HEADER,
    /** {@code iss} is not a string, or not an https URL. */
    INVALID_ISSUER,
    /** {@code iss} is not one of the issuers this verifier trusts. */
    ISSUER_NOT_ALLOWED,
    /** The issuer's keys could not be obtained (discovery or JWKS fetch failed, or failed recently). */
    KEYS_UNAVAILABLE,
    /** The issuer does not publish the key named by {@code kid}, or {@code kid} is required and absent. */
    UNKNOWN_KEY,
    /** The header {@code alg} does not fit the issuer's key. */
    ALGORITHM_MISMATCH,
    /** The signature does not verify. */
    INVALID_SIGNATURE,
    /** {@code ver} or {@code wlcg.ver} names a profile version this library does not implement. */
    UNSUPPORTED_VERSION,
    /** The token's profile is not among those the verifier accepts. */
    PROFILE_NOT_ACCEPTED,
    /** A claim the profile requires is absent. */
    MISSING_CLAIM,
    /** A claim has the wrong type or an invalid value. */
    INVALID_CLAIM,
    /** A SciTokens 1.0 token carries a claim the verifier does not understand (1.0 is fail-closed). */
    UNKNOWN_CLAIM,
    /** The current time is at or after {@code exp}. */
    EXPIRED,
    /** The current time is before {@code nbf} (beyond the allowed clock skew). */
    NOT_YET_VALID,
    /** {@code iat} lies in the future (beyond the allowed clock skew). */
    ISSUED_IN_FUTURE,
    /** The token is valid for longer than the verifier's maximum lifetime. */
    LIFETIME_TOO_LONG,
    /** None of the token's audiences is one of the verifier's. */
    AUDIENCE_MISMATCH,
    /** A scope is malformed (path traversal, missing or invalid path): the whole token is refused. */
    INVALID_SCOPE,
    /** The token is valid but grants no scope that allows the request (including paths outside the issuer's base path). */
    INSUFFICIENT_SCOPE,
    /** The requested path is malformed (relative, bad percent-encoding, control characters) or climbs above the root. */
    INVALID_PATH;

    /** The snake_case code, e.g. {@code "insufficient_scope"}. */
    public String code() {
        return name().toLowerCase(Locale.ROOT);
    }
}
