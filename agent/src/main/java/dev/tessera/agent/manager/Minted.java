package dev.tessera.agent.manager;

import dev.tessera.agent.access.TokenInfo;

/**
 * A token the manager handed out.
 *
 * @param token    the access token and what it says
 * @param issuer   the issuer of the grant used
 * @param clientId the client of the grant used
 * @param how      whether the issuer was asked, and how
 */
public record Minted(TokenInfo token, String issuer, String clientId, How how) {
    /** How a token was obtained. */
    public enum How {
        /** A cached token still served the request: nothing was sent to the issuer. */
        CACHED,
        /** A cached broader token of the grant was exchanged for a narrower one (RFC 8693): one request. */
        EXCHANGED,
        /** The grant's refresh token was used, narrowed to the request (and rotated): one request. */
        REFRESHED;

        /** The lower-case name used on the wire. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
