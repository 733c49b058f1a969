package dev.tessera.gateway.http;

import dev.tessera.gateway.GatewayConfig;
import dev.tessera.gateway.service.Delegation;
import dev.tessera.token.Decision;
import dev.tessera.token.TokenException;
import dev.tessera.token.VerifiedToken;
import dev.tessera.token.scope.InvalidScopeException;
import dev.tessera.token.scope.ResourcePath;
import dev.tessera.token.scope.Scope;
import dev.tessera.web.AccessLog;
import dev.tessera.web.BearerChallenge;
import dev.tessera.web.BearerCredentials;
import dev.tessera.web.Responses;
import dev.tessera.web.TokenTrust;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.UrlEncoded;

/**
 * {@code GET /auth}: the decision an {@code auth_request} subrequest asks for. Either named
 * capabilities ({@code ?scope=read:tap&scope=exec:notebook&satisfy=any|all}), or a path check
 * ({@code ?authz=read}, or derived from {@code X-Original-Method}) on the path of
 * {@code X-Original-URI} less the configured prefix, or, with neither, a valid token alone.
 *
 * <p>200 carries {@code X-Auth-Request-User}, {@code -Email}, {@code -Uid}, {@code -Groups},
 * {@code -Scopes} (and {@code -Token} when configured) for the proxy to pass on; 401 carries the
 * {@code WWW-Authenticate} challenge for the proxy to return; 403 means the token lacks the scope.
 */
public final class AuthHandler extends Handler.Abstract { // blocking: a first verification may fetch keys
    private static final String REALM = "tessera";
    private static final int MAX_HEADER = 4096;

    private final TokenTrust trust;
    private final GatewayConfig config;
    private final Delegation delegation;
    private final MeterRegistry metrics;
    private final java.util.concurrent.ConcurrentHashMap<String, Timer> timers = new java.util.concurrent.ConcurrentHashMap<>();

    /** @param delegation token exchange for backend tokens, or {@code null} */
    public AuthHandler(TokenTrust trust, GatewayConfig config, Delegation delegation, MeterRegistry metrics) {
        this.trust = trust;
        this.config = config;
        this.delegation = delegation;
        this.metrics = metrics;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        if (!"/auth".equals(request.getHttpURI().getPath())) {
            return false;
        }
        long start = System.nanoTime();
        String outcome = decide(request, response, callback);
        timers.computeIfAbsent(outcome, o -> Timer.builder("tessera.gateway.decisions").tag("outcome", o)
                .description("auth_request decisions by outcome").register(metrics))
                .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        return true;
    }

