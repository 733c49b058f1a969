package dev.tessera.cli;

import dev.tessera.agent.get.Browser;
import dev.tessera.agent.get.DevicePrompt;
import dev.tessera.agent.oauth.DeviceAuthorization;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;

/**
 * The login prompt on standard error (standard output stays for the result, so {@code --json} output is
 * clean): the page and code of a device flow, and a browser opened on it when allowed and possible.
 */
final class TerminalPrompt implements DevicePrompt {
    private final PrintWriter err;
    private final Browser browser;

    /** @param browser where to open the page, or {@code null} to only print it */
    TerminalPrompt(PrintWriter err, Browser browser) {
        this.err = err;
        this.browser = browser;
    }

    @Override
    public void show(String issuer, DeviceAuthorization authorization) {
        long minutes = Math.max(1, Duration.between(Instant.now(), authorization.expiresAt()).toMinutes());
        err.println("To get a token from " + issuer + ", approve this request in a browser:");
        err.println();
        err.println("    " + authorization.pageToOpen());
        err.println();
        err.println("(or open " + authorization.verificationUri() + " and enter the code " + authorization.userCode() + ")");
        if (browser != null && browser.open(authorization.pageToOpen())) {
            err.println("Opening it in your browser...");
        }
        err.println("Waiting for approval (the code expires in " + minutes + " minutes)...");
        err.flush();
    }

    @Override
    public void note(String message) {
        err.println("tessera: " + message);
        err.flush();
    }
}
