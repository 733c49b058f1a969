package dev.tessera.agent.get;

import dev.tessera.agent.oauth.DeviceAuthorization;

/** Where a token getter talks to the person: the device flow's page and code, and what it is doing. */
public interface DevicePrompt {
    /** Asks the person to approve {@code authorization} at {@code issuer}. */
    void show(String issuer, DeviceAuthorization authorization);

    /** Tells the person something worth knowing (a stored grant no longer works, a login is needed). */
    void note(String message);
}
