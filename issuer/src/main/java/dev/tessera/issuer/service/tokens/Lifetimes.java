package dev.tessera.issuer.service.tokens;

import dev.tessera.issuer.domain.Client;
import dev.tessera.issuer.domain.Vo;
import dev.tessera.issuer.service.OAuthException;
import dev.tessera.issuer.service.Parameters;
import java.time.Duration;

/**
 * How long tokens live: a client's own lifetimes within its VO's, and a request's {@code expires_in}
 * (INDIGO IAM's parameter, iam#869) within the client's maximum. Asking for more than the maximum gets the
 * maximum, as RFC 6749 §5.1 lets the issuer decide; the response's {@code expires_in} says what was given.
 */
public final class Lifetimes {
    private Lifetimes() {
    }

    /** The access token lifetime for a request. */
    public static Duration access(Vo vo, Client client, Parameters params) throws OAuthException {
        Duration max = shorter(vo.maxAccessLifetime(), client.lifetimes().maxAccess());
        Duration lifetime = shorter(client.lifetimes().access() != null ? client.lifetimes().access() : vo.accessLifetime(), max);
        String requested = params.get("expires_in");
        if (requested == null) {
            return lifetime;
        }
        long seconds;
        try {
            seconds = Long.parseLong(requested);
        } catch (NumberFormatException e) {
            seconds = 0;
        }
        if (seconds <= 0) {
            throw OAuthException.invalidRequest("expires_in is a positive number of seconds");
        }
        return shorter(Duration.ofSeconds(seconds), max);
    }

    /** The refresh token lifetime of a client's grants (renewed on each use): the client's, at most the VO's. */
    public static Duration refresh(Vo vo, Client client) {
        return shorter(vo.refreshLifetime(), client.lifetimes().refresh());
    }

    /** The ID token lifetime for a client: its own, at most the VO's. */
    public static Duration idToken(Vo vo, Client client) {
        return shorter(vo.idTokenLifetime(), client.lifetimes().idToken());
    }

    /** How long a client's device authorizations wait: its own, at most the VO's. */
    public static Duration deviceCode(Vo vo, Client client) {
        return shorter(vo.deviceCodeLifetime(), client.lifetimes().deviceCode());
    }

    /** The shorter of two durations, the second possibly {@code null} (no limit). */
    private static Duration shorter(Duration a, Duration b) {
        return b == null || a.compareTo(b) <= 0 ? a : b;
    }
}
