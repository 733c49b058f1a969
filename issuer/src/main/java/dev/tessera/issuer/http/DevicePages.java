package dev.tessera.issuer.http;

import dev.tessera.issuer.domain.Account;
import dev.tessera.issuer.domain.DeviceGrant;
import dev.tessera.issuer.service.OAuthException;
import dev.tessera.issuer.service.Parameters;
import dev.tessera.issuer.service.VoContext;
import dev.tessera.issuer.service.VoContext.RegisteredClient;
import dev.tessera.issuer.service.device.DeviceFlow;
import dev.tessera.issuer.service.login.Login;
import dev.tessera.issuer.service.policy.Policy;
import dev.tessera.issuer.service.policy.Principal;
import dev.tessera.issuer.service.policy.RequestedScope;
import dev.tessera.token.scope.InvalidScopeException;
import java.io.IOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The device approval pages: sign in, enter the code, see what the device asks for, approve (possibly
 * less) or deny. It always asks: approvals are never remembered (the lesson of device-code phishing).
 */
final class DevicePages {
    private final DeviceFlow flow;
    private final Login login;
    private final Clock clock;

    DevicePages(DeviceFlow flow, Login login, Clock clock) {
        this.flow = flow;
        this.login = login;
        this.clock = clock;
    }

    /** GET /device: the code form (with sign-in fields unless signed in). */
    void show(VoContext vo, Request request, Response response, Callback callback) {
        Optional<Account> account = login.account(vo, Pages.cookie(request, Pages.SESSION_COOKIE));
        String typed = Request.extractQueryParameters(request).getValue("user_code");
        codeForm(vo, request, response, callback, 200, account, typed, null);
    }

    /** POST /device: sign in if needed, look the code up, show the consent page. */
    void submit(VoContext vo, Request request, Response response, Callback callback) throws IOException {
        Parameters form = form(vo, request, response, callback);
        if (form == null) {
            return;
        }
        String typed = form.get("user_code");
        Optional<Account> account = login.account(vo, Pages.cookie(request, Pages.SESSION_COOKIE));
        if (account.isEmpty()) {
            String username = form.get("username");
            String password = form.get("password");
            if (username == null || password == null) {
                codeForm(vo, request, response, callback, 400, account, typed, "Enter your username and password.");
                return;
            }
            try {
                String session = login.signIn(vo, username, password.toCharArray(), Request.getRemoteAddr(request));
                Pages.setSession(response, session);
                account = login.account(vo, session);
            } catch (Login.Refused e) {
                codeForm(vo, request, response, callback, 401, Optional.empty(), typed, e.getMessage());
                return;
            }
        }
        Optional<DeviceGrant> grant = pending(vo, typed);
        if (grant.isEmpty()) {
            codeForm(vo, request, response, callback, 400, account, typed,
                    "That code is unknown, expired or already used. Check it, or start again on your device.");
            return;
        }
        consent(vo, request, response, callback, account.orElseThrow(), grant.get());
    }

    /** POST /device/decide: record the person's decision. */
    void decide(VoContext vo, Request request, Response response, Callback callback) throws IOException {
        Parameters form = form(vo, request, response, callback);
        if (form == null) {
            return;
        }
        Optional<Account> account = login.account(vo, Pages.cookie(request, Pages.SESSION_COOKIE));
        if (account.isEmpty()) {
            codeForm(vo, request, response, callback, 401, account, form.get("user_code"), "Please sign in again.");
            return;
        }
        Optional<DeviceGrant> grant = pending(vo, form.get("user_code"));
        if (grant.isEmpty()) {
            message(vo, request, response, callback, 400, account, "Code not valid",
                    "That code is unknown, expired or already used. Start again on your device.");
            return;
        }
        if (!"approve".equals(form.get("decision"))) {
            flow.decide(grant.get(), false, account.get().username(), null);
            message(vo, request, response, callback, 200, account, "Denied",
                    "The request was denied; the device gets no token. You can close this page.");
            return;
        }
        Offer offer = offer(vo, account.get(), grant.get());
        List<String> chosen = new ArrayList<>();
        for (int i = 0; i < offer.items().size(); i++) {
            Map<String, Object> item = offer.items().get(i);
            String value = form.get("s" + i);
            if (Boolean.TRUE.equals(item.get("granted")) && item.get("scope").equals(value)) {
                chosen.add(value); // only what was offered, whatever the form says
            }
        }
        if (!flow.decide(grant.get(), true, account.get().username(), String.join(" ", chosen))) {
            message(vo, request, response, callback, 400, account, "Code not valid",
                    "That code expired or was used meanwhile. Start again on your device.");
            return;
        }
        message(vo, request, response, callback, 200, account, "Approved",
                "Done: return to your device, it will receive its token. You can close this page.");
    }

