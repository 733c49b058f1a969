package dev.tessera.issuer.http;

import com.nimbusds.jose.util.JSONArrayUtils;
import dev.tessera.issuer.domain.Client;
import dev.tessera.issuer.domain.PolicyRule;
import dev.tessera.issuer.service.AdminViews;
import dev.tessera.issuer.service.Administration;
import dev.tessera.issuer.service.OAuthException;
import dev.tessera.issuer.service.admin.Administrators;
import dev.tessera.token.Profile;
import dev.tessera.token.jws.Json;
import dev.tessera.token.keys.Algorithm;
import dev.tessera.web.Durations;
import dev.tessera.web.Responses;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API under {@code /admin/api}: what the {@code tessera issuer} admin commands do, as JSON over HTTPS
 * with the same shapes ({@link AdminViews}), for scripts and tools that do not run on the server's host.
 *
 * <pre>
 * POST   /admin/api/token                      Basic NAME:PASSWORD [form new_password=...] -> {access_token, ...}
 * GET    /admin/api/vos                        POST {name, public_url?, profile?, algorithm?, lifetime?, max_lifetime?,
 *                                              default_audience?, refresh_lifetime?, device_code_lifetime?, id_token_lifetime?}
 * GET    /admin/api/vos/V/clients              POST {name, grants, scope?, audiences?, redirect_uris?, public?, jwks?,
 *                                              access_lifetime?, max_access_lifetime?, refresh_lifetime?, id_token_lifetime?,
 *                                              device_code_lifetime?}
 * DELETE /admin/api/vos/V/clients/ID
 * GET    /admin/api/vos/V/users                POST {username, password, groups?}
 * GET    /admin/api/vos/V/policy               POST {group|user|client, scope, deny?}
 * DELETE /admin/api/vos/V/policy/ID
 * POST   /admin/api/vos/V/policy/explain       {client, user?, scope?}
 * GET    /admin/api/vos/V/keys                 POST /admin/api/vos/V/keys/rotate {prepublish?}
 * PUT    /admin/api/vos/V/keys/schedule        {every: "90d" | null}
 * </pre>
 *
 * Every call but the first needs {@code Authorization: Bearer TOKEN}; every change is logged with the
 * administrator's name to the {@code audit} logger.
 */
final class AdminApi {
    static final String PREFIX = "/admin/api/";
    private static final Logger AUDIT = LoggerFactory.getLogger("audit");

    private final Administrators administrators;
    private final Administration admin;
    private final Supplier<String> publicUrl;
    private final Duration prepublish;
    private final Runnable changed;

    /**
     * @param publicUrl  the URL new VOs are served at unless a request names one
     * @param prepublish how long a rotation's key is published before it signs, unless a request says
     * @param changed    run after every change, so that this server serves it at once
     */
    AdminApi(Administrators administrators, Administration admin, Supplier<String> publicUrl, Duration prepublish,
             Runnable changed) {
        this.administrators = administrators;
        this.admin = admin;
        this.publicUrl = publicUrl;
        this.prepublish = prepublish;
        this.changed = changed;
    }

    /** A refusal with its HTTP status and OAuth-style error code. */
    private static final class Refusal extends Exception {
        final int status;
        final String error;

        Refusal(int status, String error, String description) {
            super(description, null, false, false);
            this.status = status;
            this.error = error;
        }
    }

    void handle(String path, Request request, Response response, Callback callback) throws IOException {
        try {
            String method = request.getMethod();
            List<String> parts = List.of(path.substring(PREFIX.length()).split("/", -1));
            if (parts.equals(List.of("token"))) {
                expect(method, "POST");
                token(request, response, callback);
                return;
            }
            String who = administrator(request);
            Object result = route(method, parts, request);
            boolean query = method.equals("GET") || path.endsWith("/policy/explain"); // a dry run changes nothing
            if (!query) {
                AUDIT.info("admin {} {} {}", who, method, path);
                changed.run();
            }
            if (result == null) {
                Responses.empty(response, callback, 204);
            } else {
                reply(response, callback, method.equals("POST") && !query ? 201 : 200, result);
            }
        } catch (Refusal e) {
            fail(response, callback, e.status, e.error, e.getMessage());
        } catch (IllegalArgumentException e) {
            fail(response, callback, 400, "invalid_request", e.getMessage());
        }
    }

