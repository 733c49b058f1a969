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
import dev.tessera.token.scope.Scope;
import dev.tessera.token.scope.ScopeSet;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The token endpoint's decisions: who is asking, with which grant, and what they get. */
public final class TokenService {
    /** RFC 8693 token type identifiers. */
    public static final String ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";
    public static final String JWT_TYPE = "urn:ietf:params:oauth:token-type:jwt";

    private final AccessTokens tokens;
    private final Clock clock;

    public TokenService(AccessTokens tokens, Clock clock) {
        this.tokens = tokens;
        this.clock = clock;
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
            case Client.TOKEN_EXCHANGE -> exchange(vo, client, params);
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

    /**
     * RFC 8693 token exchange for attenuation and delegation: a token of this VO becomes a new one that
     * can only be narrower. Scope must be covered by the parent's (and the client's ceiling), audience within
     * the parent's (any, if the parent's was the wildcard), lifetime within the parent's remaining life;
     * asking for more is an error, never silently granted. {@code sub} stays the parent's; {@code act}
     * names the client that exchanged it.
     */
    private TokenResponse exchange(VoContext vo, RegisteredClient client, Parameters params) throws OAuthException {
        String subjectToken = params.require("subject_token");
        String subjectType = params.require("subject_token_type");
        if (!subjectType.equals(ACCESS_TOKEN_TYPE) && !subjectType.equals(JWT_TYPE)) {
            throw OAuthException.invalidRequest("subject_token_type must be " + ACCESS_TOKEN_TYPE + " or " + JWT_TYPE);
        }
        String requestedType = params.get("requested_token_type");
        if (requestedType != null && !requestedType.equals(ACCESS_TOKEN_TYPE) && !requestedType.equals(JWT_TYPE)) {
            throw OAuthException.invalidRequest("requested_token_type " + requestedType + " is not issued here");
        }
        if (params.has("actor_token")) {
            throw OAuthException.invalidRequest("actor_token is not supported: the authenticated client is the actor");
        }
        Instant now = clock.instant();
        OwnTokens.Parent parent = OwnTokens.verify(vo, subjectToken, now);
        RequestedScope requested = parseScope(params.get("scope"));
        ScopeSet ceiling = ScopeSet.of(client.scope().expand(Principal.robot(client.client().clientId()).templateValues()));
        ScopeSet scope;
        if (requested.capabilities() == null) {
            scope = parent.scope().intersect(ceiling);
        } else {
            ScopeSet asked = ScopeSet.of(requested.capabilities());
            ScopeSet.Narrowing fromParent = parent.scope().narrow(asked);
            if (!fromParent.refused().isEmpty()) {
                throw OAuthException.invalidScope("an exchange can only narrow: not within the subject token's scope: "
                        + words(fromParent.refused()));
            }
            ScopeSet.Narrowing fromClient = ceiling.narrow(asked);
            if (!fromClient.refused().isEmpty()) {
                throw OAuthException.invalidScope("not within client " + client.client().clientId() + "'s scope: "
                        + words(fromClient.refused()));
            }
            scope = asked;
        }
        List<String> audience = parent.audience();
        if (!params.all("audience").isEmpty() || !params.all("resource").isEmpty() || !requested.audiences().isEmpty()) {
            audience = Audiences.resolve(vo.vo(), client.client(), params.all("audience"), params.all("resource"),
                    requested.audiences());
            if (!Audiences.within(parent.audience(), audience)) {
                throw OAuthException.invalidTarget("an exchange can only narrow: the subject token is for "
                        + String.join(", ", parent.audience()));
            }
        }
        Principal who = new Principal(client.client().clientId(), null, parent.subject(), parent.groups());
        AccessTokens.Issued issued = tokens.issue(vo, who, scope, audience, parent.groups(), vo.vo().accessLifetime(),
                parent.expiresAt(), Map.of("act", Map.of("sub", client.client().clientId())));
        return new TokenResponse(issued.token(), issued.lifetime().toSeconds(), scope.toString(), null, null,
                ACCESS_TOKEN_TYPE);
    }

    private static String words(List<Scope> scopes) {
        return String.join(" ", scopes.stream().map(Scope::toString).toList());
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
