package dev.tessera.agent.oauth;

import com.nimbusds.oauth2.sdk.AccessTokenResponse;
import com.nimbusds.oauth2.sdk.AuthorizationGrant;
import com.nimbusds.oauth2.sdk.ErrorObject;
import com.nimbusds.oauth2.sdk.ErrorResponse;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.RefreshTokenGrant;
import com.nimbusds.oauth2.sdk.Response;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.TokenRevocationRequest;
import com.nimbusds.oauth2.sdk.device.DeviceAuthorizationRequest;
import com.nimbusds.oauth2.sdk.device.DeviceAuthorizationResponse;
import com.nimbusds.oauth2.sdk.device.DeviceAuthorizationSuccessResponse;
import com.nimbusds.oauth2.sdk.device.DeviceCode;
import com.nimbusds.oauth2.sdk.device.DeviceCodeGrant;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import com.nimbusds.oauth2.sdk.id.Audience;
import com.nimbusds.oauth2.sdk.token.AccessToken;
import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import com.nimbusds.oauth2.sdk.token.Token;
import com.nimbusds.oauth2.sdk.token.TokenTypeURI;
import com.nimbusds.oauth2.sdk.tokenexchange.TokenExchangeGrant;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * One OAuth client of one issuer (a VO's {@code iss}): discovery, the device authorization grant
 * (RFC 8628), the refresh grant, token exchange (RFC 8693) and revocation (RFC 7009). Each method is
 * one request; what to do with an answer (poll again, fall back to a device flow, store a rotated refresh
 * token) is the caller's decision. Messages are built and parsed by the Nimbus OAuth SDK.
 *
 * <p>Thread-safe: it holds no state beyond the issuer's metadata.
 */
public final class IssuerClient {
    private static final String OIDC = "/.well-known/openid-configuration";
    private static final String OAUTH = "/.well-known/oauth-authorization-server";

    private final IssuerMetadata metadata;
    private final ClientCredentials client;
    private final Transport transport;
    private final Clock clock;

    /** A client of an issuer whose metadata is already known. */
    public IssuerClient(IssuerMetadata metadata, ClientCredentials client, Transport transport, Clock clock) {
        this.metadata = metadata;
        this.client = client;
        this.transport = transport;
        this.clock = clock;
    }

    /**
     * Fetches the metadata of {@code issuer} ({@code iss/.well-known/openid-configuration}, else RFC 8414's
     * {@code /.well-known/oauth-authorization-server/path}) and returns a client of it.
     *
     * @throws IllegalArgumentException when {@code issuer} is not an https URL
     * @throws IOException              when the metadata cannot be fetched or is unusable
     */
    public static IssuerClient discover(String issuer, ClientCredentials client, Transport transport, Clock clock)
            throws IOException {
        URI iss = checkIssuer(issuer);
        HTTPResponse response = transport.send(new HTTPRequest(HTTPRequest.Method.GET, URI.create(issuer + OIDC)));
        if (response.getStatusCode() == 404) {
            String path = iss.getRawPath() == null ? "" : iss.getRawPath();
            URI rfc8414 = URI.create(iss.getScheme() + "://" + iss.getRawAuthority() + OAUTH + path);
            response = transport.send(new HTTPRequest(HTTPRequest.Method.GET, rfc8414));
        }
        if (response.getStatusCode() != 200) {
            throw new IOException("no OAuth metadata at " + issuer + OIDC + " (HTTP " + response.getStatusCode() + ")");
        }
        return new IssuerClient(IssuerMetadata.parse(issuer, response.getBody()), client, transport, clock);
    }

    /**
     * Checks that {@code issuer} is an https URL without query or fragment.
     *
     * @throws IllegalArgumentException naming what is wrong
     */
    public static URI checkIssuer(String issuer) {
        URI uri;
        try {
            uri = new URI(issuer);
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("the issuer is not a URL: " + issuer);
        }
        if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("the issuer must be an https URL: " + issuer);
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("an issuer URL has no query or fragment: " + issuer);
        }
        return uri;
    }

    /** The issuer's endpoints, as discovered. */
    public IssuerMetadata metadata() {
        return metadata;
    }

    /** Who this client is at the issuer. */
    public ClientCredentials client() {
        return client;
    }

    /**
     * Starts a device authorization (RFC 8628 §3.1) for {@code narrowing}'s scope and audience.
     *
     * @throws OAuthError  when the issuer refuses (e.g. {@code unauthorized_client}, {@code invalid_scope})
     * @throws IOException when the issuer has no device endpoint or cannot be reached
     */
    public DeviceAuthorization startDeviceAuthorization(Narrowing narrowing) throws IOException, OAuthError {
        if (metadata.deviceAuthorizationEndpoint() == null) {
            throw new IOException(metadata.issuer() + " does not offer the device flow (no device_authorization_endpoint)");
        }
        DeviceAuthorizationRequest.Builder request = client.isPublic()
                ? new DeviceAuthorizationRequest.Builder(client.id())
                : new DeviceAuthorizationRequest.Builder(client.authentication());
        request.endpointURI(metadata.deviceAuthorizationEndpoint());
        if (narrowing.scope() != null) {
            request.scope(Scope.parse(narrowing.scope()));
        }
        if (!narrowing.audiences().isEmpty()) {
            request.customParameter("audience", narrowing.audiences().toArray(String[]::new));
        }
        DeviceAuthorizationSuccessResponse ok = send(request.build().toHTTPRequest(), DeviceAuthorizationResponse::parse,
                "device authorization").toSuccessResponse();
        long interval = ok.getInterval() > 0 ? ok.getInterval() : 5; // RFC 8628 §3.2: 5 s when absent
        return new DeviceAuthorization(ok.getDeviceCode().getValue(), ok.getUserCode().getValue(), ok.getVerificationURI(),
                ok.getVerificationURIComplete(), Duration.ofSeconds(interval),
                clock.instant().plusSeconds(ok.getLifetime()));
    }

    /**
     * Polls the token endpoint once for a device authorization (RFC 8628 §3.4).
     *
     * @throws OAuthError {@code authorization_pending}, {@code slow_down}, {@code access_denied},
     *                    {@code expired_token} or another refusal
     */
    public IssuedTokens pollDeviceAuthorization(DeviceAuthorization authorization) throws IOException, OAuthError {
        return token(new DeviceCodeGrant(new DeviceCode(authorization.deviceCode())), Narrowing.NONE, false);
    }

    /**
     * A fresh access token for a refresh token, narrowed by {@code narrowing}. The answer carries the
     * rotated refresh token, which replaces the one presented: store it before anything else. An issuer
     * that refuses the request (an OAuthError) has not spent the refresh token.
     */
    public IssuedTokens refresh(String refreshToken, Narrowing narrowing) throws IOException, OAuthError {
        return token(new RefreshTokenGrant(new RefreshToken(refreshToken)), narrowing, true);
    }

    /**
     * RFC 8693: exchanges an access token of this issuer for a narrower one (scope, audience, lifetime
     * within the parent's). The client must be allowed the token-exchange grant.
     */
    public IssuedTokens exchange(String accessToken, Narrowing narrowing) throws IOException, OAuthError {
        List<Audience> audiences = narrowing.audiences().stream().map(Audience::new).toList();
        TokenExchangeGrant grant = new TokenExchangeGrant(new BearerAccessToken(accessToken), TokenTypeURI.ACCESS_TOKEN,
                null, null, TokenTypeURI.ACCESS_TOKEN, audiences.isEmpty() ? null : audiences);
        return token(grant, narrowing, false);
    }

    /**
     * Revokes a refresh token (and so its whole grant) at the issuer (RFC 7009). Revoking an unknown or
     * already revoked token succeeds, as the RFC says.
     *
     * @throws IOException when the issuer has no revocation endpoint or cannot be reached
     */
    public void revokeRefreshToken(String refreshToken) throws IOException, OAuthError {
        revoke(new RefreshToken(refreshToken));
    }

    /** Revokes an access token at the issuer (RFC 7009), so introspection and exchange refuse it. */
    public void revokeAccessToken(String accessToken) throws IOException, OAuthError {
        revoke(new BearerAccessToken(accessToken));
    }

    private void revoke(Token token) throws IOException, OAuthError {
        if (metadata.revocationEndpoint() == null) {
            throw new IOException(metadata.issuer() + " does not offer revocation (no revocation_endpoint)");
        }
        TokenRevocationRequest request = client.isPublic()
                ? new TokenRevocationRequest(metadata.revocationEndpoint(), client.id(), token)
                : new TokenRevocationRequest(metadata.revocationEndpoint(), client.authentication(), token);
        HTTPResponse response = transport.send(request.toHTTPRequest());
        if (response.getStatusCode() != 200) {
            throw error(ErrorObject.parse(response), response);
        }
    }

    private IssuedTokens token(AuthorizationGrant grant, Narrowing narrowing, boolean audienceParameter)
            throws IOException, OAuthError {
        TokenRequest.Builder request = client.isPublic()
                ? new TokenRequest.Builder(metadata.tokenEndpoint(), client.id(), grant)
                : new TokenRequest.Builder(metadata.tokenEndpoint(), client.authentication(), grant);
        if (narrowing.scope() != null) {
            request.scope(Scope.parse(narrowing.scope()));
        }
        if (audienceParameter && !narrowing.audiences().isEmpty()) {
            request.customParameter("audience", narrowing.audiences().toArray(String[]::new));
        }
        if (narrowing.lifetime() != null) {
            request.customParameter("expires_in", Long.toString(narrowing.lifetime().toSeconds()));
        }
        AccessTokenResponse ok = send(request.build().toHTTPRequest(), TokenResponse::parse, "token").toSuccessResponse();
        AccessToken access = ok.getTokens().getAccessToken();
        RefreshToken refresh = ok.getTokens().getRefreshToken();
        return new IssuedTokens(access.getValue(), refresh == null ? null : refresh.getValue(),
                access.getLifetime() > 0 ? Duration.ofSeconds(access.getLifetime()) : null,
                access.getScope() == null ? null : access.getScope().toString(),
                access.getIssuedTokenType() == null ? null : access.getIssuedTokenType().getURI().toString());
    }

    /** Parses one kind of answer. */
    @FunctionalInterface
    private interface Parser<T extends Response> {
        T parse(HTTPResponse response) throws ParseException;
    }

    /** Sends {@code request} and parses the answer, which must be a success. */
    private <T extends Response> T send(HTTPRequest request, Parser<T> parser, String what) throws IOException, OAuthError {
        HTTPResponse response = transport.send(request);
        T parsed;
        try {
            parsed = parser.parse(response);
        } catch (ParseException e) {
            throw unexpected(what, response, e);
        }
        if (!parsed.indicatesSuccess()) {
            throw error(((ErrorResponse) parsed).getErrorObject(), response);
        }
        return parsed;
    }

    private OAuthError error(ErrorObject error, HTTPResponse response) throws IOException {
        if (error == null || error.getCode() == null) {
            throw unexpected("error", response, null);
        }
        return new OAuthError(error.getCode(), error.getDescription(), response.getStatusCode());
    }

    private IOException unexpected(String what, HTTPResponse response, Exception cause) {
        return new IOException("unexpected " + what + " answer from " + metadata.issuer() + ": HTTP "
                + response.getStatusCode() + (cause == null ? "" : " (" + cause.getMessage() + ")"), cause);
    }
}
