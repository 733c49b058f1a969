package dev.tessera.agent.oauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import dev.tessera.agent.access.TokenInfo;
import dev.tessera.agent.testing.Approver;
import dev.tessera.agent.testing.TestVo;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The OAuth client against the real issuer: discovery, the device flow, refresh, exchange, revocation. */
class IssuerClientTest {
    @RegisterExtension
    static final TestVo vo = new TestVo();
    IssuerClient client;

    @BeforeEach
    void discover() throws IOException {
        client = vo.client();
    }

    /** A device flow approved by alice: the tokens. */
    IssuedTokens login(String scope, Approver approver) throws Exception {
        DeviceAuthorization started = client.startDeviceAuthorization(new Narrowing(scope, List.of(), null));
        approver.show(vo.iss(), started);
        return new DevicePoller(vo.clock(), approver).await(client, started);
    }

    @Test
    void discoveryFindsTheEndpointsOverHttpsOnly() {
        IssuerMetadata metadata = client.metadata();
        assertThat(metadata.issuer()).isEqualTo(vo.iss());
        assertThat(metadata.tokenEndpoint()).hasToString(vo.iss() + "/token");
        assertThat(metadata.deviceAuthorizationEndpoint()).hasToString(vo.iss() + "/device_authorization");
        assertThat(metadata.revocationEndpoint()).hasToString(vo.iss() + "/revoke");

        assertThatThrownBy(() -> IssuerClient.discover(vo.iss().replace("https:", "http:"),
                ClientCredentials.publicClient("x"), vo.transport(), vo.clock()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("https");
        assertThatThrownBy(() -> vo.transport().send(new HTTPRequest(HTTPRequest.Method.GET,
                URI.create(vo.iss().replace("https:", "http:") + "/.well-known/openid-configuration"))))
                .isInstanceOf(IOException.class).hasMessageContaining("plain http");
        assertThatThrownBy(() -> IssuerClient.discover(vo.iss() + "x", ClientCredentials.publicClient("x"),
                vo.transport(), vo.clock())).isInstanceOf(IOException.class).hasMessageContaining("no OAuth metadata");
    }

    @Test
    void metadataNamingAnotherIssuerOrAPlainHttpEndpointIsRefused() {
        assertThatThrownBy(() -> IssuerMetadata.parse("https://a.example/vo/x",
                "{\"issuer\": \"https://b.example/vo/x\", \"token_endpoint\": \"https://b.example/token\"}"))
                .hasMessageContaining("names another issuer");
        assertThatThrownBy(() -> IssuerMetadata.parse("https://a.example/vo/x",
                "{\"issuer\": \"https://a.example/vo/x\", \"token_endpoint\": \"http://a.example/token\"}"))
                .hasMessageContaining("not an https URL");
    }

    @Test
    void theDeviceFlowShowsTheCodeWaitsTheIntervalAndGivesTokens() throws Exception {
        Approver approver = vo.approver();
        DeviceAuthorization started = client.startDeviceAuthorization(new Narrowing("read:/ligo offline_access", List.of(),
                null));
        assertThat(started.userCode()).matches("[A-Z]{4}-[A-Z]{4}");
        assertThat(started.verificationUri()).hasToString(vo.iss() + "/device");
        assertThat(started.pageToOpen().toString()).contains("user_code=" + started.userCode());
        assertThat(started.toString()).doesNotContain(started.deviceCode());

        approver.show(vo.iss(), started);
        IssuedTokens tokens = new DevicePoller(vo.clock(), approver).await(client, started);
        assertThat(approver.sleeps()).containsExactly(Duration.ofSeconds(5));
        assertThat(tokens.scope()).isEqualTo("read:/ligo offline_access");
        assertThat(tokens.refreshToken()).isNotBlank();
        assertThat(TokenInfo.decode(tokens.accessToken()).scope()).isEqualTo("read:/ligo");
        assertThat(tokens.toString()).doesNotContain(tokens.accessToken()).doesNotContain(tokens.refreshToken());
    }

    @Test
    void aClientPollingTooEarlyIsToldToSlowDownAndWaitsFiveSecondsLonger() throws Exception {
        Approver approver = vo.approver().impatientAt(2, Duration.ofSeconds(2)).decidingAt(3);
        IssuedTokens tokens = login("read:/ligo", approver);
        // pending after 5 s; polled again after 3 s: slow_down; then every 10 s
        assertThat(approver.sleeps()).containsExactly(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(10));
        assertThat(tokens.accessToken()).isNotBlank();
    }

    @Test
    void aDeniedRequestStopsThePolling() {
        Approver approver = vo.approver().deciding(Approver.Decision.DENY);
        assertThatThrownBy(() -> login("read:/ligo", approver)).isInstanceOfSatisfying(OAuthError.class,
                e -> assertThat(e.code()).isEqualTo(OAuthError.ACCESS_DENIED));
        assertThat(approver.sleeps()).hasSize(1);
    }

    @Test
    void anExpiredCodeStopsThePolling() throws Exception {
        Approver approver = vo.approver().deciding(Approver.Decision.IGNORE);
        DeviceAuthorization started = client.startDeviceAuthorization(Narrowing.NONE);
        vo.clock().advance(Duration.ofMinutes(10).minusSeconds(2)); // the person went for coffee
        vo.transport().reset();
        assertThatThrownBy(() -> new DevicePoller(vo.clock(), approver).await(client, started))
                .isInstanceOfSatisfying(OAuthError.class, e -> assertThat(e.code()).isEqualTo(OAuthError.EXPIRED_TOKEN));
        assertThat(vo.transport().count("/token")).isEqualTo(1); // the issuer said so; no further polls
    }

    @Test
    void refreshNarrowsScopeAudienceAndLifetimeAndRotatesTheRefreshToken() throws Exception {
        IssuedTokens first = login("read:/ligo write:/home/alice offline_access", vo.approver());
        IssuedTokens narrowed = client.refresh(first.refreshToken(),
                new Narrowing("read:/ligo/O3", List.of(TestVo.DATA), Duration.ofMinutes(5)));
        TokenInfo token = TokenInfo.decode(narrowed.accessToken());
        assertThat(token.scope()).isEqualTo("read:/ligo/O3");
        assertThat(token.audiences()).containsExactly(TestVo.DATA);
        assertThat(narrowed.expiresIn()).isEqualTo(Duration.ofMinutes(5));
        assertThat(narrowed.refreshToken()).isNotEqualTo(first.refreshToken());

        // refused: nothing of it held; the refresh token is not spent by a refusal
        assertThatThrownBy(() -> client.refresh(narrowed.refreshToken(), new Narrowing("compute.create", List.of(), null)))
                .isInstanceOfSatisfying(OAuthError.class, e -> assertThat(e.code()).isEqualTo(OAuthError.INVALID_SCOPE));
        IssuedTokens again = client.refresh(narrowed.refreshToken(), Narrowing.NONE);
        assertThat(TokenInfo.decode(again.accessToken()).scope()).isEqualTo("read:/ligo write:/home/alice");
    }

    @Test
    void exchangeOnlyNarrowsAnAccessToken() throws Exception {
        IssuedTokens tokens = login("read:/ligo write:/home/alice", vo.approver());
        IssuedTokens narrower = client.exchange(tokens.accessToken(), new Narrowing("read:/ligo/O4", List.of(TestVo.DATA),
                null));
        assertThat(narrower.issuedTokenType()).isEqualTo("urn:ietf:params:oauth:token-type:access_token");
        TokenInfo token = TokenInfo.decode(narrower.accessToken());
        assertThat(token.scope()).isEqualTo("read:/ligo/O4");
        assertThat(token.audiences()).containsExactly(TestVo.DATA);
        assertThat(narrower.refreshToken()).isNull();

        assertThatThrownBy(() -> client.exchange(narrower.accessToken(), new Narrowing("read:/ligo", List.of(), null)))
                .isInstanceOfSatisfying(OAuthError.class, e -> assertThat(e.code()).isEqualTo(OAuthError.INVALID_SCOPE));
    }

    @Test
    void aRevokedRefreshTokenNoLongerWorks() throws Exception {
        IssuedTokens tokens = login("read:/ligo offline_access", vo.approver());
        client.revokeRefreshToken(tokens.refreshToken());
        assertThatThrownBy(() -> client.refresh(tokens.refreshToken(), Narrowing.NONE))
                .isInstanceOfSatisfying(OAuthError.class, e -> assertThat(e.code()).isEqualTo(OAuthError.INVALID_GRANT));
        client.revokeRefreshToken(tokens.refreshToken()); // RFC 7009 §2.2: revoking again succeeds
    }
}
