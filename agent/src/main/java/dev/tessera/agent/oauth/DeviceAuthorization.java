package dev.tessera.agent.oauth;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;

/**
 * A started device authorization (RFC 8628 §3.2): what to show the person, and what to poll with.
 *
 * @param deviceCode              the secret the client polls with; never shown
 * @param userCode                the code the person checks or types
 * @param verificationUri         the page where the person enters the code
 * @param verificationUriComplete the page with the code already filled in, or {@code null}
 * @param interval                how long to wait between polls
 * @param expiresAt               when the codes stop working (by the clock of the client that started it)
 */
public record DeviceAuthorization(String deviceCode, String userCode, URI verificationUri, URI verificationUriComplete,
                                  Duration interval, Instant expiresAt) {
    /** The page to send the person to: the complete one if there is one. */
    public URI pageToOpen() {
        return verificationUriComplete != null ? verificationUriComplete : verificationUri;
    }

    /** Never shows the device code. */
    @Override
    public String toString() {
        return "DeviceAuthorization[userCode=" + userCode + ", verificationUri=" + verificationUri + ", interval="
                + interval + ", expiresAt=" + expiresAt + "]";
    }
}
