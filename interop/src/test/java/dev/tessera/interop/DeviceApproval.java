package dev.tessera.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.token.discovery.TrustMaterial;
import java.io.IOException;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The person at the other end of a device flow, in a browser without the browser: opens the verification URI
 * the device printed, signs in, enters the user code, and approves everything the consent page offers, or
 * denies. Cookies are kept (the session and the double-submit CSRF cookie are {@code __Host-} Secure cookies,
 * so this only works over HTTPS) and forms are posted where their {@code action} points, as a browser would.
 */
final class DeviceApproval {
    private static final Pattern FORM = Pattern.compile("<form method=\"post\" action=\"([^\"]+)\">(.*?)</form>",
            Pattern.DOTALL);
    private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");
    /** A scope the consent page offers (policy and the client allow it): a ticked checkbox. */
    private static final Pattern OFFERED = Pattern.compile("<input type=\"checkbox\" id=\"[^\"]*\" name=\"(s\\d+)\" "
            + "value=\"([^\"]*)\" checked>");

    private final HttpClient browser;
    private final URI verificationUri;

    /** A new browser (no cookies yet) about to visit {@code verificationUri}. */
    DeviceApproval(String verificationUri) throws GeneralSecurityException, IOException {
        this.verificationUri = URI.create(verificationUri);
        this.browser = HttpClient.newBuilder().sslContext(TrustMaterial.sslContext(List.of(Peers.CA_PEM)))
                .cookieHandler(new CookieManager(null, CookiePolicy.ACCEPT_ALL))
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** What the consent page offered and what the person's decision led to. */
    record Outcome(Map<String, String> offered, String page) {
        /** The {@code <h1>} of the page the decision led to ("Approved", "Denied"). */
        String title() {
            Matcher m = Pattern.compile("<h1>([^<]*)</h1>").matcher(page);
            return m.find() ? m.group(1) : "(no title)";
        }
    }

    /** Signs in, submits {@code userCode} and approves every scope the consent page offers, ticked as shown. */
    Outcome approve(String userCode, String username, String password) throws IOException, InterruptedException {
        return decide(userCode, username, password, "approve");
    }

    /** Signs in, submits {@code userCode} and denies the request. */
    Outcome deny(String userCode, String username, String password) throws IOException, InterruptedException {
        return decide(userCode, username, password, "deny");
    }

    private Outcome decide(String userCode, String username, String password, String decision)
            throws IOException, InterruptedException {
        HttpResponse<String> codePage = get(verificationUri);
        assertThat(codePage.statusCode()).as(codePage.body()).isEqualTo(200);
        Form signIn = form(codePage, "/device");
        HttpResponse<String> consent = post(signIn.action(), Map.of("csrf", signIn.csrf(), "user_code", userCode,
                "username", username, "password", password));
        assertThat(consent.statusCode()).as("consent page: %s", consent.body()).isEqualTo(200);

        Form decide = form(consent, "/device/decide");
        Map<String, String> offered = new LinkedHashMap<>();
        Matcher scopes = OFFERED.matcher(decide.body());
        while (scopes.find()) {
            offered.put(scopes.group(1), unescape(scopes.group(2)));
        }
        Map<String, String> fields = new LinkedHashMap<>(Map.of("csrf", decide.csrf(), "user_code", userCode,
                "decision", decision));
        if (decision.equals("approve")) {
            fields.putAll(offered);
        }
        HttpResponse<String> decided = post(decide.action(), fields);
        assertThat(decided.statusCode()).as(decided.body()).isEqualTo(200);
        return new Outcome(offered, decided.body());
    }

    /** A form on a page: where it posts, its CSRF field, and its HTML. */
    private record Form(URI action, String csrf, String body) {
    }

    /** The page's form whose action ends with {@code actionSuffix}, its action resolved against the page. */
    private static Form form(HttpResponse<String> page, String actionSuffix) {
        Matcher forms = FORM.matcher(page.body());
        while (forms.find()) {
            String action = unescape(forms.group(1));
            if (action.endsWith(actionSuffix)) {
                Matcher csrf = CSRF.matcher(forms.group(2));
                assertThat(csrf.find()).as("csrf field in form %s", action).isTrue();
                return new Form(page.uri().resolve(action), csrf.group(1), forms.group(2));
            }
        }
        throw new AssertionError("no form posting to *" + actionSuffix + " on " + page.uri() + ":\n" + page.body());
    }

    private HttpResponse<String> get(URI uri) throws IOException, InterruptedException {
        return browser.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(URI uri, Map<String, String> fields) throws IOException, InterruptedException {
        String body = fields.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
        return browser.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The HTML escapes a template engine may put into attribute values. */
    private static String unescape(String html) {
        return html.replace("&#x2F;", "/").replace("&#47;", "/").replace("&#x3D;", "=").replace("&#61;", "=")
                .replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">")
                .replace("&amp;", "&");
    }
}
