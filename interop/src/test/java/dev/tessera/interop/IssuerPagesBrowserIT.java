package dev.tessera.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.tessera.issuer.domain.Client;
import dev.tessera.issuer.domain.PolicyRule;
import dev.tessera.issuer.service.Administration;
import dev.tessera.token.Profile;
import dev.tessera.token.discovery.TrustMaterial;
import dev.tessera.token.jws.Json;
import dev.tessera.token.keys.Algorithm;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The issuer's pages in a real browser, as a person uses them: Debian's Chromium, headless, driven by
 * Selenium through Debian's chromedriver (see {@link Chromium}: no driver download, and the browser trusts
 * the interop test CA through its own NSS database, certificate errors are not ignored). The issuer is the
 * real {@code IssuerServer} on 127.0.0.1 over HTTPS ({@link TesseraIssuer}); the test plays the device and
 * the application (an HTTP server on a loopback port, the application's redirect URI as RFC 8252 has it).
 *
 * <p>Every issuer page visited is saved as a screenshot in {@code target/screenshots/} and checked: the
 * document has a {@code lang}, a title and exactly one {@code h1}, every visible input has exactly one
 * {@code label[for]} naming its id, every button has text, the stylesheet applied (its content security
 * policy allows it), and the console received no content-security-policy violation and no script error.
 */
class IssuerPagesBrowserIT {
    static final String VO = "web";
    static final String USER = "alice";
    static final String PASSWORD = "correct horse battery staple";
    static final String DEVICE_CLIENT = "Tessera CLI";
    static final String APP_CLIENT = "Desktop analysis app";
    static final Path SCREENSHOTS = Path.of("target", "screenshots");
    /** Only against hangs: every wait ends as soon as its condition holds. */
    static final Duration PATIENCE = Duration.ofSeconds(60);
    static final Pattern LOAD_FAILED = Pattern.compile(
            "^(\\S+) - Failed to load resource: the server responded with a status of (\\d{3})");

    @TempDir
    static Path work;
    static TesseraIssuer issuer;
    static String iss;
    static HttpClient http;
    static String deviceClientId;
    static String appClientId;
    static HttpServer app;
    static final BlockingQueue<URI> arrivals = new LinkedBlockingQueue<>();
    static Chromium chromium;
    static WebDriver driver;
    static WebDriverWait wait;
    static final List<String> consoleSeen = new ArrayList<>();

    String testName;
    int pageNumber;

    @BeforeAll
    static void start() throws Exception {
        Peers.require("chromium", "chromedriver", "certutil");
        Files.createDirectories(SCREENSHOTS);
        issuer = TesseraIssuer.start(work.resolve("issuer"));
        iss = issuer.addVo(VO, Profile.SCITOKENS_2, Algorithm.ES256);
        Administration admin = issuer.admin();
        admin.addUser(VO, USER, PASSWORD.toCharArray(), List.of("/ligo"));
        admin.addRule(VO, PolicyRule.Kind.GROUP, "/ligo", "read:/ligo write:/home/{username}", PolicyRule.Effect.GRANT);
        deviceClientId = admin.addClient(VO, DEVICE_CLIENT, Set.of(Client.DEVICE_CODE), "read:/ligo write:/home/{username}",
                List.of(), List.of(), true).client().clientId();
        // RFC 8252 §7.3: registered without a port, the app binds any free loopback port
        appClientId = admin.addClient(VO, APP_CLIENT, Set.of(Client.AUTHORIZATION_CODE),
                "openid read:/ligo write:/home/{username}", List.of(), List.of("http://127.0.0.1/cb"), true)
                .client().clientId();
        issuer.server().refresh();
        http = HttpClient.newBuilder().sslContext(TrustMaterial.sslContext(List.of(Peers.CA_PEM)))
                .connectTimeout(Duration.ofSeconds(10)).build();

        app = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 0);
        app.createContext("/cb", exchange -> {
            arrivals.add(exchange.getRequestURI());
            byte[] page = ("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><link rel=\"icon\" href=\"data:,\">"
                    + "<title>Desktop analysis app</title></head><body><h1>Signed in</h1><p>You can close this page.</p></body></html>")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, page.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(page);
            }
        });
        app.start();

        chromium = Chromium.start(Peers.CA_PEM, Path.of("target", "chromedriver.log"));
        driver = chromium.driver();
        wait = new WebDriverWait(driver, PATIENCE);
        System.out.println("browser: Chromium " + chromium.version() + ", issuer " + iss);
    }

    @AfterAll
    static void stop() {
        try {
            if (chromium != null) {
                chromium.close();
            }
        } finally {
            try {
                if (app != null) {
                    app.stop(0);
                }
            } finally {
                if (issuer != null) {
                    issuer.close();
                }
            }
        }
        System.out.println("console entries seen (allowed ones):\n  " + String.join("\n  ", consoleSeen));
    }

    @BeforeEach
    void freshBrowser(TestInfo info) {
        testName = info.getTestMethod().orElseThrow().getName();
        pageNumber = 0;
        driver.get("about:blank");
        chromium.clearCookies(); // a person on a browser that was never signed in
        chromium.console(); // drop what earlier tests left
        arrivals.clear();
    }

    // ---------------------------------------------------------------- a. device approval, one capability unticked

    @Test
    void deviceApprovedWithOneCapabilityUntickedGetsExactlyTheRest() throws Exception {
        Map<String, Object> started = deviceAuthorization("read:/ligo write:/home/alice");
        String userCode = (String) started.get("user_code");
        String complete = (String) started.get("verification_uri_complete");
        assertThat(complete).startsWith(iss + "/device");

        driver.get(complete);
        looked("device-code-and-sign-in");
        assertThat(h1()).isEqualTo("Connect a device");
        assertThat(labelled("Code").getDomProperty("value")).as("code prefilled from the URI").isEqualTo(userCode);
        assertThat(driver.findElements(By.cssSelector("[role=alert]"))).isEmpty();
        signInAndContinue(PASSWORD);

        looked("device-consent");
        assertThat(h1()).isEqualTo("Approve access?");
        assertThat(mainText()).contains(DEVICE_CLIENT, userCode);
        Map<String, WebElement> boxes = capabilityBoxes();
        assertThat(boxes).containsOnlyKeys("read:/ligo", "write:/home/alice");
        boxes.forEach((scope, box) -> assertThat(box.isSelected()).as("%s ticked at first", scope).isTrue());
        assertThat(mainText()).contains("Signed in as " + USER);

        untick(boxes, "write:/home/alice");
        looked("device-consent-unticked");
        submit("Approve");
        looked("device-approved");
        assertThat(h1()).isEqualTo("Approved");

        HttpResponse<String> tokens = awaitDeviceToken(started);
        assertThat(tokens.statusCode()).as(tokens.body()).isEqualTo(200);
        Map<String, Object> body = Json.parseObject(tokens.body());
        assertThat(body.get("scope")).as("granted scope").isEqualTo("read:/ligo");
        Map<String, Object> claims = TesseraIssuer.part((String) body.get("access_token"), 1);
        assertThat(claims.get("scope")).isEqualTo("read:/ligo");
        assertThat(claims.get("iss")).isEqualTo(iss);
    }

    // ---------------------------------------------------------------- b. device denial, by keyboard only

    @Test
    void deviceDeniedOnTheConsentPageByKeyboardGetsAccessDenied() throws Exception {
        Map<String, Object> started = deviceAuthorization("read:/ligo");
        driver.get((String) started.get("verification_uri_complete"));
        looked("device-code-and-sign-in");
        // this person uses only the keyboard: Tab moves through the fields in the order they are shown
        WebElement body = driver.findElement(By.tagName("body"));
        pressTab();
        assertThat(focused()).isEqualTo(labelled("Code"));
        pressTab();
        assertThat(focused()).isEqualTo(labelled("Username"));
        focused().sendKeys(USER);
        pressTab();
        assertThat(focused()).isEqualTo(labelled("Password"));
        focused().sendKeys(PASSWORD, Keys.ENTER); // Enter submits the form
        wait.until(ExpectedConditions.stalenessOf(body));
        looked("device-consent");
        assertThat(h1()).isEqualTo("Approve access?");
        Map<String, WebElement> boxes = capabilityBoxes();
        assertThat(boxes).containsOnlyKeys("read:/ligo");
        WebElement deny = driver.findElement(By.xpath("//button[normalize-space()='Deny']"));
        List<WebElement> order = new ArrayList<>();
        for (int i = 0; i < 10 && !deny.equals(focused()); i++) {
            pressTab();
            order.add(focused());
        }
        assertThat(order).as("tab order on the consent page").containsExactly(boxes.get("read:/ligo"),
                driver.findElement(By.xpath("//button[normalize-space()='Approve']")), deny);
        body = driver.findElement(By.tagName("body"));
        focused().sendKeys(Keys.ENTER);
        wait.until(ExpectedConditions.stalenessOf(body));
        looked("device-denied");
        assertThat(h1()).isEqualTo("Denied");

        HttpResponse<String> answer = awaitDeviceToken(started);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(400);
        assertThat(Json.parseObject(answer.body())).containsEntry("error", "access_denied").doesNotContainKey("access_token");
    }

    // ---------------------------------------------------------------- c. authorization code with PKCE to a loopback app

    @Test
    void authorizationCodeWithPkceRedirectsTheBrowserToTheLoopbackApp() throws Exception {
        String verifier = random(32);
        String state = random(16);
        String nonce = random(16);
        String redirectUri = "http://127.0.0.1:" + app.getAddress().getPort() + "/cb";
        String authorize = iss + "/authorize?" + query(Map.of("response_type", "code", "client_id", appClientId,
                "redirect_uri", redirectUri, "scope", "openid read:/ligo write:/home/alice", "state", state,
                "nonce", nonce, "code_challenge", s256(verifier), "code_challenge_method", "S256"));

        driver.get(authorize);
        looked("authorize-sign-in");
        assertThat(h1()).isEqualTo("Sign in");
        assertThat(mainText()).contains(APP_CLIENT);
        labelled("Username").sendKeys(USER);
        labelled("Password").sendKeys(PASSWORD);
        submit("Sign in");

        looked("authorize-consent");
        assertThat(h1()).isEqualTo("Approve access?");
        assertThat(mainText()).contains(APP_CLIENT, "127.0.0.1:" + app.getAddress().getPort());
        Map<String, WebElement> boxes = capabilityBoxes();
        assertThat(boxes).containsOnlyKeys("read:/ligo", "write:/home/alice", "openid");
        boxes.forEach((scope, box) -> assertThat(box.isSelected()).as("%s ticked at first", scope).isTrue());
        untick(boxes, "write:/home/alice");
        looked("authorize-consent-unticked");

        // Approve posts to the issuer, which answers 303 to the app: Chrome checks form-action on that redirect too
        driver.findElement(By.xpath("//button[normalize-space()='Approve']")).click();
        wait.until(ExpectedConditions.urlMatches("^" + Pattern.quote(redirectUri) + "\\?"));
        screenshot("app-arrived");
        URI arrived = arrivals.poll(PATIENCE.toSeconds(), TimeUnit.SECONDS);
        assertThat(arrived).as("the app's redirect URI was reached").isNotNull();
        assertThat(driver.findElement(By.tagName("h1")).getText()).isEqualTo("Signed in"); // the app's own page
        Map<String, String> answer = parseQuery(arrived.getRawQuery());
        assertThat(answer).containsKey("code").containsEntry("state", state).containsEntry("iss", iss) // RFC 9207
                .doesNotContainKey("error");
        assertThat(parseQuery(URI.create(driver.getCurrentUrl()).getRawQuery())).isEqualTo(answer);
        assertNoConsoleProblems("app-arrived", List.of()); // e.g. a blocked form-action would be reported here

        HttpResponse<String> tokens = post("/token", Map.of("grant_type", "authorization_code", "code", answer.get("code"),
                "redirect_uri", redirectUri, "client_id", appClientId, "code_verifier", verifier));
        assertThat(tokens.statusCode()).as(tokens.body()).isEqualTo(200);
        Map<String, Object> body = Json.parseObject(tokens.body());
        assertThat(Set.of(((String) body.get("scope")).split(" "))).as("granted scope: %s", body.get("scope"))
                .containsExactlyInAnyOrder("openid", "read:/ligo");
        Map<String, Object> access = TesseraIssuer.part((String) body.get("access_token"), 1);
        assertThat(access.get("scope")).isEqualTo("read:/ligo");
        assertThat(body.get("id_token")).as("an ID token for scope openid").isInstanceOf(String.class);
        Map<String, Object> id = TesseraIssuer.part((String) body.get("id_token"), 1);
        assertThat(id).containsEntry("iss", iss).containsEntry("nonce", nonce).containsEntry("sub", access.get("sub"));
        assertThat(id.get("aud")).satisfiesAnyOf(aud -> assertThat(aud).isEqualTo(appClientId),
                aud -> assertThat(((List<?>) aud).contains(appClientId)).as("aud %s", aud).isTrue());
    }

    // ---------------------------------------------------------------- d. wrong password, sign out

    @Test
    void aWrongPasswordIsShownAsAnAlertAndGrantsNothingAndSigningOutWorks() throws Exception {
        Map<String, Object> started = deviceAuthorization("read:/ligo");
        String complete = (String) started.get("verification_uri_complete");
        driver.get(complete);
        looked("device-code-and-sign-in");
        signInAndContinue("not the password");
        looked("device-wrong-password", 401);
        assertThat(h1()).isEqualTo("Connect a device");
        List<WebElement> alerts = driver.findElements(By.cssSelector("[role=alert]"));
        assertThat(alerts).hasSize(1);
        assertThat(alerts.get(0).getText()).contains("Wrong username or password");
        assertThat(labelled("Password").getDomProperty("value")).as("the password is not sent back").isEmpty();
        assertThat(labelled("Code").getDomProperty("value")).isEqualTo(started.get("user_code"));
        assertThat(mainText()).doesNotContain("Signed in as");
        assertNotGranted(poll(started));

        signInAndContinue(PASSWORD); // the form is still there: now right
        looked("device-consent");
        assertThat(h1()).isEqualTo("Approve access?");
        assertThat(mainText()).contains("Signed in as " + USER);
        submit("Sign out");
        looked("signed-out");
        assertThat(h1()).isEqualTo("Signed out");
        assertThat(mainText()).doesNotContain("Signed in as");

        driver.get(complete); // the session is gone: the page asks for the password again
        looked("device-after-sign-out");
        assertThat(driver.findElements(By.xpath("//label[normalize-space()='Password']"))).hasSize(1);
        assertNotGranted(poll(started));

        // the application's sign-in page too: an alert, and the browser stays with the issuer
        String redirectUri = "http://127.0.0.1:" + app.getAddress().getPort() + "/cb";
        driver.get(iss + "/authorize?" + query(Map.of("response_type", "code", "client_id", appClientId, "redirect_uri",
                redirectUri, "scope", "openid read:/ligo", "state", random(16), "code_challenge", s256(random(32)),
                "code_challenge_method", "S256")));
        looked("authorize-sign-in");
        labelled("Username").sendKeys(USER);
        labelled("Password").sendKeys("not the password");
        submit("Sign in");
        looked("authorize-wrong-password", 401);
        assertThat(h1()).isEqualTo("Sign in");
        assertThat(driver.findElement(By.cssSelector("[role=alert]")).getText()).contains("Wrong username or password");
        assertThat(driver.getCurrentUrl()).startsWith(iss);
        assertThat(arrivals).isEmpty();
    }

    // ---------------------------------------------------------------- e. the console check itself

    /** The console check would see a violation if a page had one: a check that cannot fail proves nothing. */
    @Test
    void theConsoleCheckSeesAContentSecurityPolicyViolation() throws Exception {
        driver.get(iss + "/device");
        looked("device-code-form");
        // scripts run by the driver are not subject to the page's policy, but what they add to the page is
        ((JavascriptExecutor) driver).executeScript(
                "const s = document.createElement('style'); s.textContent = 'h1 { color: red }'; document.head.append(s);");
        List<String> messages = new ArrayList<>();
        wait.until(d -> {
            chromium.console().forEach(e -> messages.add(e.getMessage()));
            return messages.stream().anyMatch(m -> m.contains("Content Security Policy"));
        });
        assertThat(messages).anySatisfy(m -> assertThat(m).contains("inline style")
                .contains("violates the following Content Security Policy directive"));
    }

    // ---------------------------------------------------------------- the person's actions

    /** Fills the username and password fields (found by their labels) and presses Continue. */
    void signInAndContinue(String password) {
        labelled("Username").clear();
        labelled("Username").sendKeys(USER);
        labelled("Password").sendKeys(password);
        submit("Continue");
    }

    /** The form control a label names, as a person finds it. */
    WebElement labelled(String label) {
        WebElement element = driver.findElement(By.xpath("//label[normalize-space()='" + label + "']"));
        return driver.findElement(By.id(element.getDomAttribute("for")));
    }

    /** The consent page's checkboxes, by the scope their label shows. */
    Map<String, WebElement> capabilityBoxes() {
        Map<String, WebElement> boxes = new LinkedHashMap<>();
        for (WebElement box : driver.findElements(By.cssSelector("fieldset input[type=checkbox]"))) {
            WebElement label = driver.findElement(By.cssSelector("label[for='" + box.getDomAttribute("id") + "']"));
            String scope = label.findElement(By.tagName("code")).getText();
            assertThat(box.getDomAttribute("value")).isEqualTo(scope);
            boxes.put(scope, box);
        }
        return boxes;
    }

    /** Clicks a capability's label (as a person does), which unticks its box. */
    void untick(Map<String, WebElement> boxes, String scope) {
        WebElement box = boxes.get(scope);
        driver.findElement(By.cssSelector("label[for='" + box.getDomAttribute("id") + "']")).click();
        assertThat(box.isSelected()).as("%s unticked", scope).isFalse();
        boxes.forEach((other, b) -> {
            if (!other.equals(scope)) {
                assertThat(b.isSelected()).as("%s still ticked", other).isTrue();
            }
        });
    }

    /** Presses the button showing {@code text} and waits until the next page has replaced this one. */
    void submit(String text) {
        WebElement html = driver.findElement(By.tagName("html"));
        driver.findElement(By.xpath("//button[normalize-space()='" + text + "']")).click();
        wait.until(ExpectedConditions.stalenessOf(html));
        wait.until(d -> "complete".equals(((JavascriptExecutor) d).executeScript("return document.readyState")));
    }

    void pressTab() {
        new Actions(driver).sendKeys(Keys.TAB).perform();
    }

    WebElement focused() {
        return driver.switchTo().activeElement();
    }

    String h1() {
        return driver.findElement(By.tagName("h1")).getText();
    }

    String mainText() {
        return driver.findElement(By.tagName("body")).getText();
    }

    // ---------------------------------------------------------------- checks on every page

    /**
     * Saves the page's screenshot and checks it: accessibility basics and a clean console. {@code statuses}: the
     * HTTP statuses this page may have been served with besides 200 (Chrome logs a non-2xx document as an error).
     */
    void looked(String name, Integer... statuses) throws IOException {
        wait.until(d -> "complete".equals(((JavascriptExecutor) d).executeScript("return document.readyState")));
        screenshot(name);
        List<String> problems = new ArrayList<>();
        String lang = driver.findElement(By.tagName("html")).getDomAttribute("lang");
        if (lang == null || lang.isBlank()) {
            problems.add("<html> has no lang");
        }
        if (driver.getTitle() == null || driver.getTitle().isBlank()) {
            problems.add("no <title>");
        }
        int h1s = driver.findElements(By.tagName("h1")).size();
        if (h1s != 1) {
            problems.add(h1s + " <h1> elements, not one");
        }
        if (driver.findElements(By.tagName("main")).size() != 1) {
            problems.add("no single <main> landmark");
        }
        for (WebElement input : driver.findElements(By.cssSelector("input:not([type=hidden]), select, textarea"))) {
            String id = input.getDomAttribute("id");
            if (id == null || id.isBlank()) {
                problems.add("a control without id, so without label[for]: " + input.getDomAttribute("name"));
                continue;
            }
            if (driver.findElements(By.id(id)).size() != 1) {
                problems.add("id " + id + " is not unique");
            }
            List<WebElement> labels = driver.findElements(By.cssSelector("label[for='" + id + "']"));
            if (labels.size() != 1) {
                problems.add(labels.size() + " label[for=" + id + "], not one");
            } else if (labels.get(0).getText().isBlank()) {
                problems.add("label[for=" + id + "] is empty");
            }
        }
        for (WebElement label : driver.findElements(By.cssSelector("label[for]"))) {
            if (driver.findElements(By.id(label.getDomAttribute("for"))).isEmpty()) {
                problems.add("label[for=" + label.getDomAttribute("for") + "] names no element");
            }
        }
        for (WebElement button : driver.findElements(By.tagName("button"))) {
            if (button.getText().isBlank()) {
                problems.add("a button without text");
            }
        }
        Object styled = ((JavascriptExecutor) driver).executeScript(
                "return Array.from(document.styleSheets).some(s => s.href && s.cssRules.length > 0)");
        if (!Boolean.TRUE.equals(styled)) {
            problems.add("the stylesheet did not apply");
        }
        assertThat(problems).as("page %s (%s)", name, driver.getCurrentUrl()).isEmpty();
        assertNoConsoleProblems(name, Arrays.asList(statuses));
    }

    /** Fails on any CSP violation or script error in the console since the last check. */
    void assertNoConsoleProblems(String page, List<Integer> allowedStatuses) {
        List<String> problems = new ArrayList<>();
        for (LogEntry entry : chromium.console()) {
            String message = entry.getMessage();
            Matcher failed = LOAD_FAILED.matcher(message);
            boolean expectedStatus = failed.find() && failed.group(1).equals(driver.getCurrentUrl())
                    && allowedStatuses.contains(Integer.parseInt(failed.group(2)));
            if (message.contains("Content-Security-Policy") || message.contains("Content Security Policy")) {
                problems.add("CSP: " + message);
            } else if (entry.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue() && !expectedStatus) {
                problems.add(entry.getLevel() + ": " + message);
            } else {
                consoleSeen.add(page + ": " + entry.getLevel() + " " + message);
            }
        }
        assertThat(problems).as("browser console on page %s", page).isEmpty();
    }

    void screenshot(String name) throws IOException {
        chromium.screenshot(SCREENSHOTS.resolve("%s-%02d-%s.png".formatted(testName, ++pageNumber, name)));
    }

    // ---------------------------------------------------------------- the device and the application

    static Map<String, Object> deviceAuthorization(String scope) throws Exception {
        HttpResponse<String> response = post("/device_authorization", Map.of("client_id", deviceClientId, "scope", scope));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return Json.parseObject(response.body());
    }

    static HttpResponse<String> poll(Map<String, Object> started) throws Exception {
        return post("/token", Map.of("grant_type", Client.DEVICE_CODE, "client_id", deviceClientId,
                "device_code", (String) started.get("device_code")));
    }

    /** Polls as a device does (RFC 8628 §3.5: the interval, longer after slow_down) until it is not pending. */
    static HttpResponse<String> awaitDeviceToken(Map<String, Object> started) throws Exception {
        long interval = ((Number) started.get("interval")).longValue();
        for (int attempt = 0; attempt < 30; attempt++) {
            HttpResponse<String> response = poll(started);
            String error = response.statusCode() == 400 ? (String) Json.parseObject(response.body()).get("error") : null;
            if ("slow_down".equals(error)) {
                interval += 5;
            } else if (!"authorization_pending".equals(error)) {
                return response;
            }
            Thread.sleep(interval * 1000);
        }
        throw new AssertionError("the device flow stayed pending");
    }

    static void assertNotGranted(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(Json.parseObject(response.body()).get("error")).isIn("authorization_pending", "slow_down");
    }

    static HttpResponse<String> post(String path, Map<String, String> form) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(iss + path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(query(form))).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    static String query(Map<String, String> parameters) {
        return parameters.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
    }

    static Map<String, String> parseQuery(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : raw.split("&")) {
            String[] kv = pair.split("=", 2);
            out.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
                    kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
        }
        return out;
    }

    static String random(int bytes) {
        byte[] value = new byte[bytes];
        new SecureRandom().nextBytes(value);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(value);
    }

    /** RFC 7636 §4.2: BASE64URL(SHA-256(ASCII(verifier))). */
    static String s256(String verifier) throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    }
}
