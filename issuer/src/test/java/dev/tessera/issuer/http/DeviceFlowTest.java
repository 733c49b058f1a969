package dev.tessera.issuer.http;

import static dev.tessera.issuer.testing.PageSession.csrf;
import static dev.tessera.issuer.testing.PageSession.form;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.issuer.domain.Account;
import dev.tessera.issuer.domain.Client;
import dev.tessera.issuer.domain.PolicyRule;
import dev.tessera.issuer.service.Administration;
import dev.tessera.issuer.testing.PageSession;
import dev.tessera.issuer.testing.RunningIssuer;
import dev.tessera.token.VerifiedToken;
import dev.tessera.token.jws.Json;
import dev.tessera.token.testing.MutableClock;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RFC 8628 device flow end to end: device requests, a person approves on the pages, the device polls. */
class DeviceFlowTest {
    static final String PASSWORD = "correct horse battery staple";
    @TempDir
    static Path dir;
    static MutableClock clock = MutableClock.now();
    static RunningIssuer issuer;
    static Administration.NewClient cli;
    static Account alice;

    @BeforeAll
    static void start() throws Exception {
        issuer = RunningIssuer.start(RunningIssuer.config(dir, null), clock);
        cli = issuer.admin().addClient("default", "Tessera CLI", Set.of(Client.DEVICE_CODE, Client.REFRESH_TOKEN),
                "read:/ligo write:/home/{username} compute.create openid offline_access", List.of(), List.of(), true);
        alice = issuer.admin().addUser("default", "alice", PASSWORD.toCharArray(), List.of("/ligo"));
        issuer.admin().addRule("default", PolicyRule.Kind.GROUP, "/ligo", "read:/ligo write:/home/{username}",
                PolicyRule.Effect.GRANT);
        issuer.server().refresh();
    }

    @AfterAll
    static void stop() {
        issuer.close();
    }

    static Map<String, Object> authorize(String scope) throws Exception {
        HttpResponse<String> response = issuer.post("default", "/device_authorization",
                "client_id=" + cli.client().clientId() + "&scope=" + scope.replace(" ", "+"));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return Json.parseObject(response.body());
    }

    static HttpResponse<String> poll(Map<String, Object> started) throws Exception {
        return issuer.post("default", "/token", "grant_type=urn:ietf:params:oauth:grant-type:device_code&client_id="
                + cli.client().clientId() + "&device_code=" + started.get("device_code"));
    }

    static String error(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        return (String) Json.parseObject(response.body()).get("error");
    }

    /** Signs in on the device page and submits the code; returns the consent page. */
    static HttpResponse<String> consentPage(PageSession browser, String userCode) throws Exception {
        String page = browser.get(issuer.server().url() + "/vo/default/device?user_code=" + userCode).body();
        assertThat(page).contains("value=\"" + userCode + "\"", "autocomplete=\"current-password\"");
        return browser.post(issuer.server().url() + "/vo/default/device", form("csrf", csrf(page), "user_code",
                userCode.toLowerCase().replace("-", ""), "username", "alice", "password", PASSWORD));
    }

    @Test
    void approvedWithADeselectedScopeTheDeviceGetsOnlyWhatWasApproved() throws Exception {
        Map<String, Object> started = authorize("read:/ligo/O3 write:/home/alice compute.create openid offline_access");
        assertThat((String) started.get("user_code")).matches("[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}");
        assertThat(started).containsEntry("verification_uri", issuer.iss("default") + "/device")
                .containsEntry("interval", 5L).containsEntry("expires_in", 600L);

        assertThat(error(poll(started))).isEqualTo("authorization_pending");
        assertThat(error(poll(started))).isEqualTo("slow_down"); // polled again at once
        clock.advance(Duration.ofSeconds(11));
        assertThat(error(poll(started))).isEqualTo("authorization_pending");

        PageSession browser = new PageSession(issuer);
        HttpResponse<String> consent = consentPage(browser, (String) started.get("user_code"));
        assertThat(consent.statusCode()).as(consent.body()).isEqualTo(200);
        assertThat(consent.body()).contains("Tessera CLI", "read:/ligo/O3", "write:/home/alice", "offline_access");
        assertThat(consent.body()).contains("compute.create</code> cannot be granted"); // no rule gives it to alice
        assertThat(consent.headers().firstValue("X-Frame-Options")).hasValue("DENY");
        assertThat(consent.headers().firstValue("Content-Security-Policy")).hasValueSatisfying(
                v -> assertThat(v).contains("frame-ancestors 'none'"));

        // approve read and offline_access, not write (s0 read, s1 write, s2 compute refused, s3 openid, s4 offline)
        HttpResponse<String> approved = browser.post(issuer.server().url() + "/vo/default/device/decide", form(
                "csrf", csrf(consent.body()), "user_code", (String) started.get("user_code"), "decision", "approve",
                "s0", "read:/ligo/O3", "s2", "compute.create", "s4", "offline_access"));
        assertThat(approved.body()).contains("Approved");

        clock.advance(Duration.ofSeconds(11));
        HttpResponse<String> tokens = poll(started);
        assertThat(tokens.statusCode()).as(tokens.body()).isEqualTo(200);
        Map<String, Object> body = Json.parseObject(tokens.body());
        assertThat(body.get("scope")).isEqualTo("read:/ligo/O3 offline_access");
        assertThat(body.get("refresh_token")).asString().hasSizeGreaterThanOrEqualTo(43);
        VerifiedToken token = issuer.verifier("default", "https://data.example.org").verify((String) body.get("access_token"));
        assertThat(token.subject()).isEqualTo(alice.subject()).isNotEqualTo("alice");
        assertThat(token.scopes().toString()).isEqualTo("read:/ligo/O3");

        assertThat(error(poll(started))).isEqualTo("invalid_grant"); // a device code gives tokens once
    }