    private Object route(String method, List<String> parts, Request request) throws Refusal, IOException {
        if (parts.equals(List.of("vos"))) {
            return switch (method) {
                case "GET" -> admin.vos().stream().map(AdminViews::of).toList();
                case "POST" -> AdminViews.of(addVo(body(request)));
                default -> throw notAllowed();
            };
        }
        if (parts.size() < 3 || !parts.get(0).equals("vos")) {
            throw new Refusal(404, "not_found", "no such resource");
        }
        String vo = admin.vo(parts.get(1)).name(); // IllegalArgumentException (400) when there is no such VO
        String what = String.join("/", parts.subList(2, parts.size()));
        if (what.equals("clients")) {
            return switch (method) {
                case "GET" -> admin.clients(vo).stream().map(AdminViews::of).toList();
                case "POST" -> addClient(vo, body(request));
                default -> throw notAllowed();
            };
        }
        if (what.startsWith("clients/") && parts.size() == 4) {
            expect(method, "DELETE");
            admin.removeClient(vo, parts.get(3));
            return null;
        }
        if (what.equals("users")) {
            return switch (method) {
                case "GET" -> admin.users(vo).stream().map(AdminViews::of).toList();
                case "POST" -> {
                    Map<String, Object> body = body(request);
                    String username = string(body, "username", true);
                    Object claims = body.get("claims");
                    if (claims != null && !(claims instanceof Map<?, ?>)) {
                        throw new IllegalArgumentException("claims is a JSON object");
                    }
                    yield AdminViews.of(admin.addUser(vo, username, string(body, "password", true).toCharArray(),
                            strings(body, "groups"), claims == null ? Map.of() : jsonObject(claims)));
                }
                default -> throw notAllowed();
            };
        }
        if (what.equals("policy")) {
            return switch (method) {
                case "GET" -> admin.rules(vo).stream().map(AdminViews::of).toList();
                case "POST" -> AdminViews.of(addRule(vo, body(request)));
                default -> throw notAllowed();
            };
        }
        if (what.equals("policy/explain")) {
            expect(method, "POST");
            Map<String, Object> body = body(request);
            return AdminViews.of(admin.explain(vo, string(body, "user", false), string(body, "client", true),
                    Optional.ofNullable(string(body, "scope", false)).orElse("")));
        }
        if (what.startsWith("policy/") && parts.size() == 4) {
            expect(method, "DELETE");
            admin.removeRule(vo, parts.get(3));
            return null;
        }
        if (what.equals("keys")) {
            expect(method, "GET");
            return admin.keys(vo).stream().map(AdminViews::of).toList();
        }
        if (what.equals("keys/rotate")) {
            expect(method, "POST");
            Duration asked = duration(body(request), "prepublish");
            return AdminViews.of(admin.rotateKey(vo, asked != null ? asked : prepublish));
        }
        if (what.equals("keys/schedule")) {
            expect(method, "PUT");
            Duration every = duration(body(request), "every");
            admin.setKeySchedule(vo, every);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("vo", vo);
            out.put("rotate_every", every == null ? null : Durations.format(every));
            return out;
        }
        throw new Refusal(404, "not_found", "no such resource");
    }

