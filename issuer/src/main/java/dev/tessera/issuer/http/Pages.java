package dev.tessera.issuer.http;

import com.samskivert.mustache.Mustache;
import com.samskivert.mustache.Template;
import dev.tessera.issuer.domain.Account;
import dev.tessera.issuer.service.OAuthException;
import dev.tessera.issuer.service.Parameters;
import dev.tessera.issuer.service.Secrets;
import dev.tessera.issuer.service.VoContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Server-rendered pages: logic-less templates (HTML-escaped), the security headers every page carries
 * (no framing, a strict content security policy, no caching, no referrer), and the two cookies: the
 * session, and a CSRF token every form must echo (double submit; both cookies are {@code __Host-},
 * {@code Secure}, {@code SameSite}).
 */
final class Pages {
    static final String SESSION_COOKIE = "__Host-tessera-session";
    static final String CSRF_COOKIE = "__Host-tessera-csrf";
    private static final Mustache.Compiler COMPILER = Mustache.compiler().withLoader(Pages::reader).defaultValue("");
    private static final Map<String, Template> TEMPLATES = new ConcurrentHashMap<>();

    private Pages() {
    }

    private static Reader reader(String name) {
        InputStream in = Pages.class.getResourceAsStream("/dev/tessera/issuer/pages/" + name + ".mustache");
        if (in == null) {
            throw new UncheckedIOException(new IOException("no template " + name));
        }
        return new InputStreamReader(in, StandardCharsets.UTF_8);
    }

    /** Renders {@code template} with {@code model} (plus the CSRF token) as a complete page. */
    static void render(Request request, Response response, Callback callback, int status, String template,
                       Map<String, Object> model) {
        render(request, response, callback, status, template, model, null);
    }

    /**
     * As above, for a page whose form may end in a redirect to {@code formTarget}'s origin (a client's redirect
     * URI): browsers apply the {@code form-action} policy to the redirects after a submission too.
     */
    static void render(Request request, Response response, Callback callback, int status, String template,
                       Map<String, Object> model, java.net.URI formTarget) {
        Map<String, Object> all = new HashMap<>(model);
        all.put("csrf", csrfToken(request, response));
        String html = TEMPLATES.computeIfAbsent(template, name -> {
            try (Reader reader = reader(name)) {
                return COMPILER.compile(reader);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).execute(all);
        secure(response, formTarget);
        byte[] bytes = html.getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/html; charset=utf-8");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        response.write(true, java.nio.ByteBuffer.wrap(bytes), callback);
    }

    /** The model every page starts from: the VO, the title, an error to show, who is signed in. */
    static Map<String, Object> base(VoContext vo, Optional<Account> account, String title, String error) {
        Map<String, Object> model = new HashMap<>();
        model.put("vo", vo.vo().name());
        model.put("base", "/vo/" + vo.vo().name());
        model.put("title", title);
        model.put("error", error);
        model.put("user", account.map(Account::username).orElse(null));
        return model;
    }

    /** A page that only says something. */
    static void message(VoContext vo, Request request, Response response, Callback callback, int status,
                        Optional<Account> account, String title, String text) {
        Map<String, Object> model = base(vo, account, title, null);
        model.put("message", text);
        render(request, response, callback, status, "message", model);
    }

    /** The form of a POST if it parses and its CSRF token is right; otherwise answers and returns {@code null}. */
    static Parameters form(VoContext vo, Request request, Response response, Callback callback) throws IOException {
        Parameters form;
        try {
            form = FormBody.read(request);
        } catch (OAuthException e) {
            message(vo, request, response, callback, e.status(), Optional.empty(), "Bad request", e.description());
            return null;
        }
        if (!csrfValid(request, form.get("csrf"))) {
            message(vo, request, response, callback, 403, Optional.empty(), "Form expired",
                    "This form is no longer valid (it came from another page or your session changed). Go back and reload it.");
            return null;
        }
        return form;
    }

    /** Headers for every page: no framing (clickjacking), no inline script or style, nothing cached or leaked. */
    private static void secure(Response response, java.net.URI formTarget) {
        var headers = response.getHeaders();
        String formAction = formTarget == null ? "'self'" : "'self' " + source(formTarget);
        headers.put("Content-Security-Policy", "default-src 'none'; style-src 'self'; form-action " + formAction
                + "; frame-ancestors 'none'; base-uri 'none'");
        headers.put("X-Frame-Options", "DENY");
        headers.put("X-Content-Type-Options", "nosniff");
        headers.put("Referrer-Policy", "no-referrer");
        headers.put(HttpHeader.CACHE_CONTROL, "no-store");
        headers.put("Strict-Transport-Security", "max-age=31536000");
    }

    /** A redirect URI as a CSP source: its origin, or its scheme for a private-use scheme (no authority). */
    static String source(java.net.URI target) {
        return target.getRawAuthority() == null ? target.getScheme() + ":"
                : target.getScheme() + "://" + target.getRawAuthority();
    }

    /** The request's CSRF token, set as a cookie when it has none. */
    static String csrfToken(Request request, Response response) {
        String token = cookie(request, CSRF_COOKIE);
        if (token == null || token.length() < 32) {
            token = Secrets.random(24);
            Response.addCookie(response, HttpCookie.build(CSRF_COOKIE, token).path("/").secure(true).httpOnly(true)
                    .sameSite(HttpCookie.SameSite.STRICT).build());
            request.setAttribute(CSRF_COOKIE, token); // later renders of this request use the same one
        }
        return token;
    }

    /** Whether a form's CSRF field matches the cookie it was rendered with. */
    static boolean csrfValid(Request request, String field) {
        String cookie = cookie(request, CSRF_COOKIE);
        return cookie != null && field != null && cookie.length() >= 32
                && MessageDigest.isEqual(cookie.getBytes(StandardCharsets.US_ASCII), field.getBytes(StandardCharsets.US_ASCII));
    }

    static String cookie(Request request, String name) {
        Object set = request.getAttribute(name);
        if (set instanceof String value) {
            return value;
        }
        for (HttpCookie cookie : Request.getCookies(request)) {
            if (cookie.getName().equals(name)) {
                return cookie.getValue();
            }
        }
        return null;
    }

    static void setSession(Response response, String session) {
        Response.addCookie(response, HttpCookie.build(SESSION_COOKIE, session).path("/").secure(true).httpOnly(true)
                .sameSite(HttpCookie.SameSite.LAX).build());
    }

    static void clearSession(Response response) {
        Response.addCookie(response, HttpCookie.build(SESSION_COOKIE, "").path("/").secure(true).httpOnly(true)
                .sameSite(HttpCookie.SameSite.LAX).maxAge(0).build());
    }
}
