package dev.tessera.issuer.http;

import static dev.tessera.issuer.testing.PageSession.csrf;
import static dev.tessera.issuer.testing.PageSession.field;
import static dev.tessera.issuer.testing.PageSession.form;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.AuthorizationResponse;
import com.nimbusds.oauth2.sdk.AuthorizationSuccessResponse;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.Issuer;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.openid.connect.sdk.AuthenticationRequest;
import com.nimbusds.openid.connect.sdk.Nonce;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponse;
import com.nimbusds.openid.connect.sdk.OIDCTokenResponseParser;
import com.nimbusds.openid.connect.sdk.claims.AccessTokenHash;
import com.nimbusds.openid.connect.sdk.claims.IDTokenClaimsSet;
import com.nimbusds.openid.connect.sdk.op.OIDCProviderMetadata;
import com.nimbusds.openid.connect.sdk.validators.AccessTokenValidator;
import com.nimbusds.openid.connect.sdk.validators.IDTokenValidator;
import dev.tessera.issuer.domain.Client;
import dev.tessera.issuer.domain.PolicyRule;
import dev.tessera.issuer.service.Administration;
import dev.tessera.issuer.testing.PageSession;
import dev.tessera.issuer.testing.RunningIssuer;
import dev.tessera.token.VerifiedToken;
import dev.tessera.token.jws.Json;
import dev.tessera.token.testing.MutableClock;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The authorization code grant with PKCE and OpenID Connect, end to end: the Nimbus SDK plays the
 * application (request, response parsing, token request, ID token validation), a cookie-keeping client plays
 * the person's browser on the sign-in and consent pages.
 */
class AuthorizationCodeTest {
    static final String PASSWORD = "correct horse battery staple";
    static final URI CALLBACK = URI.create("https://app.example.org/callback");
    static final URI LOOPBACK = URI.create("http://127.0.0.1/cb");
    @TempDir
    static Path dir;
    static MutableClock clock = MutableClock.now();
    static RunningIssuer issuer;
    static Administration.NewClient webApp;
    static Administration.NewClient nativeApp;

    @BeforeAll
    static void start() throws Exception {
        issuer = RunningIssuer.start(RunningIssuer.config(dir, null), clock);
        String scope = "read:/ligo write:/home/{username} openid offline_access profile";
        webApp = issuer.admin().addClient("default", "Data portal", Set.of(Client.AUTHORIZATION_CODE, Client.REFRESH_TOKEN),
                scope, List.of(), List.of(CALLBACK.toString()), false);
        nativeApp = issuer.admin().addClient("default", "Desktop app", Set.of(Client.AUTHORIZATION_CODE), scope, List.of(),
                List.of(LOOPBACK.toString(), "http://localhost/cb"), true);
        issuer.admin().addUser("default", "alice", PASSWORD.toCharArray(), List.of("/ligo"), Map.of("uidNumber", 5001,
                "isMemberOf", List.of(Map.of("name", "ligo", "id", 7)))); // identity claims as in the LSST design
        issuer.admin().addRule("default", PolicyRule.Kind.GROUP, "/ligo", "read:/ligo write:/home/{username}",
                PolicyRule.Effect.GRANT);
        issuer.server().refresh();
    }

    @AfterAll
    static void stop() {
        issuer.close();
    }

    static URI endpoint(String path) {
        return URI.create(issuer.server().url() + "/vo/default" + path);
    }

    static AuthenticationRequest.Builder request(Administration.NewClient client, URI redirect, String scope) {
        return new AuthenticationRequest.Builder(ResponseType.CODE, Scope.parse(scope),
                new ClientID(client.client().clientId()), redirect).endpointURI(endpoint("/authorize"))
                .state(new State()).nonce(new Nonce());
    }

    /** Follows the browser through sign-in to the consent page of an authorization request. */
    static HttpResponse<String> consentPage(PageSession browser, URI authorize) throws Exception {
        HttpResponse<String> signIn = browser.get(authorize.toString());
        assertThat(signIn.statusCode()).as(signIn.body()).isEqualTo(200);
        assertThat(signIn.body()).contains("/vo/default/authorize/signin", "autocomplete=\"current-password\"");
        HttpResponse<String> consent = browser.post(endpoint("/authorize/signin").toString(), form("csrf", csrf(signIn.body()),
                "request", field(signIn.body(), "request"), "username", "alice", "password", PASSWORD));
        assertThat(consent.statusCode()).as(consent.body()).isEqualTo(200);
        return consent;
    }

