package dev.tessera.agent.get;

import dev.tessera.agent.access.TokenInfo;
import java.nio.file.Path;

/**
 * What a {@code tessera get} did.
 *
 * @param how       how the token was obtained
 * @param token     the token now in {@code file}
 * @param file      the bearer-token file
 * @param clientId  the client used, or {@code null} when the token was reused without one
 */
public record Outcome(How how, TokenInfo token, Path file, String clientId) {
    /** How the token was obtained. */
    public enum How {
        /** The token in the file still served the request: nothing was asked of the issuer. */
        REUSED,
        /** A stored refresh token was used (and rotated). */
        REFRESHED,
        /** The person approved a device flow. */
        DEVICE_FLOW;

        /** The lower-case name used in output ({@code reused}, {@code refreshed}, {@code device_flow}). */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
