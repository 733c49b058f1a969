package dev.tessera.issuer.service.tokens;

import dev.tessera.issuer.domain.Account;
import dev.tessera.issuer.service.OAuthException;
import dev.tessera.issuer.service.VoContext;
import dev.tessera.issuer.service.VoContext.RegisteredClient;
import dev.tessera.issuer.service.policy.Principal;
import dev.tessera.token.Profile;
import dev.tessera.token.jws.JwsSigner;
import dev.tessera.token.keys.SigningKey;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * OpenID Connect ID tokens (Core §2, §3.1.3.6): who signed in, for the client ({@code aud}), signed with the
 * VO's active key like its access tokens. Identity claims follow the granted scopes: {@code profile} gives
 * {@code preferred_username}; in a WLCG VO, selected groups appear in {@code wlcg.groups} as in the access token.
 */
public final class IdTokens {
    private final Clock clock;

    /**
     * The sign-in an ID token describes.
     *
     * @param nonce    the authorization request's {@code nonce}, or {@code null}
     * @param authTime when the person signed in (epoch seconds), or {@code null} when not known to this grant
     */
    public record SignIn(String nonce, Long authTime) {
        public static final SignIn UNKNOWN = new SignIn(null, null);
    }

    public IdTokens(Clock clock) {
        this.clock = clock;
    }

    /**
     * The user claims that the granted protocol scopes release (ID token and userinfo alike): {@code profile}
     * gives the username and the account's identity claims.
     */
    public static Map<String, Object> userClaims(VoContext vo, String subject, Account account, List<String> groups,
                                                 Set<String> protocol) {
        Map<String, Object> claims = new LinkedHashMap<>();
        if (protocol.contains("profile") && account != null) {
            claims.putAll(account.claims());
            claims.put("preferred_username", account.username());
        }
        claims.put("sub", subject);
        if (vo.vo().profile() == Profile.WLCG_1 && !groups.isEmpty()) {
            claims.put("wlcg.groups", groups);
        }
        return claims;
    }

    /**
     * Signs an ID token for {@code who}, issued with {@code accessToken} to {@code who.clientId()}.
     *
     * @throws OAuthException {@code server_error} when the VO has no signing key
     */
    public String issue(VoContext vo, RegisteredClient client, Principal who, Account account, SignIn signIn,
                        String accessToken, List<String> groups, Set<String> protocol) throws OAuthException {
        Instant now = Instant.ofEpochSecond(clock.instant().getEpochSecond());
        SigningKey key = vo.keys().active(now).orElseThrow(() -> new OAuthException("server_error",
                "VO " + vo.vo().name() + " has no signing key", 500));
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", vo.vo().issuer());
        claims.putAll(userClaims(vo, who.subject(), account, groups, protocol));
        claims.put("aud", who.clientId());
        claims.put("azp", who.clientId());
        claims.put("iat", now.getEpochSecond());
        claims.put("exp", now.plus(Lifetimes.idToken(vo.vo(), client.client())).getEpochSecond());
        if (signIn.authTime() != null) {
            claims.put("auth_time", signIn.authTime());
        }
        if (signIn.nonce() != null) {
            claims.put("nonce", signIn.nonce());
        }
        claims.put("at_hash", leftHalfHash(accessToken));
        return JwsSigner.sign(key, Map.of("typ", "JWT"), claims);
    }

    /** Core §3.1.3.6: base64url of the left half of SHA-256 (the hash of ES256 and RS256) of the token's ASCII. */
    static String leftHalfHash(String token) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(digest, digest.length / 2));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
