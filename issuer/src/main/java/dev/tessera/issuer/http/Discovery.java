package dev.tessera.issuer.http;

import dev.tessera.issuer.domain.Client;
import dev.tessera.issuer.domain.Vo;
import dev.tessera.issuer.service.VoContext;
import dev.tessera.issuer.service.clients.ClientAuthenticator;
import dev.tessera.issuer.service.policy.RequestedScope;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A VO's metadata (RFC 8414; the same document serves OpenID Connect discovery): its endpoints and
 * what they support. Only what this issuer really does is advertised.
 */
final class Discovery {
    /** The grant types the token endpoint serves. */
    static final List<String> GRANT_TYPES = List.of(Client.AUTHORIZATION_CODE, Client.CLIENT_CREDENTIALS,
            Client.TOKEN_EXCHANGE, Client.DEVICE_CODE, Client.REFRESH_TOKEN);

    private Discovery() {
    }

    static Map<String, Object> metadata(VoContext context) {
        Vo vo = context.vo();
        String iss = vo.issuer();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("issuer", iss);
        m.put("jwks_uri", iss + "/jwks");
        m.put("authorization_endpoint", iss + "/authorize");
        m.put("token_endpoint", iss + "/token");
        m.put("userinfo_endpoint", iss + "/userinfo");
        m.put("device_authorization_endpoint", iss + "/device_authorization");
        m.put("introspection_endpoint", iss + "/introspect");
        m.put("introspection_endpoint_auth_methods_supported",
                List.of("client_secret_basic", "client_secret_post", "private_key_jwt"));
        m.put("revocation_endpoint", iss + "/revoke");
        m.put("revocation_endpoint_auth_methods_supported", ClientAuthenticator.METHODS);
        if (context.registration() != null) {
            m.put("registration_endpoint", iss + "/register");
        }
        m.put("grant_types_supported", GRANT_TYPES);
        m.put("response_types_supported", List.of("code"));
        m.put("response_modes_supported", List.of("query"));
        m.put("code_challenge_methods_supported", List.of("S256"));
        m.put("authorization_response_iss_parameter_supported", true);
        m.put("subject_types_supported", List.of("public"));
        m.put("id_token_signing_alg_values_supported", List.of(vo.algorithm().name()));
        m.put("claims_supported", List.of("iss", "sub", "aud", "azp", "exp", "iat", "auth_time", "nonce", "at_hash",
                "preferred_username", "wlcg.groups"));
        m.put("request_parameter_supported", false);
        m.put("request_uri_parameter_supported", false);
        m.put("token_endpoint_auth_methods_supported", ClientAuthenticator.METHODS);
        m.put("token_endpoint_auth_signing_alg_values_supported", List.of("ES256", "RS256"));
        m.put("scopes_supported", RequestedScope.PROTOCOL.stream().sorted().toList());
        m.put("token_profile", vo.profile().displayName());
        return m;
    }
}
