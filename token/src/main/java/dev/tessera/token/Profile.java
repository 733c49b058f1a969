package dev.tessera.token;

/**
 * The token profiles: which claims a token must carry and how unknown claims are treated.
 *
 * <p>A token's profile is read from its claims: {@code ver: "scitoken:2.0"} is SciTokens 2.0,
 * {@code wlcg.ver: "1.x"} is WLCG 1.x, a {@code typ: at+jwt} header without either is an RFC 9068
 * access token, and anything else is SciTokens 1.0.
 */
public enum Profile {
    /** SciTokens 1.0 (no {@code ver}): {@code iss}, {@code exp}, {@code iat}, {@code scope}; unknown claims invalidate the token. */
    SCITOKENS_1(null),
    /** SciTokens 2.0 ({@code ver: scitoken:2.0}): adds {@code aud}, {@code nbf}, {@code ver}; unknown claims ignored. */
    SCITOKENS_2("ANY"),
    /** WLCG Common JWT Profile 1.x ({@code wlcg.ver}): {@code sub}, {@code jti}, {@code aud}, header {@code kid}. */
    WLCG_1("https://wlcg.cern.ch/jwt/v1/any"),
    /**
     * JWT access token ({@code typ: at+jwt}, no SciTokens or WLCG version claim). Verified as scitokens-cpp
     * does: {@code iss}, {@code exp}, {@code iat} required, unknown claims ignored (scitokens-cpp's own
     * at+jwt tokens lack RFC 9068's {@code aud} and {@code client_id}). Created with all RFC 9068 claims.
     */
    AT_JWT(null);

    /** The {@code ver} value emitted for SciTokens 2.0. */
    public static final String SCITOKENS_2_VERSION = "scitoken:2.0";
    /** The {@code wlcg.ver} value emitted for WLCG tokens (issuers keep emitting 1.0, WLCG profile 1.1 §2.1). */
    public static final String WLCG_VERSION = "1.0";

    private final String anyAudience;

    Profile(String anyAudience) {
        this.anyAudience = anyAudience;
    }

    /**
     * The audience value that means "any relying party" in this profile ({@code ANY} for SciTokens 2.0,
     * {@code https://wlcg.cern.ch/jwt/v1/any} for WLCG), or {@code null} when it has none.
     */
    public String anyAudience() {
        return anyAudience;
    }

    /** A short human name, e.g. {@code "SciTokens 2.0"}. */
    public String displayName() {
        return switch (this) {
            case SCITOKENS_1 -> "SciTokens 1.0";
            case SCITOKENS_2 -> "SciTokens 2.0";
            case WLCG_1 -> "WLCG 1.x";
            case AT_JWT -> "JWT access token (RFC 9068)";
        };
    }
}