    /** Approves everything offered on a consent page (or denies); the browser's next stop. */
    static URI decide(PageSession browser, HttpResponse<String> consent, boolean approve, String... untick) throws Exception {
        Map<String, String> answer = form("csrf", csrf(consent.body()), "request", field(consent.body(), "request"),
                "decision", approve ? "approve" : "deny");
        java.util.regex.Matcher box = java.util.regex.Pattern.compile("name=\"(s\\d+)\" value=\"([^\"]+)\" checked")
                .matcher(consent.body());
        while (box.find()) {
            if (!List.of(untick).contains(box.group(2))) {
                answer.put(box.group(1), box.group(2));
            }
        }
        HttpResponse<String> back = browser.post(endpoint("/authorize/decide").toString(), answer);
        assertThat(back.statusCode()).as(back.body()).isEqualTo(303);
        return URI.create(back.headers().firstValue("Location").orElseThrow());
    }

    static TokenResponse redeem(Administration.NewClient client, AuthorizationCode code, URI redirect, CodeVerifier verifier)
            throws Exception {
        var grant = new AuthorizationCodeGrant(code, redirect, verifier);
        TokenRequest request = client.secret() == null
                ? new TokenRequest(endpoint("/token"), new ClientID(client.client().clientId()), grant)
                : new TokenRequest(endpoint("/token"), new ClientSecretBasic(new ClientID(client.client().clientId()),
                new Secret(client.secret())), grant, null);
        HTTPRequest http = request.toHTTPRequest();
        http.setSSLSocketFactory(issuer.ssl().getSocketFactory());
        return OIDCTokenResponseParser.parse(http.send());
    }

