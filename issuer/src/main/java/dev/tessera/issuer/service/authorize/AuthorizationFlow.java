package dev.tessera.issuer.service.authorize;

import dev.tessera.issuer.domain.Account;
import dev.tessera.issuer.domain.AuthorizationCode;
import dev.tessera.issuer.domain.Client;
import dev.tessera.issuer.service.OAuthException;
import dev.tessera.issuer.service.Parameters;
import dev.tessera.issuer.service.Secrets;
import dev.tessera.issuer.service.VoContext;
import dev.tessera.issuer.service.VoContext.RegisteredClient;
import dev.tessera.issuer.service.policy.RequestedScope;
import dev.tessera.issuer.service.tokens.Audiences;
import dev.tessera.issuer.service.tokens.TokenStatus;
import dev.tessera.issuer.store.AuthorizationCodeStore;
import dev.tessera.token.scope.InvalidScopeException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The authorization code grant (RFC 6749 §4.1) with PKCE (RFC 7636, S256 only; required of public clients)
 * and OpenID Connect's {@code nonce}: validating a request, answering it at the client's redirect URI
 * (with RFC 9207's {@code iss}), and redeeming a code once at the token endpoint.
 *
 * <p>Nothing is stored until a person approves: the pages carry the request and validate it again at every
 * step, so an unfinished sign-in costs the issuer nothing.
 */
public final class AuthorizationFlow {
    /** Codes are redeemed at once by the client's back end; a minute is plenty (RFC 6749 §4.1.2: at most 10). */
    public static final Duration CODE_LIFETIME = Duration.ofMinutes(1);
    /** RFC 7636 §4.1: 43 to 128 unreserved characters. */
    private static final Pattern VERIFIER = Pattern.compile("[A-Za-z0-9._~-]{43,128}");
    private static final Pattern CHALLENGE = Pattern.compile("[A-Za-z0-9_-]{43}");
    private static final Set<String> PROMPTS = Set.of("none", "login", "consent", "select_account");

    private final AuthorizationCodeStore store;
    private final TokenStatus status;
    private final Clock clock;

    /**
     * A validated authorization request.
     *
     * @param redirectGiven whether the request named {@code redirectUri} (else it is the client's only one)
     * @param prompt        OpenID Connect's {@code prompt}, or {@code null}
     * @param maxAge        OpenID Connect's {@code max_age} in seconds, or {@code null}
     */
    public record Request(RegisteredClient client, String redirectUri, boolean redirectGiven, String scope,
                          List<String> audience, String state, String nonce, String codeChallenge, String prompt,
                          Long maxAge) {
        /** Whether a sign-in at {@code signedInAt} is recent enough for this request ({@code max_age}). */
        public boolean accepts(long signedInAt, long now) {
            return maxAge == null || now - signedInAt <= maxAge;
        }
    }

    /** A refusal the client must hear about at its redirect URI (RFC 6749 §4.1.2.1): where to send the browser. */
    public static final class Redirect extends Exception {
        private final String location;

        Redirect(String location, String error) {
            super(error, null, false, false);
            this.location = location;
        }

        public String location() {
            return location;
        }
    }

    public AuthorizationFlow(AuthorizationCodeStore store, TokenStatus status, Clock clock) {
        this.store = store;
        this.status = status;
        this.clock = clock;
    }

    /**
     * Validates an authorization request.
     *
     * @throws OAuthException when the client or redirect URI is unknown or wrong: the person must be told, and
     *                        the browser must not be sent anywhere (§4.1.2.1, §10.15: no open redirector)
     * @throws Redirect       for every other error, answered at the redirect URI
     */
    public Request validate(VoContext vo, Parameters params) throws OAuthException, Redirect {
        String clientId = params.require("client_id");
        RegisteredClient client = vo.client(clientId);
        if (client == null) {
            throw OAuthException.invalidRequest("there is no application " + clientId + " in VO " + vo.vo().name());
        }
        String given = params.get("redirect_uri");
        String redirectUri = given != null ? registered(client.client(), given) : onlyRedirectUri(client.client());
        String state = params.get("state");
        if (!"code".equals(params.get("response_type"))) {
            throw redirect(vo, redirectUri, state, "unsupported_response_type", "only response_type=code is supported");
        }
        if (!client.client().mayUse(Client.AUTHORIZATION_CODE)) {
            throw redirect(vo, redirectUri, state, "unauthorized_client", "this application may not use the authorization code grant");
        }
        String challenge = params.get("code_challenge");
        String method = params.get("code_challenge_method");
        if (challenge == null && client.client().isPublic()) {
            throw redirect(vo, redirectUri, state, "invalid_request", "a public client must use PKCE (code_challenge, S256)");
        }
        if (challenge != null && !"S256".equals(method)) {
            throw redirect(vo, redirectUri, state, "invalid_request", "code_challenge_method must be S256");
        }
        if (challenge != null && !CHALLENGE.matcher(challenge).matches()) {
            throw redirect(vo, redirectUri, state, "invalid_request", "code_challenge is not a base64url SHA-256");
        }
        if (params.has("request") || params.has("request_uri")) {
            throw redirect(vo, redirectUri, state, "request_not_supported", "request objects are not supported");
        }
        String prompt = params.get("prompt");
        if (prompt != null && !PROMPTS.containsAll(List.of(prompt.split(" ")))) {
            throw redirect(vo, redirectUri, state, "invalid_request", "unknown prompt " + prompt);
        }
        if (prompt != null && prompt.contains("none")) {
            // approvals are never remembered, so there is always a page to show
            throw redirect(vo, redirectUri, state, "consent_required", "this issuer always asks the person");
        }
        Long maxAge = null;
        if (params.has("max_age")) {
            try {
                maxAge = Long.parseLong(params.get("max_age"));
            } catch (NumberFormatException e) {
                maxAge = -1L;
            }
            if (maxAge < 0) {
                throw redirect(vo, redirectUri, state, "invalid_request", "max_age is a number of seconds");
            }
        }
        String scope = params.get("scope") == null ? "" : params.get("scope").strip();
        RequestedScope requested;
        try {
            requested = RequestedScope.parse(scope);
        } catch (InvalidScopeException e) {
            throw redirect(vo, redirectUri, state, "invalid_scope", e.getMessage());
        }
        List<String> audience;
        try {
            audience = Audiences.resolve(vo.vo(), client.client(), params.all("audience"), params.all("resource"),
                    requested.audiences());
        } catch (OAuthException e) {
            throw redirect(vo, redirectUri, state, e.error(), e.description());
        }
        return new Request(client, redirectUri, given != null, scope, audience, state, params.get("nonce"), challenge,
                prompt, maxAge);
    }

    /** Stores the approval and returns where to send the browser: the redirect URI with the code. */
    public String approve(VoContext vo, Request request, Account account, long signedInAt, String grantedScope) {
        String code = Secrets.newSecret();
        long now = clock.instant().getEpochSecond();
        store.insert(new AuthorizationCode(Secrets.hash(code), vo.vo().name(), request.client().client().clientId(),
                request.redirectUri(), request.redirectGiven(), account.username(), grantedScope,
                String.join(" ", request.audience()), request.nonce(), request.codeChallenge(), signedInAt, now,
                now + CODE_LIFETIME.toSeconds(), null, null, null));
        Map<String, String> answer = new LinkedHashMap<>();
        answer.put("code", code);
        answer.put("state", request.state());
        answer.put("iss", vo.vo().issuer());
        return location(request.redirectUri(), answer);
    }

    /** Where to send the browser when the person denied. */
    public String denied(VoContext vo, Request request) {
        return redirect(vo, request.redirectUri(), request.state(), "access_denied", "the request was denied").location();
    }

    /**
     * Redeems a code (RFC 6749 §4.1.3, RFC 7636 §4.6) for the client it was issued to. A code presented again
     * revokes what its first redemption gave.
     *
     * @throws OAuthException {@code invalid_grant} for an unknown, expired, used or mismatched code or verifier
     */
    public AuthorizationCode redeem(VoContext vo, RegisteredClient client, Parameters params) throws OAuthException {
        String hash = Secrets.hash(params.require("code"));
        AuthorizationCode code = store.find(hash)
                .filter(c -> c.vo().equals(vo.vo().name()) && c.clientId().equals(client.client().clientId()))
                .orElseThrow(() -> OAuthException.invalidGrant("unknown authorization code"));
        long now = clock.instant().getEpochSecond();
        if (code.redeemedAt() != null) {
            status.revokeIssued(vo, code.familyId(), code.accessJti(), now + vo.vo().maxAccessLifetime().toSeconds());
            throw OAuthException.invalidGrant("the authorization code was already used: the tokens it gave are revoked");
        }
        if (code.expiresAt() <= now) {
            throw OAuthException.invalidGrant("the authorization code has expired");
        }
        String redirectUri = params.get("redirect_uri");
        if (code.redirectGiven() && redirectUri == null) {
            throw OAuthException.invalidGrant("redirect_uri is required: the authorization request named one");
        }
        if (redirectUri != null && !redirectUri.equals(code.redirectUri())) {
            throw OAuthException.invalidGrant("redirect_uri differs from the authorization request's");
        }
        String verifier = params.get("code_verifier");
        if (code.codeChallenge() == null && verifier != null) {
            throw OAuthException.invalidGrant("code_verifier without a code_challenge in the authorization request");
        }
        if (code.codeChallenge() != null) {
            if (verifier == null) {
                throw OAuthException.invalidGrant("code_verifier is required (PKCE)");
            }
            if (!VERIFIER.matcher(verifier).matches() || !MessageDigest.isEqual(
                    s256(verifier).getBytes(StandardCharsets.US_ASCII), code.codeChallenge().getBytes(StandardCharsets.US_ASCII))) {
                throw OAuthException.invalidGrant("code_verifier does not match the code_challenge");
            }
        }
        if (!store.redeem(hash, now)) {
            throw OAuthException.invalidGrant("the authorization code was already used");
        }
        return code;
    }

    /** Records what a code's redemption gave, so that presenting it again revokes exactly that. */
    public void recordIssued(AuthorizationCode code, String familyId, String accessJti) {
        store.recordIssued(code.codeHash(), familyId, accessJti);
    }

    /** RFC 7636 §4.2: BASE64URL(SHA-256(ASCII(verifier))). */
    static String s256(String verifier) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The registered redirect URI a request names: exactly one of the client's, except that a loopback IP
     * literal's port may differ (RFC 8252 §7.3, RFC 9700 §4.1.3: native apps bind a free port).
     */
    private static String registered(Client client, String given) throws OAuthException {
        for (String uri : client.redirectUris()) {
            if (uri.equals(given) || sameButLoopbackPort(uri, given)) {
                return given;
            }
        }
        throw OAuthException.invalidRequest("redirect_uri " + given + " is not registered for this application");
    }

    private static String onlyRedirectUri(Client client) throws OAuthException {
        if (client.redirectUris().size() != 1) {
            throw OAuthException.invalidRequest("redirect_uri is required");
        }
        return client.redirectUris().get(0);
    }

    private static boolean sameButLoopbackPort(String registered, String given) {
        try {
            URI a = new URI(registered);
            URI b = new URI(given);
            return "http".equals(a.getScheme()) && "http".equals(b.getScheme()) && Set.of("127.0.0.1", "[::1]").contains(a.getHost())
                    && a.getHost().equals(b.getHost()) && b.getPort() > 0 && a.getRawUserInfo() == null
                    && b.getRawUserInfo() == null && java.util.Objects.equals(a.getRawPath(), b.getRawPath())
                    && java.util.Objects.equals(a.getRawQuery(), b.getRawQuery()) && b.getRawFragment() == null;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private static Redirect redirect(VoContext vo, String redirectUri, String state, String error, String description) {
        Map<String, String> answer = new LinkedHashMap<>();
        answer.put("error", error);
        answer.put("error_description", description);
        answer.put("state", state);
        answer.put("iss", vo.vo().issuer());
        return new Redirect(location(redirectUri, answer), error);
    }

    /** The redirect URI with {@code answer} added to its query (keeping any query it has, RFC 6749 §3.1.2). */
    private static String location(String redirectUri, Map<String, String> answer) {
        StringBuilder out = new StringBuilder(redirectUri);
        char separator = redirectUri.indexOf('?') >= 0 ? '&' : '?';
        for (Map.Entry<String, String> entry : answer.entrySet()) {
            if (entry.getValue() != null) {
                out.append(separator).append(entry.getKey()).append('=')
                        .append(URLEncoder.encode(entry.getValue(), StandardCharsets.UTF_8));
                separator = '&';
            }
        }
        return out.toString();
    }
}
