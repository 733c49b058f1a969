package dev.tessera.agent.oauth;

import java.time.Duration;

/** Waits between polls. Tests substitute one that moves a test clock instead of waiting. */
@FunctionalInterface
public interface Sleeper {
    /** The real one. */
    Sleeper SYSTEM = duration -> Thread.sleep(duration.toMillis());

    void sleep(Duration duration) throws InterruptedException;
}
