package dev.tessera.issuer.http;

import dev.tessera.issuer.service.Administration;
import dev.tessera.issuer.service.IssuerState;
import dev.tessera.issuer.service.OAuthException;
import dev.tessera.issuer.service.Parameters;
import dev.tessera.issuer.service.VoContext;
import dev.tessera.issuer.service.admin.Administrators;
import dev.tessera.issuer.service.authorize.AuthorizationFlow;
import dev.tessera.issuer.service.clients.ClientAuthenticator;
import dev.tessera.issuer.service.clients.Registration;
import dev.tessera.issuer.service.device.DeviceFlow;
import dev.tessera.issuer.service.login.Login;
import dev.tessera.issuer.service.tokens.TokenResponse;
import dev.tessera.issuer.service.tokens.TokenService;
import dev.tessera.issuer.service.tokens.TokenStatus;
import dev.tessera.issuer.service.tokens.UserInfo;
import dev.tessera.token.jws.Json;
import dev.tessera.web.Responses;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The issuer's HTTP surface. Each VO lives under {@code /vo/NAME}: its {@code iss} is
 * {@code https://HOST/vo/NAME}, with metadata at {@code iss/.well-known/openid-configuration}, at
 * {@code iss/.well-known/oauth-authorization-server}, and at RFC 8414's
 * {@code /.well-known/oauth-authorization-server/vo/NAME}. Parses requests, calls a service, renders.
 */
public final class IssuerHandler extends Handler.Abstract {
    private static final Logger LOG = LoggerFactory.getLogger(IssuerHandler.class);
    private static final String VO_PREFIX = "/vo/";
    private static final String OIDC = "/.well-known/openid-configuration";
    private static final String OAUTH = "/.well-known/oauth-authorization-server";

    private static final String STYLESHEET = "/static/tessera.css";

    private final IssuerState state;
    private final ClientAuthenticator clients;
    private final TokenService tokens;
    private final TokenStatus tokenStatus;
    private final DeviceFlow deviceFlow;
    private final DevicePages devicePages;
    private final AuthorizePages authorizePages;
    private final UserInfo userInfo;
    private final Registration registration;
    private final MeterRegistry metrics;
    private final AdminApi adminApi;
    private final Clock clock;
    private final byte[] stylesheet;

    /** The services behind the endpoints. */
    public record Services(ClientAuthenticator clients, TokenService tokens, TokenStatus tokenStatus, DeviceFlow deviceFlow,
                           AuthorizationFlow authorizationFlow, UserInfo userInfo, Login login, Registration registration,
                           Administration administration, Administrators administrators) {
    }

    /**
     * @param publicUrl  the URL new VOs are served at by default (known once the server is bound)
     * @param prepublish how long a rotation's key is published before it signs, by default
     */
    public IssuerHandler(IssuerState state, Services services, MeterRegistry metrics, Clock clock,
                         Supplier<String> publicUrl, Duration prepublish) {
        this.adminApi = new AdminApi(services.administrators(), services.administration(), publicUrl, prepublish, () -> {
            try {
                state.refresh();
            } catch (java.security.GeneralSecurityException e) {
                LOG.warn("cannot reload after an admin change: {}", e.toString());
            }
        });
        this.registration = services.registration();
        this.state = state;
        this.clients = services.clients();
        this.tokens = services.tokens();
        this.tokenStatus = services.tokenStatus();
        this.deviceFlow = services.deviceFlow();
        this.devicePages = new DevicePages(deviceFlow, services.login(), clock);
        this.authorizePages = new AuthorizePages(services.authorizationFlow(), services.login(), clock);
        this.userInfo = services.userInfo();
        this.metrics = metrics;
        this.clock = clock;
        try (var in = IssuerHandler.class.getResourceAsStream("/dev/tessera/issuer/static/tessera.css")) {
            this.stylesheet = in.readAllBytes();
        } catch (java.io.IOException | NullPointerException e) {
            throw new IllegalStateException("the stylesheet is missing from the jar", e);
        }
    }

    /** One endpoint's work, once the method is right. */
    private interface Endpoint {
        void serve() throws Exception;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = Request.getPathInContext(request);
        if (path.equals("/")) {
            return serve(request, response, callback, "GET", () -> index(response, callback));
        }
        if (path.equals(STYLESHEET)) {
            return serve(request, response, callback, "GET", () -> {
                publicCacheable(response, 86400);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/css; charset=utf-8");
                response.write(true, java.nio.ByteBuffer.wrap(stylesheet), callback);
            });
        }
        for (String wellKnown : List.of(OAUTH, OIDC)) {
            if (path.startsWith(wellKnown + VO_PREFIX)) { // RFC 8414 §3: the well-known part before the issuer's path
                VoContext vo = voOf(path.substring(wellKnown.length() + VO_PREFIX.length()));
                return vo != null && serve(request, response, callback, "GET", () -> metadata(vo, response, callback));
            }
        }
        if (path.startsWith(AdminApi.PREFIX)) {
            adminApi.handle(path, request, response, callback);
            return true;
        }
        if (!path.startsWith(VO_PREFIX)) {
            return false;
        }
        int slash = path.indexOf('/', VO_PREFIX.length());
        VoContext vo = voOf(slash < 0 ? path.substring(VO_PREFIX.length()) : path.substring(VO_PREFIX.length(), slash));
        if (vo == null) {
            return false;
        }
        return switch (slash < 0 ? "" : path.substring(slash)) {
            case OIDC, OAUTH -> serve(request, response, callback, "GET", () -> metadata(vo, response, callback));
            case "/jwks" -> serve(request, response, callback, "GET", () -> jwks(vo, response, callback));
            case "/authorize" -> request.getMethod().equals("POST")
                    ? serve(request, response, callback, "POST", () -> authorizePages.start(vo, request, response, callback))
                    : serve(request, response, callback, "GET", () -> authorizePages.start(vo, request, response, callback));
            case "/authorize/signin" -> serve(request, response, callback, "POST",
                    () -> authorizePages.signIn(vo, request, response, callback));
            case "/authorize/decide" -> serve(request, response, callback, "POST",
                    () -> authorizePages.decide(vo, request, response, callback));
            case "/token" -> serve(request, response, callback, "POST", () -> token(vo, request, response, callback));
            case "/userinfo" -> request.getMethod().equals("POST")
                    ? serve(request, response, callback, "POST", () -> userinfo(vo, request, response, callback))
                    : serve(request, response, callback, "GET", () -> userinfo(vo, request, response, callback));
            case "/register" -> serve(request, response, callback, "POST", () -> register(vo, request, response, callback));
            case "/introspect" -> serve(request, response, callback, "POST", () -> introspect(vo, request, response, callback));
            case "/revoke" -> serve(request, response, callback, "POST", () -> revoke(vo, request, response, callback));
            case "/device_authorization" -> serve(request, response, callback, "POST",
                    () -> deviceAuthorization(vo, request, response, callback));
            case "/device" -> request.getMethod().equals("POST")
                    ? serve(request, response, callback, "POST", () -> devicePages.submit(vo, request, response, callback))
                    : serve(request, response, callback, "GET", () -> devicePages.show(vo, request, response, callback));
            case "/device/decide" -> serve(request, response, callback, "POST",
                    () -> devicePages.decide(vo, request, response, callback));
            case "/logout" -> serve(request, response, callback, "POST", () -> devicePages.logout(vo, request, response, callback));
            default -> false;
        };
    }

    /** Serves the endpoint if the method is {@code method} (HEAD counts as GET), else answers 405. */
    private static boolean serve(Request request, Response response, Callback callback, String method, Endpoint endpoint)
            throws Exception {
        String actual = request.getMethod();
        if (actual.equals(method) || method.equals("GET") && actual.equals("HEAD")) {
            endpoint.serve();
        } else {
            response.getHeaders().put(HttpHeader.ALLOW, method.equals("GET") ? "GET, HEAD" : method);
            Responses.text(response, callback, HttpStatus.METHOD_NOT_ALLOWED_405, "method not allowed\n");
        }
        return true;
    }

    private VoContext voOf(String name) {
        return name.isEmpty() || name.indexOf('/') >= 0 ? null : state.vo(name);
    }

    private void index(Response response, Callback callback) {
        List<Map<String, String>> issuers = state.vos().stream()
                .map(v -> Map.of("vo", v.vo().name(), "iss", v.vo().issuer())).toList();
        Responses.json(response, callback, HttpStatus.OK_200, Json.write(Map.of("issuers", issuers)));
    }

    private void metadata(VoContext vo, Response response, Callback callback) {
        publicCacheable(response, 3600);
        Responses.json(response, callback, HttpStatus.OK_200, Json.write(Discovery.metadata(vo)));
    }

    private void jwks(VoContext vo, Response response, Callback callback) {
        publicCacheable(response, 600);
        Responses.json(response, callback, HttpStatus.OK_200, vo.keys().published(clock.instant()).toString(true));
    }

    private void token(VoContext vo, Request request, Response response, Callback callback) throws Exception {
        String grant = "unknown";
        try {
            Parameters params = FormBody.read(request);
            grant = params.get("grant_type") == null ? "none" : params.get("grant_type");
            TokenResponse issued = tokens.handle(vo, request.getHeaders().get(HttpHeader.AUTHORIZATION), params);
            metrics.counter("tessera_issuer_tokens_issued", "vo", vo.vo().name(), "grant", grant).increment();
            OAuthResponses.json(response, callback, HttpStatus.OK_200, body(issued));
        } catch (OAuthException e) {
            metrics.counter("tessera_issuer_token_errors", "vo", vo.vo().name(), "error", e.error()).increment();
            LOG.debug("token request refused: {} {}", e.error(), e.description());
            OAuthResponses.error(response, callback, e, vo.vo().issuer());
        }
    }

    /** OpenID Connect Core §5.3, with the token as RFC 6750 §2.1 says (the Authorization header). */
    private void userinfo(VoContext vo, Request request, Response response, Callback callback) {
        String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        String token = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? authorization.substring(7).strip() : null;
        try {
            OAuthResponses.json(response, callback, HttpStatus.OK_200, userInfo.claims(vo, token));
        } catch (OAuthException e) {
            OAuthResponses.bearerError(response, callback, e, vo.vo().issuer());
        }
    }

    /** RFC 7591 §3. */
    private void register(VoContext vo, Request request, Response response, Callback callback) throws Exception {
        try {
            Map<String, Object> metadata;
            try {
                metadata = Json.parseObject(FormBody.text(request, "application/json"));
            } catch (java.text.ParseException e) {
                throw new OAuthException("invalid_client_metadata", "the body is not a JSON object", 400);
            }
            Map<String, Object> registered = registration.register(vo, metadata, Request.getRemoteAddr(request));
            state.refresh(); // the client's next request (often at once) must find it here; other servers poll
            metrics.counter("tessera_issuer_clients_registered", "vo", vo.vo().name()).increment();
            OAuthResponses.json(response, callback, HttpStatus.CREATED_201, registered);
        } catch (OAuthException e) {
            OAuthResponses.error(response, callback, e, vo.vo().issuer());
        }
    }

    /** RFC 7662. */
    private void introspect(VoContext vo, Request request, Response response, Callback callback) throws Exception {
        try {
            Parameters params = FormBody.read(request);
            VoContext.RegisteredClient caller = clients.authenticate(vo,
                    request.getHeaders().get(HttpHeader.AUTHORIZATION), params);
            OAuthResponses.json(response, callback, HttpStatus.OK_200,
                    tokenStatus.introspect(vo, caller, params.require("token")));
        } catch (OAuthException e) {
            OAuthResponses.error(response, callback, e, vo.vo().issuer());
        }
    }

    /** RFC 7009: 200 whether or not the token existed. */
    private void revoke(VoContext vo, Request request, Response response, Callback callback) throws Exception {
        try {
            Parameters params = FormBody.read(request);
            VoContext.RegisteredClient caller = clients.authenticate(vo,
                    request.getHeaders().get(HttpHeader.AUTHORIZATION), params);
            tokenStatus.revoke(vo, caller, params.require("token"));
            OAuthResponses.json(response, callback, HttpStatus.OK_200, Map.of());
        } catch (OAuthException e) {
            OAuthResponses.error(response, callback, e, vo.vo().issuer());
        }
    }

    /** RFC 8628 §3.1–3.2. */
    private void deviceAuthorization(VoContext vo, Request request, Response response, Callback callback) throws Exception {
        try {
            Parameters params = FormBody.read(request);
            VoContext.RegisteredClient client = clients.authenticate(vo,
                    request.getHeaders().get(HttpHeader.AUTHORIZATION), params);
            DeviceFlow.Authorization started = deviceFlow.start(vo, client, params);
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("device_code", started.deviceCode());
            body.put("user_code", started.userCode());
            body.put("verification_uri", started.verificationUri());
            body.put("verification_uri_complete", started.verificationUriComplete());
            body.put("expires_in", started.expiresIn());
            body.put("interval", started.interval());
            OAuthResponses.json(response, callback, HttpStatus.OK_200, body);
        } catch (OAuthException e) {
            OAuthResponses.error(response, callback, e, vo.vo().issuer());
        }
    }

    private static Map<String, Object> body(TokenResponse issued) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("access_token", issued.accessToken());
        body.put("token_type", "Bearer");
        body.put("expires_in", issued.expiresIn());
        body.put("scope", issued.scope());
        if (issued.refreshToken() != null) {
            body.put("refresh_token", issued.refreshToken());
        }
        if (issued.idToken() != null) {
            body.put("id_token", issued.idToken());
        }
        if (issued.issuedTokenType() != null) {
            body.put("issued_token_type", issued.issuedTokenType());
        }
        return body;
    }

    private static void publicCacheable(Response response, int seconds) {
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "public, max-age=" + seconds);
        response.getHeaders().put(HttpHeader.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
    }
}
