package dev.tessera.issuer.domain;

import java.util.List;
import java.util.Set;

/**
 * An OAuth client of one VO.
 *
 * @param secretHash   the hash of its secret ({@code null} for a public client)
 * @param grants       the grant types it may use
 * @param scope        the most it may ever obtain: capabilities (templates allowed, as in policy) and
 *                     protocol scopes such as {@code openid} or {@code offline_access}
 * @param audiences    the audiences it may ask for; empty means any but the "any" wildcards
 * @param redirectUris its redirect URIs, matched exactly
 * @param selfRegistered registered by itself (RFC 7591) rather than by an administrator
 */
public record Client(String vo, String clientId, String name, String secretHash, Set<String> grants,
                     String scope, List<String> audiences, List<String> redirectUris, boolean selfRegistered) {
    public static final String CLIENT_CREDENTIALS = "client_credentials";
    public static final String AUTHORIZATION_CODE = "authorization_code";
    public static final String REFRESH_TOKEN = "refresh_token";
    public static final String DEVICE_CODE = "urn:ietf:params:oauth:grant-type:device_code";
    public static final String TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange";
    /** Every grant type a client may be given. */
    public static final List<String> GRANT_TYPES = List.of(
            AUTHORIZATION_CODE, REFRESH_TOKEN, CLIENT_CREDENTIALS, DEVICE_CODE, TOKEN_EXCHANGE);

    /** A client registered by an administrator. */
    public Client(String vo, String clientId, String name, String secretHash, Set<String> grants, String scope,
                  List<String> audiences, List<String> redirectUris) {
        this(vo, clientId, name, secretHash, grants, scope, audiences, redirectUris, false);
    }

    public Client {
        grants = Set.copyOf(grants);
        audiences = List.copyOf(audiences);
        redirectUris = List.copyOf(redirectUris);
    }

    public boolean isPublic() {
        return secretHash == null;
    }

    public boolean mayUse(String grantType) {
        return grants.contains(grantType);
    }
}