    private String decide(Request request, Response response, Callback callback) {
        String originalUri = request.getHeaders().get("X-Original-URI");
        // the subrequest's own query names the check (its authz= is an authorization, not a token): tokens
        // come from the forwarded headers or from the original request's ?authz=
        String token = BearerCredentials.fromHeaders(request);
        if (token == null && originalUri != null) {
            token = tokenInQuery(originalUri);
        }
        if (token == null) {
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, BearerChallenge.of(REALM));
            decision(response, callback, 401, "a bearer token is required\n");
            return "unauthenticated";
        }
        VerifiedToken verified;
        try {
            verified = trust.verify(token);
        } catch (TokenException e) {
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE,
                    BearerChallenge.of(REALM, "invalid_token", e.reason().code(), null));
            decision(response, callback, 401, "invalid token (" + e.reason().code() + ")\n");
            return "invalid_token";
        }
        AccessLog.identify(request, verified.issuer(), verified.subject(), verified.jwtId());

        Fields query = Request.extractQueryParameters(request, StandardCharsets.UTF_8);
        List<String> scopes = query.getValues("scope");
        String refusal;
        String needed = null;
        String delegated = ""; // the scope a delegated token should carry: what this request needed
        if (scopes != null && !scopes.isEmpty()) {
            boolean any = "any".equalsIgnoreCase(query.getValue("satisfy"));
            List<String> missing = missing(verified, scopes, any);
            refusal = missing.isEmpty() ? null : "missing " + String.join(" ", missing);
            needed = refusal == null ? null : String.join(" ", missing);
            delegated = String.join(" ", held(verified, scopes));
        } else if (query.getValue("authz") != null || originalUri != null) {
            String authz = query.getValue("authz") != null ? query.getValue("authz")
                    : authzFor(request.getHeaders().get("X-Original-Method"));
            ResourcePath path;
            try {
                path = originalPath(originalUri);
            } catch (IllegalArgumentException e) {
                decision(response, callback, 400, e.getMessage() + "\n");
                return "bad_request";
            }
            Decision decision = trust.test(verified, authz, path);
            refusal = decision.allowed() ? null : decision.message();
            ResourcePath relative = path.relativeTo(trust.basePath(verified.issuer()));
            needed = decision.allowed() || relative == null ? null : authz + ":" + relative;
            if (decision.allowed() && relative != null) {
                delegated = narrowed(decision.grantedBy(), relative);
            }
        } else {
            refusal = null; // a valid token is all that was asked
        }
        if (refusal != null) {
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, BearerChallenge.of(REALM, "insufficient_scope",
                    "the token does not allow this", needed));
            decision(response, callback, 403, "forbidden\n");
            return "forbidden";
        }
        String backendToken = config.passToken() ? token : null;
        if (delegation != null) {
            try {
                backendToken = delegation.exchange(token, delegated.isEmpty() ? verified.scopes().toString() : delegated);
            } catch (Delegation.DelegationException e) {
                org.slf4j.LoggerFactory.getLogger(AuthHandler.class).warn("delegation for jti={} failed: {}",
                        verified.jwtId(), e.getMessage());
                decision(response, callback, 500, "could not obtain a token for the backend\n");
                return "delegation_failed";
            }
        }
        identityHeaders(response, verified, backendToken);
        decision(response, callback, 200, "ok\n");
        return "ok";
    }

    /** The requested scopes that keep the request from being allowed: none when it is. */
    private List<String> missing(VerifiedToken token, List<String> scopes, boolean any) {
        List<String> missing = new ArrayList<>();
        for (String wanted : scopes) {
            if (holds(token, wanted)) {
                if (any) {
                    return List.of();
                }
            } else {
                missing.add(wanted);
            }
        }
        return missing;
    }

    /**
     * Answers with a status and headers only: nginx's auth_request reads no body, and an upstream
     * response with an unread body cannot go back to nginx's keepalive pool, so every decision would
     * cost a new TLS connection. The explanation travels in {@code X-Tessera-Decision}.
     */
    private static void decision(Response response, Callback callback, int status, String explanation) {
        put(response, "X-Tessera-Decision", explanation.strip());
        Responses.empty(response, callback, status);
    }

    /** The requested scopes the token holds (for {@code satisfy=any}, not all of them). */
    private List<String> held(VerifiedToken token, List<String> scopes) {
        List<String> held = new ArrayList<>();
        for (String wanted : scopes) {
            if (holds(token, wanted)) {
                held.add(wanted);
            }
        }
        return held;
    }

    /**
     * The granting scope narrowed to the requested path, in the granting scope's own vocabulary
     * ({@code storage.read:/data} granting {@code /data/x} gives {@code storage.read:/data/x}), so an issuer
     * that only narrows can honour it. Several granting scopes (compute.*) stay as they are.
     */
    private static String narrowed(String grantedBy, ResourcePath relative) {
        try {
            Scope scope = Scope.parse(grantedBy);
            return scope.hasPath() ? scope.authz() + ":" + relative : grantedBy;
        } catch (InvalidScopeException e) {
            return grantedBy;
        }
    }

    /** A named capability must be held as such; a path scope is checked like the scope language does. */
    private boolean holds(VerifiedToken token, String wanted) {
        try {
            Scope scope = Scope.parse(wanted);
            if (scope.hasPath()) {
                return token.scopes().grantFor(scope.authz(), scope.path()) != null;
            }
        } catch (InvalidScopeException e) {
            return false;
        }
        return trust.testCapability(token, wanted).allowed();
    }

    /** Reading methods need {@code read}; anything else writes. */
    private static String authzFor(String method) {
        if (method == null) {
            return "read";
        }
        return switch (method.toUpperCase(Locale.ROOT)) {
            case "GET", "HEAD", "OPTIONS", "PROPFIND" -> "read";
            default -> "write";
        };
    }

    private ResourcePath originalPath(String originalUri) {
        if (originalUri == null) {
            throw new IllegalArgumentException("a path check needs the X-Original-URI header");
        }
        String raw;
        try {
            raw = new URI(originalUri.strip()).getRawPath();
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("X-Original-URI is not a valid URI");
        }
        if (raw == null || !(config.prefix().isEmpty() || raw.equals(config.prefix()) || raw.startsWith(config.prefix() + "/"))) {
            throw new IllegalArgumentException("X-Original-URI is outside the configured prefix " + config.prefix());
        }
        String rest = raw.substring(config.prefix().length());
        try {
            return ResourcePath.parseRequestPath(rest.isEmpty() ? "/" : rest);
        } catch (InvalidScopeException e) {
            throw new IllegalArgumentException("invalid path in X-Original-URI: " + e.getMessage());
        }
    }

    private static String tokenInQuery(String originalUri) {
        int q = originalUri.indexOf('?');
        if (q < 0) {
            return null;
        }
        Fields fields = new Fields();
        UrlEncoded.decodeUtf8To(originalUri.substring(q + 1), fields);
        String value = fields.getValue(BearerCredentials.QUERY_PARAMETER);
        if (value == null) {
            return null;
        }
        value = value.strip();
        return value.regionMatches(true, 0, "Bearer ", 0, 7) ? value.substring(7).strip() : value;
    }

    private void identityHeaders(Response response, VerifiedToken token, String backendToken) {
        String local = trust.localName(token);
        put(response, "X-Auth-Request-User", local != null ? local : text(token.claim(config.userClaim())));
        put(response, "X-Auth-Request-Email", text(token.claim(config.emailClaim())));
        if (config.uidClaim() != null) {
            put(response, "X-Auth-Request-Uid", text(token.claim(config.uidClaim())));
        }
        put(response, "X-Auth-Request-Groups", text(token.claim(config.groupsClaim())));
        put(response, "X-Auth-Request-Scopes", token.scopes().toString());
        put(response, "X-Auth-Request-Token", backendToken);
        put(response, "X-Auth-Request-Issuer", token.issuer());
    }

    /** A claim as header text: lists joined by commas, numbers without a fraction when whole. */
    private static String text(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof List<?> list) {
            List<String> items = new ArrayList<>();
            list.forEach(item -> items.add(String.valueOf(item)));
            return String.join(",", items);
        }
        if (value instanceof Double d && d == Math.rint(d)) {
            return Long.toString(d.longValue());
        }
        return String.valueOf(value);
    }

    /** Sets a header with control characters removed and a bounded length: claims are untrusted text. */
    private static void put(Response response, String name, String value) {
        if (value == null || value.isEmpty()) {
            return;
        }
        StringBuilder clean = new StringBuilder(Math.min(value.length(), MAX_HEADER));
        for (int i = 0; i < value.length() && clean.length() < MAX_HEADER; i++) {
            char c = value.charAt(i);
            clean.append(c < 0x20 || c == 0x7f ? ' ' : c);
        }
        response.getHeaders().put(name, clean.toString());
    }
}
