package dev.tessera.issuer.service.tokens;

import dev.tessera.issuer.domain.Words;
import dev.tessera.issuer.domain.Account;
import dev.tessera.issuer.domain.AuthorizationCode;
import dev.tessera.issuer.domain.Client;
import dev.tessera.issuer.domain.DeviceGrant;
import dev.tessera.issuer.domain.RefreshGrant;
import dev.tessera.issuer.service.authorize.AuthorizationFlow;
import dev.tessera.issuer.service.device.DeviceFlow;
import dev.tessera.issuer.store.AccountStore;
import dev.tessera.token.Profile;
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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The token endpoint's decisions: who is asking, with which grant, and what they get. */
public final class TokenService {
    /** RFC 8693 token type identifiers. */
    public static final String ACCESS_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:access_token";
    public static final String JWT_TYPE = "urn:ietf:params:oauth:token-type:jwt";

    private final ClientAuthenticator clients;
    private final AccessTokens tokens;
    private final IdTokens idTokens;
    private final RefreshTokens refreshTokens;
    private final DeviceFlow deviceFlow;
    private final AuthorizationFlow authorizationFlow;
    private final AccountStore accounts;
    private final TokenStatus status;
    private final Clock clock;

    public TokenService(ClientAuthenticator clients, AccessTokens tokens, IdTokens idTokens, RefreshTokens refreshTokens,
                        DeviceFlow deviceFlow, AuthorizationFlow authorizationFlow, AccountStore accounts,
                        TokenStatus status, Clock clock) {
        this.clients = clients;
        this.tokens = tokens;
        this.idTokens = idTokens;
        this.refreshTokens = refreshTokens;
        this.deviceFlow = deviceFlow;
        this.authorizationFlow = authorizationFlow;
        this.accounts = accounts;
        this.status = status;
        this.clock = clock;
    }

    /** What a person's grant gave: the response, and what to revoke should the grant turn out to be stolen. */
    private record PersonTokens(TokenResponse response, String accessJti, String familyId) {
    }

