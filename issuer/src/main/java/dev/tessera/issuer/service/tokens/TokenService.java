package dev.tessera.issuer.service.tokens;

import dev.tessera.issuer.domain.Client;
import dev.tessera.issuer.service.OAuthException;
import dev.tessera.issuer.service.Parameters;
import dev.tessera.issuer.service.VoContext;
import dev.tessera.issuer.service.VoContext.RegisteredClient;
import dev.tessera.issuer.service.clients.ClientAuthenticator;
import dev.tessera.issuer.service.policy.Policy;
import dev.tessera.issuer.service.policy.Principal;
import dev.tessera.issuer.service.policy.RequestedScope;
import dev.tessera.token.scope.InvalidScopeException;
import java.util.List;

/** The token endpoint's decisions: who is asking, with which grant, and what they get. */
public final class TokenService {
    private final AccessTokens tokens;

    public TokenService(AccessTokens tokens) {
        this.tokens = tokens;
    }

    /**
     * Answers a token request.
     *
     * @param authorization the request's Authorization header, or {@code null}
     * @throws OAuthException the OAuth error to answer with
     */
    public TokenResponse handle(VoContext vo, String authorization, Parameters params) throws OAuthException {
        RegisteredClient client = ClientAuthenticator.authenticate(vo, authorization, params);
        String grantType = params.require("grant_type");
        if (!Client.GRANT_TYPES.contains(grantType)) {
            throw new OAuthException("unsupported_grant_type", "unknown grant type " + grantType, 400);
        }
        if (!client.client().mayUse(grantType)) {
            throw OAuthException.unauthorizedClient("client " + client.client().clientId() + " may not use " + grantType);
        }
        return switch (grantType) {
            case Client.CLIENT_CREDENTIALS -> clientCredentials(vo, client, params);
            default -> throw new OAuthException("unsupported_grant_type", grantType + " is not enabled on this issuer yet",
                    400);
        };
    }

    /** RFC 6749 §4.4: a robot's token, with the client's own scope as the ceiling. */
    private TokenResponse clientCredentials(VoContext vo, RegisteredClient client, Parameters params) throws OAuthException {
        RequestedScope requested = parseScope(params.get("scope"));
        Principal robot = Principal.robot(client.client().clientId());
        Policy.Decision decision = vo.policy().decide(robot, client.scope(), requested.capabilities());
        if (requested.capabilities() != null && decision.granted().isEmpty()) {
            throw OAuthException.invalidScope("none of the requested scopes can be granted: " + reasons(decision));
        }
        List<String> audience = Audiences.resolve(vo.vo(), client.client(), params.all("audience"), params.all("resource"),
                requested.audiences());
        AccessTokens.Issued issued = tokens.issue(vo, robot, decision.granted(), audience, List.of(),
                vo.vo().accessLifetime());
        return TokenResponse.of(issued, decision.granted().toString());
    }

    private static RequestedScope parseScope(String scope) throws OAuthException {
        try {
            return RequestedScope.parse(scope);
        } catch (InvalidScopeException e) {
            throw OAuthException.invalidScope(e.getMessage());
        }
    }

    private static String reasons(Policy.Decision decision) {
        return String.join("; ", decision.refused().stream().map(v -> v.scope() + ": " + v.reason()).toList());
    }
}