    /** POST /admin/api/token: Basic credentials, and a new password when the old one was one-time. */
    private void token(Request request, Response response, Callback callback) throws IOException, Refusal {
        String[] credentials = basic(request.getHeaders().get(HttpHeader.AUTHORIZATION));
        String newPassword = null;
        if (request.getHeaders().get(HttpHeader.CONTENT_TYPE) != null) { // a form only to change the password
            try {
                newPassword = FormBody.read(request).get("new_password");
            } catch (OAuthException e) {
                throw new Refusal(e.status(), e.error(), e.description());
            }
        }
        try {
            Administrators.Token token = administrators.signIn(credentials[0], credentials[1].toCharArray(),
                    newPassword == null ? null : newPassword.toCharArray(), Request.getRemoteAddr(request));
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("access_token", token.value());
            out.put("token_type", "Bearer");
            out.put("expires_in", token.expiresIn());
            reply(response, callback, 200, out);
        } catch (Administrators.Refused e) {
            if (e.passwordChangeRequired()) {
                throw new Refusal(403, "password_change_required", e.getMessage());
            }
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Basic realm=\"tessera admin\"");
            throw new Refusal(401, "invalid_client", e.getMessage());
        }
    }

    private String administrator(Request request) throws Refusal {
        String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        String token = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)
                ? authorization.substring(7).strip() : null;
        return administrators.authenticate(token).orElseThrow(() -> new Refusal(401, "invalid_token",
                "an admin token is required: POST /admin/api/token with your administrator name and password"));
    }

    private dev.tessera.issuer.domain.Vo addVo(Map<String, Object> body) {
        Administration.VoSettings defaults = Administration.VoSettings.defaults(string(body, "name", true));
        String profile = string(body, "profile", false);
        String algorithm = string(body, "algorithm", false);
        Duration lifetime = duration(body, "lifetime");
        Duration maxLifetime = duration(body, "max_lifetime");
        Administration.VoSettings settings = new Administration.VoSettings(defaults.name(),
                profile == null ? defaults.profile() : profile(profile),
                algorithm == null ? defaults.algorithm() : Algorithm.valueOf(algorithm.toUpperCase(Locale.ROOT)),
                lifetime == null ? defaults.accessLifetime() : lifetime,
                maxLifetime == null ? defaults.maxAccessLifetime() : maxLifetime, string(body, "default_audience", false),
                duration(body, "refresh_lifetime"), duration(body, "device_code_lifetime"), duration(body, "id_token_lifetime"));
        String url = string(body, "public_url", false);
        return admin.addVo(settings, url == null ? publicUrl.get() : url);
    }

    private static Profile profile(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "scitokens", "scitokens2", "scitokens-2.0" -> Profile.SCITOKENS_2;
            case "wlcg", "wlcg-1.0" -> Profile.WLCG_1;
            default -> throw new IllegalArgumentException("profile is scitokens or wlcg: " + name);
        };
    }

    private Map<String, Object> addClient(String vo, Map<String, Object> body) {
        boolean isPublic = Boolean.TRUE.equals(body.get("public"));
        Object jwks = body.get("jwks");
        if (jwks != null && !(jwks instanceof Map<?, ?>)) {
            throw new IllegalArgumentException("jwks is a JWKS object");
        }
        Administration.Credentials credentials = jwks != null ? Administration.Credentials.PRIVATE_KEY_JWT
                : isPublic ? Administration.Credentials.NONE : Administration.Credentials.SECRET;
        Administration.NewClient created = admin.addClient(vo, new Administration.ClientSettings(string(body, "name", true),
                new LinkedHashSet<>(strings(body, "grants")), Optional.ofNullable(string(body, "scope", false)).orElse(""),
                strings(body, "audiences"), strings(body, "redirect_uris"), credentials,
                jwks == null ? null : Json.write(jsonObject(jwks)), new Client.Lifetimes(duration(body, "access_lifetime"),
                duration(body, "max_access_lifetime"), duration(body, "refresh_lifetime"), duration(body, "id_token_lifetime"),
                duration(body, "device_code_lifetime")), false));
        Map<String, Object> out = new LinkedHashMap<>(AdminViews.of(created.client()));
        if (created.secret() != null) {
            out.put("client_secret", created.secret()); // shown this once: stored hashed
        }
        return out;
    }

    @SuppressWarnings("unchecked") // a parsed JSON object: its keys are strings
    private static Map<String, Object> jsonObject(Object value) {
        return (Map<String, Object>) value;
    }

    private PolicyRule addRule(String vo, Map<String, Object> body) {
        List<Map.Entry<PolicyRule.Kind, String>> named = new ArrayList<>();
        for (PolicyRule.Kind kind : PolicyRule.Kind.values()) {
            String subject = string(body, kind.id(), false);
            if (subject != null) {
                named.add(Map.entry(kind, subject));
            }
        }
        if (named.size() != 1) {
            throw new IllegalArgumentException("name exactly one of group, user, client");
        }
        return admin.addRule(vo, named.get(0).getKey(), named.get(0).getValue(), string(body, "scope", true),
                Boolean.TRUE.equals(body.get("deny")) ? PolicyRule.Effect.DENY : PolicyRule.Effect.GRANT);
    }

    private static Map<String, Object> body(Request request) throws IOException, Refusal {
        try {
            String text = FormBody.text(request, "application/json");
            return text.isBlank() ? Map.of() : Json.parseObject(text);
        } catch (OAuthException e) {
            throw new Refusal(e.status(), e.error(), e.description());
        } catch (ParseException e) {
            throw new Refusal(400, "invalid_request", "the body is not a JSON object");
        }
    }

    private static String string(Map<String, Object> body, String name, boolean required) {
        Object value = body.get(name);
        if (value == null && !required) {
            return null;
        }
        if (value instanceof String s) {
            return s;
        }
        throw new IllegalArgumentException(name + (value == null ? " is required" : " must be a string"));
    }

    private static List<String> strings(Map<String, Object> body, String name) {
        Object value = body.get(name);
        if (value == null) {
            return List.of();
        }
        if (value instanceof List<?> list && list.stream().allMatch(String.class::isInstance)) {
            return list.stream().map(String.class::cast).toList();
        }
        throw new IllegalArgumentException(name + " must be a list of strings");
    }

    private static Duration duration(Map<String, Object> body, String name) {
        Object value = body.get(name);
        if (value == null) {
            return null;
        }
        if (value instanceof Number n) {
            return Duration.ofSeconds(n.longValue());
        }
        if (value instanceof String s) {
            return Durations.parse(s);
        }
        throw new IllegalArgumentException(name + " is a duration such as \"90d\" or a number of seconds");
    }

    private static String[] basic(String authorization) throws Refusal {
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            throw new Refusal(401, "invalid_client", "HTTP Basic authentication with an administrator's name and password");
        }
        try {
            String decoded = new String(Base64.getDecoder().decode(authorization.substring(6).strip()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            if (colon > 0) {
                return new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)};
            }
        } catch (IllegalArgumentException e) {
            // answered below
        }
        throw new Refusal(400, "invalid_request", "malformed Basic credentials");
    }

    private static void expect(String method, String allowed) throws Refusal {
        if (!method.equals(allowed)) {
            throw notAllowed();
        }
    }

    private static Refusal notAllowed() {
        return new Refusal(405, "method_not_allowed", "method not allowed here");
    }

    @SuppressWarnings("unchecked") // the views are maps with string keys, or lists of them
    private static void reply(Response response, Callback callback, int status, Object body) {
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        Responses.json(response, callback, status, body instanceof List<?> list ? JSONArrayUtils.toJSONString(list)
                : Json.write((Map<String, ?>) body));
    }

    private static void fail(Response response, Callback callback, int status, String error, String description) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", error);
        body.put("error_description", OAuthResponses.printable(description == null ? "" : description));
        if (status == 401 && !response.getHeaders().contains(HttpHeader.WWW_AUTHENTICATE)) {
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer realm=\"tessera admin\"");
        }
        reply(response, callback, status, body);
    }
}