    /** A person's token exchanged by a service whose ceiling has placeholders: they are the person's, not the service's. */
    @Test
    void anExchangeOfAPersonsTokenExpandsTheClientsCeilingForThatPerson() throws Exception {
        Map<String, Object> started = authorize("read:/ligo write:/home/alice");
        PageSession browser = new PageSession(issuer);
        HttpResponse<String> consent = consentPage(browser, (String) started.get("user_code"));
        browser.post(issuer.server().url() + "/vo/default/device/decide", form("csrf", csrf(consent.body()), "user_code",
                (String) started.get("user_code"), "decision", "approve", "s0", "read:/ligo", "s1", "write:/home/alice"));
        clock.advance(Duration.ofSeconds(6));
        String personal = (String) Json.parseObject(poll(started).body()).get("access_token");

        Administration.NewClient manager = issuer.client("default", "read:/ligo write:/home/{username}", Client.TOKEN_EXCHANGE);
        String exchange = "grant_type=urn:ietf:params:oauth:grant-type:token-exchange&subject_token=" + personal
                + "&subject_token_type=urn:ietf:params:oauth:token-type:access_token";
        HttpResponse<String> all = issuer.post("default", "/token", exchange, "Authorization", RunningIssuer.basicHeader(manager));
        assertThat(Json.parseObject(all.body())).as(all.body()).containsEntry("scope", "read:/ligo write:/home/alice");
        HttpResponse<String> narrowed = issuer.post("default", "/token", exchange + "&scope=write:/home/alice/out",
                "Authorization", RunningIssuer.basicHeader(manager));
        assertThat(Json.parseObject(narrowed.body())).as(narrowed.body()).containsEntry("scope", "write:/home/alice/out");
    }

    @Test
    void aDeniedRequestGivesAccessDeniedAndAnExpiredOneExpiredToken() throws Exception {
        Map<String, Object> denied = authorize("read:/ligo");
        PageSession browser = new PageSession(issuer);
        HttpResponse<String> consent = consentPage(browser, (String) denied.get("user_code"));
        browser.post(issuer.server().url() + "/vo/default/device/decide", form("csrf", csrf(consent.body()), "user_code",
                (String) denied.get("user_code"), "decision", "deny"));
        assertThat(error(poll(denied))).isEqualTo("access_denied");

        Map<String, Object> forgotten = authorize("read:/ligo");
        clock.advance(Duration.ofMinutes(11));
        assertThat(error(poll(forgotten))).isEqualTo("expired_token");
        HttpResponse<String> late = consentPage(new PageSession(issuer), (String) forgotten.get("user_code"));
        assertThat(late.statusCode()).isEqualTo(400);
        assertThat(late.body()).contains("unknown, expired or already used");
    }

    @Test
    void formsWithoutTheirCsrfTokenChangeNothing() throws Exception {
        Map<String, Object> started = authorize("read:/ligo");
        PageSession browser = new PageSession(issuer);
        HttpResponse<String> consent = consentPage(browser, (String) started.get("user_code"));
        HttpResponse<String> forged = browser.post(issuer.server().url() + "/vo/default/device/decide", form(
                "user_code", (String) started.get("user_code"), "decision", "approve", "s0", "read:/ligo"));
        assertThat(forged.statusCode()).isEqualTo(403);
        HttpResponse<String> wrong = browser.post(issuer.server().url() + "/vo/default/device/decide", form(
                "csrf", csrf(consent.body()) + "x", "user_code", (String) started.get("user_code"), "decision", "approve"));
        assertThat(wrong.statusCode()).isEqualTo(403);
        clock.advance(Duration.ofSeconds(6));
        assertThat(error(poll(started))).isEqualTo("authorization_pending");
    }

