package dev.tessera.cli.demo;

import java.io.IOException;
import java.net.CookieManager;
import java.net.CookiePolicy;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.net.ssl.SSLContext;

/**
 * The demo's person at the other end of a device flow, in a browser without the browser: opens the
 * verification URI the device printed, signs in, enters the code, and approves what the consent page offers,
 * as ticked. Cookies are kept (the session and the CSRF cookie are {@code __Host-} cookies, so HTTPS only)
 * and forms are posted where their {@code action} points, as a browser would: nothing the issuer offers a
 * test hook for.
 */
public final class ScriptedPerson {
    private static final Pattern FORM = Pattern.compile("<form method=\"post\" action=\"([^\"]+)\">(.*?)</form>",
            Pattern.DOTALL);
    private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");
    private static final Pattern OFFERED = Pattern.compile("<input type=\"checkbox\" id=\"[^\"]*\" name=\"(s\\d+)\" "
            + "value=\"([^\"]*)\" checked>");
    private static final Pattern TITLE = Pattern.compile("<h1>([^<]*)</h1>");

    private final HttpClient browser;
    private final String username;
    private final String password;

    /** A person with an account, and a fresh browser that trusts {@code tls}. */
    public ScriptedPerson(String username, String password, SSLContext tls) {
        this.username = username;
        this.password = password;
        this.browser = HttpClient.newBuilder().sslContext(tls).cookieHandler(new CookieManager(null, CookiePolicy.ACCEPT_ALL))
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(10)).build();
    }

    /**
     * What the consent page offered (checkbox to scope, as ticked), and the page the decision led to.
     *
     * @param page the HTML of that page
     */
    public record Decision(Map<String, String> offered, String page) {
        /** The page's {@code <h1>}: "Approved", "Denied", or what went wrong. */
        public String title() {
            return ScriptedPerson.title(page);
        }
    }

    /**
     * Approves a device's request: signs in on {@code verificationUri}, submits {@code userCode}, and approves
     * every scope offered.
     *
     * @return the scopes approved
     * @throws IOException when a page is not what a person would expect, or the approval did not go through
     */
    public List<String> approve(String verificationUri, String userCode) throws IOException, InterruptedException {
        Decision decision = decide(verificationUri, userCode, true);
        if (!"Approved".equals(decision.title())) {
            throw new IOException("the approval failed: " + decision.title());
        }
        return List.copyOf(decision.offered().values());
    }

    /**
     * Signs in on {@code verificationUri}, submits {@code userCode}, and approves everything offered, as ticked,
     * or denies.
     *
     * @throws IOException when a page is not what a person would expect (the page's title says what it was)
     */
    public Decision decide(String verificationUri, String userCode, boolean approve) throws IOException, InterruptedException {
        HttpResponse<String> codePage = get(URI.create(verificationUri));
        Form signIn = form(codePage, "/device");
        HttpResponse<String> consent = post(signIn.action(), Map.of("csrf", signIn.csrf(), "user_code", userCode,
                "username", username, "password", password));
        Form decide = form(consent, "/device/decide");
        Map<String, String> offered = new LinkedHashMap<>();
        Matcher ticked = OFFERED.matcher(decide.body());
        while (ticked.find()) {
            offered.put(ticked.group(1), unescape(ticked.group(2)));
        }
        Map<String, String> fields = new LinkedHashMap<>(Map.of("csrf", decide.csrf(), "user_code", userCode,
                "decision", approve ? "approve" : "deny"));
        if (approve) {
            fields.putAll(offered);
        }
        HttpResponse<String> decided = post(decide.action(), fields);
        return new Decision(Map.copyOf(offered), decided.body());
    }

    private record Form(URI action, String csrf, String body) {
    }

    private static Form form(HttpResponse<String> page, String actionSuffix) throws IOException {
        Matcher forms = FORM.matcher(page.body());
        while (forms.find()) {
            String action = unescape(forms.group(1));
            Matcher csrf = CSRF.matcher(forms.group(2));
            if (action.endsWith(actionSuffix) && csrf.find()) {
                return new Form(page.uri().resolve(action), csrf.group(1), forms.group(2));
            }
        }
        throw new IOException("expected a form to " + actionSuffix + " on " + page.uri() + ", got the page \""
                + title(page.body()) + "\" (HTTP " + page.statusCode() + ")");
    }

    private static String title(String html) {
        Matcher m = TITLE.matcher(html);
        return m.find() ? m.group(1) : "(no title)";
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

    /** The HTML escapes the page templates put into attribute values. */
    private static String unescape(String html) {
        return html.replace("&#x2F;", "/").replace("&#x3D;", "=").replace("&#x60;", "`").replace("&quot;", "\"")
                .replace("&#39;", "'").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
    }
}
