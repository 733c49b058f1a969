package dev.tessera.issuer.http;

import dev.tessera.issuer.domain.Account;
import dev.tessera.issuer.domain.DeviceGrant;
import dev.tessera.issuer.service.Parameters;
import dev.tessera.issuer.service.VoContext;
import dev.tessera.issuer.service.VoContext.RegisteredClient;
import dev.tessera.issuer.service.device.DeviceFlow;
import dev.tessera.issuer.service.login.Login;
import java.io.IOException;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
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
        codeForm(vo, request, response, callback, 200, account, typed, null, null);
    }

    /** POST /device: sign in if needed, look the code up, show the consent page. */
    void submit(VoContext vo, Request request, Response response, Callback callback) throws IOException {
        Parameters form = Pages.form(vo, request, response, callback);
        if (form == null) {
            return;
        }
        String typed = form.get("user_code");
        Optional<Account> account = login.account(vo, Pages.cookie(request, Pages.SESSION_COOKIE));
        if (account.isEmpty()) {
            String username = form.get("username");
            String password = form.get("password");
            if (username == null || password == null) {
                codeForm(vo, request, response, callback, 400, account, typed, "Enter your username and password.", null);
                return;
            }
            try {
                String session = login.signIn(vo, username, password.toCharArray(), Request.getRemoteAddr(request));
                Pages.setSession(response, session);
                account = login.account(vo, session);
            } catch (Login.Refused e) {
                codeForm(vo, request, response, callback, 401, Optional.empty(), typed, e.getMessage(), username);
                return;
            }
        }
        Optional<DeviceGrant> grant = pending(vo, typed);
        if (grant.isEmpty()) {
            codeForm(vo, request, response, callback, 400, account, typed,
                    "That code is unknown, expired or already used. Check it, or start again on your device.", null);
            return;
        }
        consent(vo, request, response, callback, account.orElseThrow(), grant.get());
    }

    /** POST /device/decide: record the person's decision. */
    void decide(VoContext vo, Request request, Response response, Callback callback) throws IOException {
        Parameters form = Pages.form(vo, request, response, callback);
        if (form == null) {
            return;
        }
        Optional<Account> account = login.account(vo, Pages.cookie(request, Pages.SESSION_COOKIE));
        if (account.isEmpty()) {
            codeForm(vo, request, response, callback, 401, account, form.get("user_code"), "Please sign in again.", null);
            return;
        }
        Optional<DeviceGrant> grant = pending(vo, form.get("user_code"));
        if (grant.isEmpty()) {
            Pages.message(vo, request, response, callback, 400, account, "Code not valid",
                    "That code is unknown, expired or already used. Start again on your device.");
            return;
        }
        if (!"approve".equals(form.get("decision"))) {
            flow.decide(grant.get(), false, account.get().username(), null);
            Pages.message(vo, request, response, callback, 200, account, "Denied",
                    "The request was denied; the device gets no token. You can close this page.");
            return;
        }
        RegisteredClient client = vo.client(grant.get().clientId());
        String chosen = client == null ? "" : ConsentOffer.of(vo, account.get(), client, grant.get().scope()).chosen(form);
        if (client == null || !flow.decide(grant.get(), true, account.get().username(), chosen)) {
            Pages.message(vo, request, response, callback, 400, account, "Code not valid",
                    "That code expired or was used meanwhile. Start again on your device.");
            return;
        }
        Pages.message(vo, request, response, callback, 200, account, "Approved",
                "Done: return to your device, it will receive its token. You can close this page.");
    }

    /** POST /logout. */
    void logout(VoContext vo, Request request, Response response, Callback callback) throws IOException {
        Parameters form = Pages.form(vo, request, response, callback);
        if (form == null) {
            return;
        }
        login.signOut(Pages.cookie(request, Pages.SESSION_COOKIE));
        Pages.clearSession(response);
        Pages.message(vo, request, response, callback, 200, Optional.empty(), "Signed out", "You are signed out.");
    }

    private Optional<DeviceGrant> pending(VoContext vo, String typed) {
        long now = clock.instant().getEpochSecond();
        return flow.find(vo, typed).filter(g -> g.status() == DeviceGrant.Status.PENDING && g.expiresAt() > now);
    }

    private void consent(VoContext vo, Request request, Response response, Callback callback, Account account,
                         DeviceGrant grant) {
        RegisteredClient client = vo.client(grant.clientId());
        if (client == null) {
            Pages.message(vo, request, response, callback, 400, Optional.of(account), "Code not valid",
                    "The application that asked for this code no longer exists.");
            return;
        }
        Map<String, Object> model = ConsentOffer.of(vo, account, client, grant.scope()).model(
                Pages.base(vo, Optional.of(account), "Approve access?", null), grant.audience(),
                "/vo/" + vo.vo().name() + "/device/decide", Map.of("user_code", grant.displayUserCode()));
        model.put("userCode", grant.displayUserCode());
        Pages.render(request, response, callback, 200, "consent", model);
    }

    private void codeForm(VoContext vo, Request request, Response response, Callback callback, int status,
                          Optional<Account> account, String typed, String error, String username) {
        Map<String, Object> model = Pages.base(vo, account, "Connect a device", error);
        model.put("username", username); // kept after a failed sign-in, the password never
        model.put("userCode", typed == null ? "" : typed);
        Pages.render(request, response, callback, status, "device", model);
    }
}
