package dev.tessera.issuer.domain;

import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * An OAuth client of one VO.
 *
 * @param secretHash     the hash of its secret ({@code null} for a public or private_key_jwt client)
 * @param grants         the grant types it may use
 * @param scope          the most it may ever obtain: capabilities (templates allowed, as in policy) and
 *                       protocol scopes such as {@code openid} or {@code offline_access}
 * @param audiences      the audiences it may ask for; empty means any but the "any" wildcards
 * @param redirectUris   its redirect URIs, matched exactly
 * @param selfRegistered registered by itself (RFC 7591) rather than by an administrator
 * @param jwks           the public keys it signs client assertions with (private_key_jwt), or {@code null}
 * @param lifetimes      its token lifetimes, within the VO's
 */
public record Client(String vo, String clientId, String name, String secretHash, Set<String> grants,
                     String scope, List<String> audiences, List<String> redirectUris, boolean selfRegistered,
                     String jwks, Lifetimes lifetimes) {
    public static final String CLIENT_CREDENTIALS = "client_credentials";
    public static final String AUTHORIZATION_CODE = "authorization_code";
    public static final String REFRESH_TOKEN = "refresh_token";
    public static final String DEVICE_CODE = "urn:ietf:params:oauth:grant-type:device_code";
    public static final String TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
    /** Every grant type a client may be given. */
    public static final List<String> GRANT_TYPES = List.of(
            AUTHORIZATION_CODE, REFRESH_TOKEN, CLIENT_CREDENTIALS, DEVICE_CODE, TOKEN_EXCHANGE);

    /**
     * A client's own token lifetimes; each {@code null} means the VO's. They never exceed the VO's maxima.
     *
     * @param access     the default access token lifetime
     * @param maxAccess  the longest access token lifetime a request ({@code expires_in}) may get
     * @param refresh    the refresh token lifetime (renewed on each use)
     * @param idToken    the ID token lifetime
     * @param deviceCode how long its device authorizations wait for approval
     */
    public record Lifetimes(Duration access, Duration maxAccess, Duration refresh, Duration idToken, Duration deviceCode) {
        public static final Lifetimes OF_THE_VO = new Lifetimes(null, null, null, null, null);

        /** Access and refresh lifetimes; the VO's for the rest. */
        public Lifetimes(Duration access, Duration maxAccess, Duration refresh) {
            this(access, maxAccess, refresh, null, null);
        }
    }

    /** A client registered by an administrator, with a secret or none, and the VO's lifetimes. */
    public Client(String vo, String clientId, String name, String secretHash, Set<String> grants, String scope,
                  List<String> audiences, List<String> redirectUris) {
        this(vo, clientId, name, secretHash, grants, scope, audiences, redirectUris, false, null, Lifetimes.OF_THE_VO);
    }

    public Client {
        grants = Set.copyOf(grants);
        audiences = List.copyOf(audiences);
        redirectUris = List.copyOf(redirectUris);
        lifetimes = lifetimes == null ? Lifetimes.OF_THE_VO : lifetimes;
    }

    /** A client without credentials (a native app, a device): it names itself and must use PKCE. */
    public boolean isPublic() {
        return secretHash == null && jwks == null;
    }

    /** How it authenticates at the token endpoint, as RFC 7591 names it. */
    public String authMethod() {
        return jwks != null ? "private_key_jwt" : secretHash != null ? "client_secret_basic" : "none";
    }

    public boolean mayUse(String grantType) {
        return grants.contains(grantType);
    }
}