    @Test
    void wrongPasswordsAreRefusedAndThrottled() throws Exception {
        Map<String, Object> started = authorize("read:/ligo");
        PageSession browser = new PageSession(issuer);
        String page = browser.get(issuer.server().url() + "/vo/default/device").body();
        HttpResponse<String> wrong = null;
        for (int i = 0; i < 6; i++) {
            wrong = browser.post(issuer.server().url() + "/vo/default/device", form("csrf", csrf(page), "user_code",
                    (String) started.get("user_code"), "username", "mallory-" + i % 1, "password", "guess" + i));
        }
        assertThat(wrong.statusCode()).isEqualTo(401);
        assertThat(wrong.body()).contains("Too many failed sign-ins");
        HttpResponse<String> unknownUser = browser.post(issuer.server().url() + "/vo/default/device", form("csrf",
                csrf(page), "user_code", (String) started.get("user_code"), "username", "nobody", "password", "x"));
        assertThat(unknownUser.body()).contains("Wrong username or password");
    }

    @Test
    void refreshTokensRotateNarrowAndRevokeTheirFamilyOnReuse() throws Exception {
        Map<String, Object> started = authorize("read:/ligo write:/home/alice offline_access");
        PageSession browser = new PageSession(issuer);
        HttpResponse<String> consent = consentPage(browser, (String) started.get("user_code"));
        browser.post(issuer.server().url() + "/vo/default/device/decide", form("csrf", csrf(consent.body()), "user_code",
                (String) started.get("user_code"), "decision", "approve", "s0", "read:/ligo", "s1", "write:/home/alice",
                "s2", "offline_access"));
        clock.advance(Duration.ofSeconds(6));
        String first = (String) Json.parseObject(poll(started).body()).get("refresh_token");

        HttpResponse<String> narrowed = refresh(first, "&scope=read:/ligo/O3&audience=https://data.example.org");
        assertThat(narrowed.statusCode()).as(narrowed.body()).isEqualTo(200);
        Map<String, Object> body = Json.parseObject(narrowed.body());
        assertThat(body.get("scope")).isEqualTo("read:/ligo/O3 offline_access");
        String second = (String) body.get("refresh_token");
        assertThat(second).isNotEqualTo(first);
        assertThat(issuer.verifier("default", "https://data.example.org").verify((String) body.get("access_token"))
                .audience()).containsExactly("https://data.example.org");

        // the rotated token still carries the whole original grant
        HttpResponse<String> full = refresh(second, "");
        assertThat(Json.parseObject(full.body()).get("scope")).isEqualTo("read:/ligo write:/home/alice offline_access");
        String third = (String) Json.parseObject(full.body()).get("refresh_token");
        // nothing of it held: refused, and a refused request leaves the token usable (clients keep only one)
        assertThat(error(refresh(third, "&scope=compute.create"))).isEqualTo("invalid_scope");
        // more than held (clients such as oidc-agent keep asking for their configured scope): what is held of it
        HttpResponse<String> within = refresh(third, "&scope=read:/+write:/home/alice/x+compute.create");
        assertThat(within.statusCode()).as(within.body()).isEqualTo(200);
        assertThat(((String) Json.parseObject(within.body()).get("scope")).split(" "))
                .containsExactlyInAnyOrder("read:/ligo", "write:/home/alice/x", "offline_access");
        String fourth = (String) Json.parseObject(within.body()).get("refresh_token");

        // presenting a rotated token again: the whole family is revoked, including the newest
        assertThat(error(refresh(first, ""))).isEqualTo("invalid_grant");
        assertThat(error(refresh(fourth, ""))).isEqualTo("invalid_grant");
    }

    @Test
    void aRefreshTokenIsIntrospectedOnlyByItsClientAndRevokedWithItsGrant() throws Exception {
        Map<String, Object> started = authorize("read:/ligo offline_access");
        PageSession browser = new PageSession(issuer);
        HttpResponse<String> consent = consentPage(browser, (String) started.get("user_code"));
        browser.post(issuer.server().url() + "/vo/default/device/decide", form("csrf", csrf(consent.body()), "user_code",
                (String) started.get("user_code"), "decision", "approve", "s0", "read:/ligo", "s1", "offline_access"));
        clock.advance(Duration.ofSeconds(6));
        String refreshToken = (String) Json.parseObject(poll(started).body()).get("refresh_token");
        Administration.NewClient other = issuer.client("default", "", Client.TOKEN_EXCHANGE);
        HttpResponse<String> foreign = issuer.post("default", "/introspect", "token=" + refreshToken, "Authorization",
                dev.tessera.issuer.testing.RunningIssuer.basicHeader(other));
        assertThat(Json.parseObject(foreign.body())).isEqualTo(Map.of("active", false));

        HttpResponse<String> revoked = issuer.post("default", "/revoke", "token=" + refreshToken + "&client_id="
                + cli.client().clientId());
        assertThat(revoked.statusCode()).isEqualTo(200);
        assertThat(error(refresh(refreshToken, ""))).isEqualTo("invalid_grant");
    }

    static HttpResponse<String> refresh(String token, String extra) throws Exception {
        return issuer.post("default", "/token", "grant_type=refresh_token&client_id=" + cli.client().clientId()
                + "&refresh_token=" + token + extra);
    }
}
