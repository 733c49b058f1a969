package dev.tessera.agent.get;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A browser is only tried in a graphical session. */
class BrowserTest {
    @Test
    void onlyAGraphicalSessionGetsABrowser() {
        assertThat(new Browser(Map.of("DISPLAY", ":0")).available()).isTrue();
        assertThat(new Browser(Map.of("WAYLAND_DISPLAY", "wayland-0")).available()).isTrue();
        assertThat(new Browser(Map.of("DISPLAY", " ", "TERM", "xterm")).available()).isFalse();
        Browser remote = new Browser(Map.of("SSH_CONNECTION", "10.0.0.1 22 10.0.0.2 22"));
        assertThat(remote.available()).isFalse();
        assertThat(remote.open(URI.create("https://tokens.example.org/vo/ligo/device?user_code=BCDF-GHJK"))).isFalse();
    }
}
