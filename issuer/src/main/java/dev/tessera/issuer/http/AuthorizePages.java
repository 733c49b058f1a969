package dev.tessera.issuer.http;

import dev.tessera.issuer.service.OAuthException;
import dev.tessera.issuer.service.Parameters;
import dev.tessera.issuer.service.VoContext;
import dev.tessera.issuer.service.authorize.AuthorizationFlow;
import dev.tessera.issuer.service.login.Login;
import dev.tessera.issuer.service.login.Login.SignedIn;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The authorization endpoint's pages (RFC 6749 §4.1.1, OpenID Connect Core §3.1.2): sign in when needed, see
 * what the application asks for, approve (possibly less) or deny; then the browser goes back to the
 * application. The application's request travels in the forms (field {@code request}: its query, as sent)
 * and is validated again at every step, so nothing is stored before the person decides. Approvals are never
 * remembered: the person is asked every time.
 */
final class AuthorizePages {
    private final AuthorizationFlow flow;
    private final Login login;
    private final Clock clock;

    AuthorizePages(AuthorizationFlow flow, Login login, Clock clock) {
        this.flow = flow;
        this.login = login;
        this.clock = clock;
    }

    /** GET (or form POST) /authorize: the application's request. */
    void start(VoContext vo, Request request, Response response, Callback callback) throws IOException {
        String raw;
        try {
            raw = request.getMethod().equals("POST") ? FormBody.text(request, "application/x-www-form-urlencoded")
                    : request.getHttpURI().getQuery();
        } catch (OAuthException e) {
            refuse(vo, request, response, callback, e);
            return;
        }
        AuthorizationFlow.Request valid = validate(vo, raw == null ? "" : raw, request, response, callback);
        if (valid == null) {
            return;
        }
        Optional<SignedIn> who = login.signedIn(vo, Pages.cookie(request, Pages.SESSION_COOKIE));
        boolean mustSignIn = who.isEmpty() || valid.prompt() != null && valid.prompt().contains("login")
                || !valid.accepts(who.get().since(), clock.instant().getEpochSecond());
        if (mustSignIn) {
            signInForm(vo, request, response, callback, 200, valid, raw, null, null);
        } else {
            consent(vo, request, response, callback, who.get(), valid, raw);
        }
    }

    /** POST /authorize/signin: the sign-in form; then the consent page. */
    void signIn(VoContext vo, Request request, Response response, Callback callback) throws IOException {
        Step step = step(vo, request, response, callback);
        if (step == null) {
            return;
        }
        Parameters form = step.form();
        String raw = step.raw();
        AuthorizationFlow.Request valid = step.valid();
        String username = form.get("username");
        String password = form.get("password");
        if (username == null || password == null) {
            signInForm(vo, request, response, callback, 400, valid, raw, "Enter your username and password.", null);
            return;
        }
        try {
            String session = login.signIn(vo, username, password.toCharArray(), Request.getRemoteAddr(request));
            Pages.setSession(response, session);
            consent(vo, request, response, callback, login.signedIn(vo, session).orElseThrow(), valid, raw);
        } catch (Login.Refused e) {
            signInForm(vo, request, response, callback, 401, valid, raw, e.getMessage(), username);
        }
    }

    /** POST /authorize/decide: back to the application, with a code or with {@code access_denied}. */
    void decide(VoContext vo, Request request, Response response, Callback callback) throws IOException {
        Step step = step(vo, request, response, callback);
        if (step == null) {
            return;
        }
        Parameters form = step.form();
        String raw = step.raw();
        AuthorizationFlow.Request valid = step.valid();
        Optional<SignedIn> who = login.signedIn(vo, Pages.cookie(request, Pages.SESSION_COOKIE));
        if (who.isEmpty() || !valid.accepts(who.get().since(), clock.instant().getEpochSecond())) {
            signInForm(vo, request, response, callback, 401, valid, raw, "Please sign in again.", null);
            return;
        }
        if (!"approve".equals(form.get("decision"))) {
            redirect(response, callback, flow.denied(vo, valid));
            return;
        }
        String chosen = ConsentOffer.of(vo, who.get().account(), valid.client(), valid.scope()).chosen(form);
        redirect(response, callback, flow.approve(vo, valid, who.get().account(), who.get().since(), chosen));
    }

    /** A form posted by one of the pages, with the application's request it carries, validated again. */
    private record Step(Parameters form, String raw, AuthorizationFlow.Request valid) {
    }

    /** The posted step, or {@code null} once a bad form or request has been answered. */
    private Step step(VoContext vo, Request request, Response response, Callback callback) throws IOException {
        Parameters form = Pages.form(vo, request, response, callback);
        if (form == null) {
            return null;
        }
        String raw = form.get("request") == null ? "" : form.get("request");
        AuthorizationFlow.Request valid = validate(vo, raw, request, response, callback);
        return valid == null ? null : new Step(form, raw, valid);
    }

    /** The validated request, or {@code null} once the refusal has been answered (a page, or back to the client). */
    private AuthorizationFlow.Request validate(VoContext vo, String raw, Request request, Response response,
                                               Callback callback) {
        try {
            return flow.validate(vo, FormBody.parse(raw));
        } catch (OAuthException e) {
            refuse(vo, request, response, callback, e);
        } catch (AuthorizationFlow.Redirect e) {
            redirect(response, callback, e.location());
        }
        return null;
    }

    /** A request that cannot go back to the application (unknown client or redirect URI): the person is told. */
    private static void refuse(VoContext vo, Request request, Response response, Callback callback, OAuthException e) {
        Pages.message(vo, request, response, callback, 400, Optional.empty(), "Request not valid",
                "The application sent a request this issuer cannot accept: " + e.description()
                        + ". Tell the application's maintainers.");
    }

    private static void redirect(Response response, Callback callback, String location) {
        response.setStatus(303);
        response.getHeaders().put(HttpHeader.LOCATION, location);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put("Referrer-Policy", "no-referrer");
        response.write(true, null, callback);
    }

    private void signInForm(VoContext vo, Request request, Response response, Callback callback, int status,
                            AuthorizationFlow.Request valid, String raw, String error, String username) {
        Map<String, Object> model = Pages.base(vo, Optional.empty(), "Sign in", error);
        model.put("username", username); // kept after a failed sign-in, the password never
        model.put("client", valid.client().client().name());
        model.put("request", raw);
        Pages.render(request, response, callback, status, "signin", model);
    }

    private void consent(VoContext vo, Request request, Response response, Callback callback, SignedIn who,
                         AuthorizationFlow.Request valid, String raw) {
        URI target = URI.create(valid.redirectUri());
        Map<String, Object> model = ConsentOffer.of(vo, who.account(), valid.client(), valid.scope()).model(
                Pages.base(vo, Optional.of(who.account()), "Approve access?", null), String.join(" ", valid.audience()),
                "/vo/" + vo.vo().name() + "/authorize/decide", Map.of("request", raw));
        model.put("redirectHost", Pages.source(target));
        Pages.render(request, response, callback, 200, "consent", model, target);
    }
}
