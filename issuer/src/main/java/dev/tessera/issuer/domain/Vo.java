package dev.tessera.issuer.domain;

import dev.tessera.token.Profile;
import dev.tessera.token.keys.Algorithm;
import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A virtual organization: one issuer ({@code iss}) with its own keys, clients, accounts and policy.
 *
 * @param name            short name, the last segment of {@code iss} ({@code https://HOST/vo/NAME})
 * @param issuer          {@code iss}
 * @param profile         the tokens it issues: SciTokens 2.0 or WLCG 1.0
 * @param algorithm       the algorithm of its new signing keys
 * @param accessLifetime  access token lifetime when a request asks for none
 * @param maxAccessLifetime the longest access token lifetime a request may ask for
 * @param defaultAudience {@code aud} when a request names none
 * @param refreshLifetime how long a refresh token lasts unused (each use gives a new one)
 * @param deviceCodeLifetime how long a device authorization waits for approval
 * @param idTokenLifetime how long an ID token is valid
 */
public record Vo(String name, String issuer, Profile profile, Algorithm algorithm, Duration accessLifetime,
                 Duration maxAccessLifetime, String defaultAudience, Duration refreshLifetime,
                 Duration deviceCodeLifetime, Duration idTokenLifetime) {
    /** Default: 14 days. */
    public static final Duration REFRESH_LIFETIME = Duration.ofDays(14);
    /** Default: 10 minutes. */
    public static final Duration DEVICE_CODE_LIFETIME = Duration.ofMinutes(10);
    /** Default: 10 minutes (an ID token is read once, at sign-in). */
    public static final Duration ID_TOKEN_LIFETIME = Duration.ofMinutes(10);
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");

    /** A VO with the default refresh token, device code and ID token lifetimes. */
    public Vo(String name, String issuer, Profile profile, Algorithm algorithm, Duration accessLifetime,
              Duration maxAccessLifetime, String defaultAudience) {
        this(name, issuer, profile, algorithm, accessLifetime, maxAccessLifetime, defaultAudience, REFRESH_LIFETIME,
                DEVICE_CODE_LIFETIME, ID_TOKEN_LIFETIME);
    }

    public Vo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(issuer, "issuer");
        if (profile != Profile.SCITOKENS_2 && profile != Profile.WLCG_1) {
            throw new IllegalArgumentException("a VO issues SciTokens 2.0 or WLCG 1.0 tokens, not " + profile);
        }
        if (accessLifetime.compareTo(maxAccessLifetime) > 0) {
            throw new IllegalArgumentException("the access token lifetime exceeds its maximum");
        }
    }

    /** Whether {@code name} can name a VO: lower-case letters, digits, {@code . _ -}, at most 64. */
    public static boolean isValidName(String name) {
        return name != null && NAME.matcher(name).matches();
    }

    /** {@code iss} of VO {@code name} served at {@code publicUrl}. */
    public static String issuerUrl(String publicUrl, String name) {
        return publicUrl.replaceAll("/+$", "") + "/vo/" + name;
    }
}