    /**
     * Answers a token request.
     *
     * @param authorization the request's Authorization header, or {@code null}
     * @throws OAuthException the OAuth error to answer with
     */
    public TokenResponse handle(VoContext vo, String authorization, Parameters params) throws OAuthException {
        RegisteredClient client = clients.authenticate(vo, authorization, params);
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
            case Client.AUTHORIZATION_CODE -> authorizationCode(vo, client, params);
            case Client.DEVICE_CODE -> deviceCode(vo, client, params);
            case Client.REFRESH_TOKEN -> refresh(vo, client, params);
            default -> throw new OAuthException("unsupported_grant_type", grantType + " is not enabled on this issuer", 400);
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
                Lifetimes.access(vo.vo(), client.client(), params));
        return TokenResponse.of(issued, decision.granted().toString());
    }

    /** RFC 6749 §4.1.3: the tokens for what the person approved, as policy still allows; the ID token names the sign-in. */
    private TokenResponse authorizationCode(VoContext vo, RegisteredClient client, Parameters params) throws OAuthException {
        AuthorizationCode code = authorizationFlow.redeem(vo, client, params);
        Principal who = person(vo, client, code.username());
        RequestedScope approved = parseScope(code.scope());
        PersonTokens issued = forPerson(vo, client, who, approved,
                approved.capabilities() == null ? List.of() : approved.capabilities(), Words.split(code.audience()),
                Lifetimes.access(vo.vo(), client.client(), params), null, new IdTokens.SignIn(code.nonce(), code.authTime()));
        authorizationFlow.recordIssued(code, issued.familyId(), issued.accessJti());
        return issued.response();
    }

    /** RFC 8628 §3.4: the device's tokens once the person approved (what they approved, as policy still allows). */
    private TokenResponse deviceCode(VoContext vo, RegisteredClient client, Parameters params) throws OAuthException {
        DeviceGrant grant = deviceFlow.redeem(vo, client, params.require("device_code"));
        Principal who = person(vo, client, grant.username());
        RequestedScope approved = parseScope(grant.grantedScope());
        List<String> audience = Words.split(grant.audience());
        if (!params.all("audience").isEmpty() || !params.all("resource").isEmpty()) {
            // oidc-agent names the audience when it polls, not when it starts (its --aud)
            audience = Audiences.resolve(vo.vo(), client.client(), params.all("audience"), params.all("resource"), List.of());
        }
        return forPerson(vo, client, who, approved, approved.capabilities() == null ? List.of() : approved.capabilities(),
                audience, Lifetimes.access(vo.vo(), client.client(), params), null, IdTokens.SignIn.UNKNOWN).response();
    }

    /**
     * RFC 6749 §6: a fresh access token from a refresh token, which is rotated. The request may narrow scope
     * and audience, never widen them: the scope granted is what the request asks for within what the grant
     * holds (clients such as oidc-agent keep asking for their configured scope even when they were granted
     * less), refused only when nothing of it is held; a wider audience is refused. Policy is asked again, so a
     * person who left a group loses what it gave. A refused request leaves the refresh token usable.
     */
    private TokenResponse refresh(VoContext vo, RegisteredClient client, Parameters params) throws OAuthException {
        RefreshGrant grant = refreshTokens.check(vo, client.client().clientId(), params.require("refresh_token"));
        RequestedScope held = parseScope(grant.scope());
        RequestedScope requested = parseScope(params.get("scope"));
        List<Scope> capabilities = held.capabilities() == null ? List.of() : held.capabilities();
        if (requested.capabilities() != null) {
            ScopeSet within = ScopeSet.of(capabilities).intersect(ScopeSet.of(requested.capabilities()));
            if (within.isEmpty()) {
                throw OAuthException.invalidScope("a refresh can only narrow: none of the requested scopes was granted "
                        + "to this grant (" + (capabilities.isEmpty() ? "none" : words(capabilities)) + ")");
            }
            capabilities = within.asList();
        }
        List<String> heldAudience = Words.split(grant.audience());
        List<String> audience = heldAudience;
        if (!params.all("audience").isEmpty() || !params.all("resource").isEmpty() || !requested.audiences().isEmpty()) {
            audience = Audiences.resolve(vo.vo(), client.client(), params.all("audience"), params.all("resource"),
                    requested.audiences());
            if (!Audiences.within(heldAudience, audience)) {
                throw OAuthException.invalidTarget("a refresh can only narrow the audience: this grant is for "
                        + String.join(", ", heldAudience));
            }
        }
        Principal who = grant.username() == null ? Principal.robot(client.client().clientId())
                : person(vo, client, grant.username());
        RequestedScope asked = new RequestedScope(capabilities, held.protocol(), List.of(),
                requested.groups().isEmpty() ? held.groups() : requested.groups());
        return forPerson(vo, client, who, asked, capabilities, audience, Lifetimes.access(vo.vo(), client.client(), params),
                new RefreshTokens.Continuation(grant, grant.familyId(), grant.scope(), heldAudience), IdTokens.SignIn.UNKNOWN)
                .response();
    }

    /**
     * Tokens for a person using a client: policy decides the capabilities; protocol scopes need the client's
     * leave; {@code offline_access} (and the refresh_token grant) gives a refresh token, {@code openid} an ID
     * token (for a person, not a robot refreshing its own grant).
     *
     * @param continued the refresh grant this continues, or {@code null} for a new grant
     */
    private PersonTokens forPerson(VoContext vo, RegisteredClient client, Principal who, RequestedScope requested,
                                   List<Scope> capabilities, List<String> audience, Duration lifetime,
                                   RefreshTokens.Continuation continued, IdTokens.SignIn signIn) throws OAuthException {
        Policy.Decision decision = vo.policy().decide(who, client.scope(), capabilities);
        if (!capabilities.isEmpty() && decision.granted().isEmpty()) {
            throw OAuthException.invalidScope("none of the requested scopes can be granted: " + reasons(decision));
        }
        Set<String> clientScopes = Set.copyOf(Words.split(client.client().scope()));
        Set<String> protocol = new LinkedHashSet<>();
        for (String scope : requested.protocol()) {
            if (clientScopes.contains(scope)) {
                protocol.add(scope);
            }
        }
        boolean offline = protocol.contains("offline_access") && client.client().mayUse(Client.REFRESH_TOKEN);
        if (!offline) {
            protocol.remove("offline_access");
        }
        List<String> groups = groups(vo, who, requested, protocol);
        if (continued != null) {
            refreshTokens.consume(vo, continued.presented()); // every check passed: now the old token is spent
        }
        AccessTokens.Issued issued = tokens.issue(vo, who, decision.granted(), audience, groups, lifetime);
        List<String> granted = new ArrayList<>(Words.split(decision.granted().toString()));
        granted.addAll(protocol);
        String grantedScope = String.join(" ", granted);
        String refreshToken = null;
        String familyId = null;
        if (offline) {
            familyId = continued == null ? RefreshTokens.newFamily() : continued.familyId();
            Duration refreshLifetime = Lifetimes.refresh(vo.vo(), client.client());
            refreshToken = continued == null ? refreshTokens.issue(vo, who, grantedScope, audience, familyId, refreshLifetime)
                    : refreshTokens.issue(vo, who, continued.scope(), continued.audience(), familyId, refreshLifetime);
        }
        String idToken = null;
        if (protocol.contains("openid") && who.username() != null) {
            Account account = accounts.find(vo.vo().name(), who.username()).map(AccountStore.Stored::account).orElse(null);
            idToken = idTokens.issue(vo, client, who, account, signIn, issued.token(), groups, protocol);
        }
        return new PersonTokens(new TokenResponse(issued.token(), issued.lifetime().toSeconds(), grantedScope, refreshToken,
                idToken, null), issued.jti(), familyId);
    }

    /**
     * WLCG's {@code wlcg.groups}: the groups asked for with {@code wlcg.groups:/g}, in that order, that the person
     * is in; all their groups after those when plain {@code wlcg.groups} is granted.
     */
    private static List<String> groups(VoContext vo, Principal who, RequestedScope requested, Set<String> protocol) {
        if (vo.vo().profile() != Profile.WLCG_1) {
            return List.of();
        }
        Set<String> out = new LinkedHashSet<>();
        for (String group : requested.groups()) {
            if (who.groups().contains(group)) {
                out.add(group);
            }
        }
        if (protocol.contains("wlcg.groups")) {
            out.addAll(who.groups());
        }
        return List.copyOf(out);
    }

    private Principal person(VoContext vo, RegisteredClient client, String username) throws OAuthException {
        Account account = accounts.find(vo.vo().name(), username).map(AccountStore.Stored::account)
                .orElseThrow(() -> OAuthException.invalidGrant("the account " + username + " no longer exists"));
        return new Principal(client.client().clientId(), account.username(), account.subject(), account.groups());
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
        if (status.isRevoked(parent.jti())) {
            throw OAuthException.invalidRequest("subject_token has been revoked");
        }
        RequestedScope requested = parseScope(params.get("scope"));
        // the client's ceiling as it applies to the token's owner: write:/home/{username} is the person's home
        Principal owner = parent.subject() == null ? Principal.robot(client.client().clientId())
                : accounts.findBySubject(vo.vo().name(), parent.subject())
                        .map(a -> new Principal(client.client().clientId(), a.username(), a.subject(), a.groups()))
                        .orElse(Principal.robot(client.client().clientId()));
        ScopeSet ceiling = ScopeSet.of(client.scope().expand(owner.templateValues()));
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
        AccessTokens.Issued issued = tokens.issue(vo, who, scope, audience, parent.groups(),
                Lifetimes.access(vo.vo(), client.client(), params),
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
