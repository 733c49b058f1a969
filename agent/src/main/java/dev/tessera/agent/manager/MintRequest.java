package dev.tessera.agent.manager;

import dev.tessera.agent.access.AccessRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * What a job asks the token manager for.
 *
 * @param issuer       the issuer of the grant to use, or {@code null} for the user's only grant
 * @param clientId     the client of the grant, or {@code null} for the only one at the issuer
 * @param access       scopes, audiences and the least remaining lifetime the token must have
 * @param lifetime     the lifetime to ask the issuer for, or {@code null} for its default
 * @param fresherThan  when set, a cached token is served only if it expires after this instant: what a job
 *                     wrapper renewing its token sends, so it is not handed the token it already has
 */
public record MintRequest(String issuer, String clientId, AccessRequest access, Duration lifetime, Instant fresherThan) {
    public MintRequest {
        Objects.requireNonNull(access, "access");
        if (lifetime != null && (lifetime.isNegative() || lifetime.isZero())) {
            throw new IllegalArgumentException("a token lifetime must be positive: " + lifetime);
        }
    }

    /** The same request for a token that expires after {@code instant}. */
    public MintRequest fresherThan(Instant instant) {
        return new MintRequest(issuer, clientId, access, lifetime, instant);
    }
}