    /** POST /logout. */
    void logout(VoContext vo, Request request, Response response, Callback callback) throws IOException {
        Parameters form = form(vo, request, response, callback);
        if (form == null) {
            return;
        }
        login.signOut(Pages.cookie(request, Pages.SESSION_COOKIE));
        Pages.clearSession(response);
        message(vo, request, response, callback, 200, Optional.empty(), "Signed out", "You are signed out.");
    }

    /** The form of a POST if its CSRF token is right; otherwise answers and returns {@code null}. */
    private Parameters form(VoContext vo, Request request, Response response, Callback callback) throws IOException {
        Parameters form;
        try {
            form = FormBody.read(request);
        } catch (OAuthException e) {
            message(vo, request, response, callback, e.status(), Optional.empty(), "Bad request", e.description());
            return null;
        }
        if (!Pages.csrfValid(request, form.get("csrf"))) {
            message(vo, request, response, callback, 403, Optional.empty(), "Form expired",
                    "This form is no longer valid (it came from another page or your session changed). Go back and reload it.");
            return null;
        }
        return form;
    }

    private Optional<DeviceGrant> pending(VoContext vo, String typed) {
        long now = clock.instant().getEpochSecond();
        return flow.find(vo, typed).filter(g -> g.status() == DeviceGrant.Status.PENDING && g.expiresAt() > now);
    }

    /** What the person may approve: each requested capability with policy's verdict, then the protocol scopes. */
    private record Offer(RegisteredClient client, List<Map<String, Object>> items) {
    }

    private Offer offer(VoContext vo, Account account, DeviceGrant grant) {
        RegisteredClient client = vo.client(grant.clientId());
        List<Map<String, Object>> items = new ArrayList<>();
        if (client == null) {
            return new Offer(null, items);
        }
        RequestedScope requested;
        try {
            requested = RequestedScope.parse(grant.scope());
        } catch (InvalidScopeException e) {
            return new Offer(client, items); // checked when the device asked
        }
        Principal who = new Principal(client.client().clientId(), account.username(), account.subject(), account.groups());
        Policy.Decision decision = vo.policy().decide(who, client.scope(), requested.capabilities());
        for (Policy.Verdict verdict : decision.verdicts()) {
            items.add(item(items.size(), verdict.scope(), verdict.granted(), verdict.reason()));
        }
        Set<String> clientScopes = Set.of(client.client().scope().split(" "));
        for (String scope : requested.protocol()) {
            boolean allowed = clientScopes.contains(scope);
            items.add(item(items.size(), scope, allowed, allowed ? null : "this application may not ask for it"));
        }
        return new Offer(client, items);
    }

    private static Map<String, Object> item(int index, String scope, boolean granted, String reason) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("field", "s" + index);
        item.put("scope", scope);
        item.put("granted", granted);
        item.put("reason", reason);
        item.put("description", ScopeDescriptions.describe(scope));
        return item;
    }

    private void consent(VoContext vo, Request request, Response response, Callback callback, Account account,
                         DeviceGrant grant) {
        Offer offer = offer(vo, account, grant);
        if (offer.client() == null) {
            message(vo, request, response, callback, 400, Optional.of(account), "Code not valid",
                    "The application that asked for this code no longer exists.");
            return;
        }
        Map<String, Object> model = base(vo, Optional.of(account), "Approve access?", null);
        model.put("client", offer.client().client().name());
        model.put("selfRegistered", offer.client().client().selfRegistered());
        model.put("audience", grant.audience().isEmpty() ? null : grant.audience().replace(" ", ", "));
        model.put("userCode", grant.displayUserCode());
        model.put("items", offer.items());
        Pages.render(request, response, callback, 200, "consent", model);
    }

    private void codeForm(VoContext vo, Request request, Response response, Callback callback, int status,
                          Optional<Account> account, String typed, String error) {
        Map<String, Object> model = base(vo, account, "Connect a device", error);
        model.put("userCode", typed == null ? "" : typed);
        Pages.render(request, response, callback, status, "device", model);
    }

    private void message(VoContext vo, Request request, Response response, Callback callback, int status,
                         Optional<Account> account, String title, String text) {
        Map<String, Object> model = base(vo, account, title, null);
        model.put("message", text);
        Pages.render(request, response, callback, status, "message", model);
    }

    private static Map<String, Object> base(VoContext vo, Optional<Account> account, String title, String error) {
        Map<String, Object> model = new HashMap<>();
        model.put("vo", vo.vo().name());
        model.put("base", "/vo/" + vo.vo().name());
        model.put("title", title);
        model.put("error", error);
        model.put("user", account.map(Account::username).orElse(null));
        return model;
    }
}
