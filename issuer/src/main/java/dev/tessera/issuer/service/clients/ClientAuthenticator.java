package dev.tessera.issuer.service.clients;

import dev.tessera.issuer.service.OAuthException;
import dev.tessera.issuer.service.Parameters;
import dev.tessera.issuer.service.Secrets;
import dev.tessera.issuer.service.VoContext;
import dev.tessera.issuer.service.VoContext.RegisteredClient;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * Who is calling the token endpoint (RFC 6749 §2.3): {@code client_secret_basic} (the Authorization
 * header), {@code client_secret_post} (form parameters), {@code private_key_jwt} (a signed assertion,
 * {@link ClientAssertions}), or a public client naming itself with {@code client_id}. A request using two
 * methods at once is refused, as §2.3 requires; a client registered for one method cannot use another.
 */
public final class ClientAuthenticator {
    /** The methods, as discovery's {@code token_endpoint_auth_methods_supported} names them. */
    public static final List<String> METHODS = List.of("client_secret_basic", "client_secret_post", "private_key_jwt",
            "none");

    private final ClientAssertions assertions;

    public ClientAuthenticator(ClientAssertions assertions) {
        this.assertions = assertions;
    }

    /**
     * The authenticated client.
     *
     * @param authorization the Authorization header, or {@code null}
     * @throws OAuthException {@code invalid_client} (unknown client, wrong secret, secret missing) or
     *                        {@code invalid_request} (two methods, malformed header)
     */
    public RegisteredClient authenticate(VoContext vo, String authorization, Parameters params)
            throws OAuthException {
        if (params.has("client_assertion") || params.has("client_assertion_type")) {
            return byAssertion(vo, authorization, params);
        }
        String clientId;
        String secret;
        if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            if (params.has("client_secret")) {
                throw OAuthException.invalidRequest("the client authenticated both with the Authorization header and client_secret");
            }
            String[] idAndSecret = basic(authorization.substring(6).strip());
            clientId = idAndSecret[0];
            secret = idAndSecret[1].isEmpty() ? null : idAndSecret[1]; // a public client may send "id:"
            if (params.has("client_id") && !params.get("client_id").equals(clientId)) {
                throw OAuthException.invalidRequest("client_id differs from the client in the Authorization header");
            }
        } else {
            clientId = params.get("client_id");
            secret = params.get("client_secret");
            if (clientId == null) {
                throw OAuthException.invalidClient("no client authentication (use HTTP Basic, client_secret_post, or client_id for a public client)");
            }
        }
        RegisteredClient client = vo.client(clientId);
        if (client == null) {
            throw OAuthException.invalidClient("unknown client");
        }
        if (client.keys() != null) {
            throw OAuthException.invalidClient("client " + clientId + " must authenticate with private_key_jwt");
        }
        if (client.client().isPublic()) {
            if (secret != null) {
                throw OAuthException.invalidClient("client " + clientId + " is public and has no secret");
            }
            return client;
        }
        if (secret == null) {
            throw OAuthException.invalidClient("client " + clientId + " must authenticate with its secret");
        }
        if (!Secrets.matches(secret, client.client().secretHash())) {
            throw OAuthException.invalidClient("client authentication failed");
        }
        return client;
    }

    /** RFC 7521 §4.2 with RFC 7523's assertion type: the only credential in the request. */
    private RegisteredClient byAssertion(VoContext vo, String authorization, Parameters params) throws OAuthException {
        if (authorization != null && authorization.regionMatches(true, 0, "Basic ", 0, 6) || params.has("client_secret")) {
            throw OAuthException.invalidRequest("the client authenticated both with a client assertion and a secret");
        }
        if (!ClientAssertions.JWT_BEARER.equals(params.get("client_assertion_type"))) {
            throw OAuthException.invalidClient("client_assertion_type must be " + ClientAssertions.JWT_BEARER);
        }
        return assertions.authenticate(vo, params.require("client_assertion"), params.get("client_id"));
    }

    /** RFC 6749 §2.3.1: Basic credentials whose id and secret are each form-urlencoded first. */
    private static String[] basic(String encoded) throws OAuthException {
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw OAuthException.invalidRequest("malformed Basic credentials: not base64");
        }
        int colon = decoded.indexOf(':');
        if (colon <= 0) {
            throw OAuthException.invalidRequest("malformed Basic credentials: no client id and secret");
        }
        try {
            return new String[] {
                URLDecoder.decode(decoded.substring(0, colon), StandardCharsets.UTF_8),
                URLDecoder.decode(decoded.substring(colon + 1), StandardCharsets.UTF_8)};
        } catch (IllegalArgumentException e) {
            throw OAuthException.invalidRequest("malformed Basic credentials: bad percent-encoding");
        }
    }

}