    static Map<String, String> query(URI uri) {
        Map<String, String> out = new java.util.HashMap<>();
        for (String pair : uri.getRawQuery().split("&")) {
            String[] kv = pair.split("=", 2);
            out.put(kv[0], java.net.URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
        }
        return out;
    }

    @Test
    void aWebAppWithPkceGetsTokensAndAnIdTokenTheSdkValidates() throws Exception {
        OIDCProviderMetadata metadata = OIDCProviderMetadata.parse(issuer.get(issuer.iss("default")
                + "/.well-known/openid-configuration").body());
        assertThat(metadata.getAuthorizationEndpointURI()).isEqualTo(endpoint("/authorize"));
        assertThat(metadata.getCodeChallengeMethods()).containsExactly(CodeChallengeMethod.S256);

        CodeVerifier verifier = new CodeVerifier();
        AuthenticationRequest request = request(webApp, CALLBACK, "openid profile offline_access read:/ligo/O3 write:/home/alice")
                .codeChallenge(verifier, CodeChallengeMethod.S256).customParameter("audience", "https://data.example.org")
                .build();
        PageSession browser = new PageSession(issuer);
        HttpResponse<String> consent = consentPage(browser, request.toURI());
        assertThat(consent.body()).contains("Data portal", "read:/ligo/O3", "write:/home/alice", "app.example.org",
                "https://data.example.org");
        // the consent form ends in a redirect to the application: the page's policy must allow its origin
        assertThat(consent.headers().firstValue("Content-Security-Policy").orElseThrow())
                .contains("form-action 'self' https://app.example.org;");

        URI back = decide(browser, consent, true);
        AuthorizationResponse response = AuthorizationResponse.parse(back);
        assertThat(response.indicatesSuccess()).as(back.toString()).isTrue();
        assertThat(response.getState()).isEqualTo(request.getState());
        assertThat(response.getIssuer()).isEqualTo(new Issuer(issuer.iss("default"))); // RFC 9207
        AuthorizationCode code = ((AuthorizationSuccessResponse) response).getAuthorizationCode();

        TokenResponse tokens = redeem(webApp, code, CALLBACK, verifier);
        assertThat(tokens.indicatesSuccess()).as("%s", tokens.toHTTPResponse().getBody()).isTrue();
        OIDCTokenResponse oidc = (OIDCTokenResponse) tokens;
        assertThat(oidc.getOIDCTokens().getRefreshToken()).isNotNull();
        String accessToken = oidc.getOIDCTokens().getAccessToken().getValue();
        VerifiedToken access = issuer.verifier("default", "https://data.example.org").verify(accessToken);
        assertThat(access.claims().get("scope")).isEqualTo("read:/ligo/O3 write:/home/alice");

        JWKSet keys = JWKSet.parse(issuer.get(issuer.iss("default") + "/jwks").body());
        IDTokenValidator validator = new IDTokenValidator(new Issuer(issuer.iss("default")),
                new ClientID(webApp.client().clientId()), JWSAlgorithm.ES256, keys);
        validator.setMaxClockSkew(5);
        IDTokenClaimsSet id = validator.validate(JWTParser.parse(oidc.getOIDCTokens().getIDTokenString()), request.getNonce());
        assertThat(id.getSubject().getValue()).isEqualTo(access.claims().get("sub"));
        assertThat(id.getStringClaim("preferred_username")).isEqualTo("alice");
        assertThat(((Number) id.getClaim("uidNumber")).longValue()).isEqualTo(5001L);
        assertThat(id.toJSONObject().get("isMemberOf").toString()).contains("ligo");
        assertThat(id.getAuthenticationTime()).isNotNull();
        assertThat(id.getExpirationTime().getTime() - id.getIssueTime().getTime()).as("the VO's ID token lifetime")
                .isEqualTo(600_000L);
        AccessTokenValidator.validate(oidc.getOIDCTokens().getAccessToken(), JWSAlgorithm.ES256, id.getAccessTokenHash());

        HttpResponse<String> userinfo = issuer.send(HttpRequest.newBuilder(endpoint("/userinfo"))
                .header("Authorization", "Bearer " + accessToken));
        assertThat(userinfo.statusCode()).as(userinfo.body()).isEqualTo(200);
        assertThat(Json.parseObject(userinfo.body())).containsEntry("sub", id.getSubject().getValue())
                .containsEntry("preferred_username", "alice").containsKey("uidNumber");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> issuer.admin().setUserClaims("default", "alice",
                Map.of("sub", "someone-else"))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sub");
    }

    @Test
    void whatThePersonUntickedIsNotGranted() throws Exception {
        CodeVerifier verifier = new CodeVerifier();
        AuthenticationRequest request = request(webApp, CALLBACK, "openid read:/ligo write:/home/alice")
                .codeChallenge(verifier, CodeChallengeMethod.S256).build();
        PageSession browser = new PageSession(issuer);
        URI back = decide(browser, consentPage(browser, request.toURI()), true, "write:/home/alice");
        AuthorizationCode code = ((AuthorizationSuccessResponse) AuthorizationResponse.parse(back)).getAuthorizationCode();
        TokenResponse tokens = redeem(webApp, code, CALLBACK, verifier);
        assertThat(tokens.toSuccessResponse().getTokens().getAccessToken().getScope()).isEqualTo(Scope.parse("read:/ligo openid"));
        assertThat(((OIDCTokenResponse) tokens).getOIDCTokens().getRefreshToken()).as("offline_access not asked").isNull();
    }

    @Test
    void aNativeAppMustUsePkceAndMayUseAnyLoopbackPort() throws Exception {
        PageSession browser = new PageSession(issuer);
        AuthenticationRequest noPkce = request(nativeApp, LOOPBACK, "openid read:/ligo").build();
        HttpResponse<String> refused = browser.get(noPkce.toURI().toString());
        assertThat(refused.statusCode()).isEqualTo(303);
        Map<String, String> error = query(URI.create(refused.headers().firstValue("Location").orElseThrow()));
        assertThat(error).containsEntry("error", "invalid_request").containsEntry("state", noPkce.getState().getValue())
                .containsEntry("iss", issuer.iss("default"));
        assertThat(error.get("error_description")).contains("PKCE");

        URI ephemeral = URI.create("http://127.0.0.1:49152/cb"); // RFC 8252 §7.3: the port is the app's choice
        CodeVerifier verifier = new CodeVerifier();
        AuthenticationRequest request = request(nativeApp, ephemeral, "openid read:/ligo")
                .codeChallenge(verifier, CodeChallengeMethod.S256).build();
        URI back = decide(browser, consentPage(browser, request.toURI()), true);
        assertThat(back.toString()).startsWith("http://127.0.0.1:49152/cb?code=");
        AuthorizationCode code = ((AuthorizationSuccessResponse) AuthorizationResponse.parse(back)).getAuthorizationCode();

        TokenResponse wrongVerifier = redeem(nativeApp, code, ephemeral, new CodeVerifier());
        assertThat(wrongVerifier.toErrorResponse().getErrorObject().getCode()).isEqualTo("invalid_grant");
        // the failed attempt consumed nothing: PKCE is checked before the code is marked used
        TokenResponse tokens = redeem(nativeApp, code, ephemeral, verifier);
        assertThat(tokens.indicatesSuccess()).isTrue();

        // a host name is not an IP literal: its port must match exactly
        AuthenticationRequest named = request(nativeApp, URI.create("http://localhost:49152/cb"), "openid")
                .codeChallenge(new CodeVerifier(), CodeChallengeMethod.S256).build();
        HttpResponse<String> page = browser.get(named.toURI().toString());
        assertThat(page.statusCode()).isEqualTo(400);
        assertThat(page.headers().firstValue("Location")).isEmpty();
    }

    @Test
    void aNativeAppMayUseAPrivateUseScheme() throws Exception {
        URI app = URI.create("org.example.desktop:/callback"); // RFC 8252 §7.1
        Administration.NewClient desktop = issuer.admin().addClient("default", "Desktop", Set.of(Client.AUTHORIZATION_CODE),
                "openid read:/ligo", List.of(), List.of(app.toString()), true);
        issuer.server().refresh();
        CodeVerifier verifier = new CodeVerifier();
        AuthenticationRequest request = request(desktop, app, "openid read:/ligo")
                .codeChallenge(verifier, CodeChallengeMethod.S256).build();
        PageSession browser = new PageSession(issuer);
        HttpResponse<String> consent = consentPage(browser, request.toURI());
        assertThat(consent.headers().firstValue("Content-Security-Policy").orElseThrow())
                .contains("form-action 'self' org.example.desktop:;");
        URI back = decide(browser, consent, true);
        assertThat(back.toString()).startsWith("org.example.desktop:/callback?code=");
        AuthorizationCode code = ((AuthorizationSuccessResponse) AuthorizationResponse.parse(back)).getAuthorizationCode();
        assertThat(redeem(desktop, code, app, verifier).indicatesSuccess()).isTrue();
        for (String bad : List.of("javascript:alert(1)", "myapp:/callback", "http://app.example.org/cb", "https://x/#f")) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> issuer.admin().addClient("default", "Bad",
                    Set.of(Client.AUTHORIZATION_CODE), "openid", List.of(), List.of(bad), true)).as(bad)
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void pkceMethodPlainIsRefused() throws Exception {
        AuthenticationRequest plain = request(nativeApp, LOOPBACK, "openid")
                .codeChallenge(new CodeVerifier(), CodeChallengeMethod.PLAIN).build();
        HttpResponse<String> refused = new PageSession(issuer).get(plain.toURI().toString());
        assertThat(query(URI.create(refused.headers().firstValue("Location").orElseThrow())))
                .containsEntry("error", "invalid_request");
    }

    @Test
    void anUnknownClientOrRedirectUriIsShownToThePersonNeverRedirected() throws Exception {
        PageSession browser = new PageSession(issuer);
        for (String url : List.of(
                endpoint("/authorize") + "?response_type=code&client_id=nobody&redirect_uri=https://evil.example/cb",
                endpoint("/authorize") + "?response_type=code&client_id=" + webApp.client().clientId()
                        + "&redirect_uri=https://evil.example/cb",
                endpoint("/authorize") + "?response_type=code&client_id=" + webApp.client().clientId()
                        + "&redirect_uri=" + URLEncoder.encode(CALLBACK + "/more", StandardCharsets.UTF_8))) {
            HttpResponse<String> page = browser.get(url);
            assertThat(page.statusCode()).as(url).isEqualTo(400);
            assertThat(page.headers().firstValue("Location")).as(url).isEmpty();
            assertThat(page.body()).contains("Request not valid");
        }
        // with the client and redirect URI right, other errors go back to the application
        HttpResponse<String> token = browser.get(endpoint("/authorize") + "?response_type=token&state=s1&client_id="
                + webApp.client().clientId());
        assertThat(query(URI.create(token.headers().firstValue("Location").orElseThrow())))
                .containsEntry("error", "unsupported_response_type").containsEntry("state", "s1");
        HttpResponse<String> none = browser.get(request(webApp, CALLBACK, "openid").prompt(com.nimbusds.openid.connect.sdk.Prompt.Type.NONE).build().toURI().toString());
        assertThat(query(URI.create(none.headers().firstValue("Location").orElseThrow())))
                .containsEntry("error", "consent_required");
    }

    @Test
    void denialSendsAccessDeniedBack() throws Exception {
        AuthenticationRequest request = request(webApp, CALLBACK, "openid read:/ligo")
                .codeChallenge(new CodeVerifier(), CodeChallengeMethod.S256).build();
        PageSession browser = new PageSession(issuer);
        URI back = decide(browser, consentPage(browser, request.toURI()), false);
        assertThat(query(back)).containsEntry("error", "access_denied")
                .containsEntry("state", request.getState().getValue()).doesNotContainKey("code");
    }

    @Test
    void aCodeWorksOnceAndItsReuseRevokesWhatItGave() throws Exception {
        CodeVerifier verifier = new CodeVerifier();
        AuthenticationRequest request = request(webApp, CALLBACK, "openid offline_access read:/ligo")
                .codeChallenge(verifier, CodeChallengeMethod.S256).build();
        PageSession browser = new PageSession(issuer);
        URI back = decide(browser, consentPage(browser, request.toURI()), true);
        AuthorizationCode code = ((AuthorizationSuccessResponse) AuthorizationResponse.parse(back)).getAuthorizationCode();
        var first = redeem(webApp, code, CALLBACK, verifier).toSuccessResponse().getTokens();

        TokenResponse again = redeem(webApp, code, CALLBACK, verifier);
        assertThat(again.toErrorResponse().getErrorObject().getCode()).isEqualTo("invalid_grant");
        HttpResponse<String> refresh = issuer.post("default", "/token", "grant_type=refresh_token&refresh_token="
                + first.getRefreshToken().getValue(), "Authorization", RunningIssuer.basicHeader(webApp));
        assertThat(refresh.body()).contains("invalid_grant");
        HttpResponse<String> userinfo = issuer.send(HttpRequest.newBuilder(endpoint("/userinfo"))
                .header("Authorization", "Bearer " + first.getAccessToken().getValue()));
        assertThat(userinfo.statusCode()).isEqualTo(401);
        assertThat(userinfo.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("error=\"invalid_token\"");
    }

    @Test
    void aCodeExpiresAfterAMinuteAndNeedsTheSameRedirectUri() throws Exception {
        CodeVerifier verifier = new CodeVerifier();
        AuthenticationRequest request = request(webApp, CALLBACK, "openid read:/ligo")
                .codeChallenge(verifier, CodeChallengeMethod.S256).build();
        PageSession browser = new PageSession(issuer);
        AuthorizationCode code = ((AuthorizationSuccessResponse) AuthorizationResponse.parse(
                decide(browser, consentPage(browser, request.toURI()), true))).getAuthorizationCode();
        TokenResponse elsewhere = redeem(webApp, code, URI.create("https://app.example.org/other"), verifier);
        assertThat(elsewhere.toErrorResponse().getErrorObject().getCode()).isEqualTo("invalid_grant");
        clock.advance(Duration.ofSeconds(61));
        TokenResponse late = redeem(webApp, code, CALLBACK, verifier);
        assertThat(late.toErrorResponse().getErrorObject().getDescription()).contains("expired");
    }

    @Test
    void formsNeedTheirCsrfTokenAndASession() throws Exception {
        AuthenticationRequest request = request(webApp, CALLBACK, "openid read:/ligo")
                .codeChallenge(new CodeVerifier(), CodeChallengeMethod.S256).build();
        PageSession browser = new PageSession(issuer);
        HttpResponse<String> consent = consentPage(browser, request.toURI());
        HttpResponse<String> forged = browser.post(endpoint("/authorize/decide").toString(), form("csrf", "x".repeat(32),
                "request", field(consent.body(), "request"), "decision", "approve"));
        assertThat(forged.statusCode()).isEqualTo(403);
        assertThat(forged.headers().firstValue("Location")).isEmpty();

        PageSession stranger = new PageSession(issuer); // a fresh browser: a CSRF cookie of its own, no session
        HttpResponse<String> page = stranger.get(request.toURI().toString());
        HttpResponse<String> unsigned = stranger.post(endpoint("/authorize/decide").toString(), form("csrf", csrf(page.body()),
                "request", field(page.body(), "request"), "decision", "approve"));
        assertThat(unsigned.statusCode()).isEqualTo(401);
        assertThat(unsigned.body()).contains("Please sign in again");
    }

    @Test
    void userinfoRefusesMissingAndRobotTokens() throws Exception {
        HttpResponse<String> none = issuer.send(HttpRequest.newBuilder(endpoint("/userinfo")));
        assertThat(none.statusCode()).isEqualTo(401);
        assertThat(none.headers().firstValue("WWW-Authenticate").orElseThrow()).isEqualTo(
                "Bearer realm=\"" + issuer.iss("default") + "\"");
        Administration.NewClient robot = issuer.client("default", "read:/ligo");
        HttpResponse<String> issued = issuer.post("default", "/token", "grant_type=client_credentials",
                "Authorization", RunningIssuer.basicHeader(robot));
        String token = (String) Json.parseObject(issued.body()).get("access_token");
        HttpResponse<String> robotInfo = issuer.send(HttpRequest.newBuilder(endpoint("/userinfo"))
                .header("Authorization", "Bearer " + token));
        assertThat(robotInfo.statusCode()).isEqualTo(403);
        assertThat(robotInfo.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("insufficient_scope");
    }
}
