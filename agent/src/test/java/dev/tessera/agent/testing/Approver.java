package dev.tessera.agent.testing;

import dev.tessera.agent.get.DevicePrompt;
import dev.tessera.agent.oauth.DeviceAuthorization;
import dev.tessera.agent.oauth.Sleeper;
import dev.tessera.issuer.testing.PageSession;
import dev.tessera.token.testing.MutableClock;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The person at the other end of a device flow: sees the prompt, signs in on the VO's pages and approves
 * (everything offered, as a browser submits the consent form untouched), denies, or never answers. Its
 * waits move the test clock instead of passing time.
 */
public final class Approver implements DevicePrompt, Sleeper {
    private static final Pattern OFFERED = Pattern.compile(
            "<input type=\"checkbox\" id=\"(s\\d+)\" name=\"s\\d+\" value=\"([^\"]*)\" checked>");

    /** What the person does when asked. */
    public enum Decision { APPROVE, DENY, IGNORE }

    private final TestVo vo;
    private final MutableClock clock;
    private volatile Decision decision = Decision.APPROVE;
    private final List<DeviceAuthorization> shown = new CopyOnWriteArrayList<>();
    private final List<String> notes = new CopyOnWriteArrayList<>();
    private final List<Duration> sleeps = new CopyOnWriteArrayList<>();
    private volatile DeviceAuthorization pending;
    /** The wait that passes {@link #shortfall} less time than asked (0: none), to provoke slow_down. */
    private volatile int impatientAt;
    private volatile Duration shortfall = Duration.ZERO;
    /** The wait during which the person decides (1: during the first). */
    private volatile int decideAt = 1;

    Approver(TestVo vo, MutableClock clock) {
        this.vo = vo;
        this.clock = clock;
    }

    public Approver deciding(Decision d) {
        this.decision = d;
        return this;
    }

    /** The {@code nth} wait passes {@code by} less time than asked, as an impatient client would poll. */
    public Approver impatientAt(int nth, Duration by) {
        this.impatientAt = nth;
        this.shortfall = by;
        return this;
    }

    /** The person decides during the {@code nth} wait (the first by default). */
    public Approver decidingAt(int nth) {
        this.decideAt = nth;
        return this;
    }

    public List<DeviceAuthorization> shown() {
        return List.copyOf(shown);
    }

    public List<String> notes() {
        return List.copyOf(notes);
    }

    public List<Duration> sleeps() {
        return List.copyOf(sleeps);
    }

    @Override
    public void show(String issuer, DeviceAuthorization authorization) {
        shown.add(authorization);
        pending = authorization;
    }

    @Override
    public void note(String message) {
        notes.add(message);
    }

    @Override
    public void sleep(Duration duration) {
        sleeps.add(duration);
        clock.advance(sleeps.size() == impatientAt ? duration.minus(shortfall) : duration);
        DeviceAuthorization asked = pending;
        if (asked != null && decision != Decision.IGNORE && sleeps.size() >= decideAt) {
            pending = null;
            decide(asked.verificationUri().toString(), asked.userCode(), decision == Decision.APPROVE);
        }
    }

    /**
     * Signs in as alice on the device page at {@code verificationUri} and approves (all that is offered) or
     * denies the request with {@code userCode}, as a person would in a browser.
     */
    public void decide(String verificationUri, String userCode, boolean approve) {
        try {
            PageSession browser = new PageSession(vo.issuer());
            String page = browser.get(verificationUri + "?user_code=" + userCode).body();
            HttpResponse<String> consent = browser.post(verificationUri, PageSession.form(
                    "csrf", PageSession.csrf(page), "user_code", userCode, "username", TestVo.USER,
                    "password", TestVo.PASSWORD));
            if (consent.statusCode() != 200) {
                throw new AssertionError("sign-in failed: " + consent.body());
            }
            List<String> form = new ArrayList<>(List.of("csrf", PageSession.csrf(consent.body()), "user_code",
                    userCode, "decision", approve ? "approve" : "deny"));
            Matcher offered = OFFERED.matcher(consent.body());
            while (offered.find()) {
                form.add(offered.group(1));
                form.add(offered.group(2).replace("&#x3D;", "=").replace("&amp;", "&"));
            }
            Map<String, String> fields = PageSession.form(form.toArray(String[]::new));
            HttpResponse<String> decided = browser.post(verificationUri + "/decide", fields);
            if (decided.statusCode() != 200) {
                throw new AssertionError("decision failed: " + decided.body());
            }
        } catch (Exception e) {
            throw new AssertionError("cannot act on the device pages", e);
        }
    }
}
