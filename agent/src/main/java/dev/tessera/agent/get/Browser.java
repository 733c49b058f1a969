package dev.tessera.agent.get;

import java.io.IOException;
import java.net.URI;
import java.util.Map;

/**
 * Opens a page in the person's browser with {@code xdg-open}, only where there is a graphical session
 * ({@code DISPLAY} or {@code WAYLAND_DISPLAY}): on a remote shell the page is shown as text instead,
 * and a text-mode browser never takes over the terminal.
 */
public final class Browser {
    private final Map<String, String> env;

    /** A browser opener for the session described by {@code env} ({@code DISPLAY}, {@code WAYLAND_DISPLAY}). */
    public Browser(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    /** Whether there is a graphical session to open a page in. */
    public boolean available() {
        return isSet("DISPLAY") || isSet("WAYLAND_DISPLAY");
    }

    /** Tries to open {@code page}; false when there is no graphical session or no opener. Never waits for it. */
    public boolean open(URI page) {
        if (!available()) {
            return false;
        }
        try {
            new ProcessBuilder("xdg-open", page.toString()).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD).redirectInput(ProcessBuilder.Redirect.PIPE).start()
                    .getOutputStream().close();
            return true;
        } catch (IOException e) {
            return false; // no xdg-open: the page is shown as text anyway
        }
    }

    private boolean isSet(String name) {
        String value = env.get(name);
        return value != null && !value.isBlank();
    }
}
