package dev.tessera.agent.vault;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One stored grant: the refresh token a client holds at an issuer, with what it was granted.
 *
 * @param issuer       the issuer ({@code iss})
 * @param clientId     the client the refresh token was issued to
 * @param refreshToken the current refresh token (rotated on every use)
 * @param scope        the scope granted with it, as the issuer reported it, or {@code null}
 * @param audiences    the audience of the access token issued with it (empty when unknown)
 * @param updatedAt    when it was stored
 */
public record VaultEntry(String issuer, String clientId, String refreshToken, String scope, List<String> audiences,
                         Instant updatedAt) {
    public VaultEntry {
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(clientId, "clientId");
        Objects.requireNonNull(refreshToken, "refreshToken");
        audiences = List.copyOf(audiences);
        Objects.requireNonNull(updatedAt, "updatedAt");
    }

    /** Whether this is the entry of {@code issuer} and {@code clientId}. */
    public boolean isFor(String issuer, String clientId) {
        return this.issuer.equals(issuer) && this.clientId.equals(clientId);
    }

    /** The same grant with its rotated refresh token. */
    public VaultEntry rotated(String newRefreshToken, Instant now) {
        return new VaultEntry(issuer, clientId, newRefreshToken, scope, audiences, now);
    }

    /** Never shows the refresh token. */
    @Override
    public String toString() {
        return "VaultEntry[issuer=" + issuer + ", clientId=" + clientId + ", scope=" + scope + ", audiences=" + audiences
                + ", updatedAt=" + updatedAt + "]";
    }
}
