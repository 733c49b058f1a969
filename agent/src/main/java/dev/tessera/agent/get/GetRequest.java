package dev.tessera.agent.get;

import dev.tessera.agent.access.AccessRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * One {@code tessera get}: which issuer and client, what the token must allow, and where it goes.
 *
 * @param issuer       the issuer ({@code iss}), an https URL
 * @param clientId     the client, or {@code null} for the one the vault holds a grant of at this issuer
 * @param clientSecret the client's secret, or {@code null} for a public client
 * @param access       the scopes, audiences and minimum lifetime asked for
 * @param tokenFile    the bearer-token file to reuse or write
 * @param lifetime     the access token lifetime to ask the issuer for, or {@code null} for its default
 * @param interactive  whether a device flow may be started when no stored grant serves
 */
public record GetRequest(String issuer, String clientId, String clientSecret, AccessRequest access, Path tokenFile,
                         Duration lifetime, boolean interactive) {
    public GetRequest {
        Objects.requireNonNull(issuer, "issuer");
        Objects.requireNonNull(access, "access");
        Objects.requireNonNull(tokenFile, "tokenFile");
    }

    /** The same request for another token file. */
    public GetRequest withTokenFile(Path file) {
        return new GetRequest(issuer, clientId, clientSecret, access, file, lifetime, interactive);
    }

    /** The same request, never starting a device flow (for renewals nobody is watching). */
    public GetRequest nonInteractive() {
        return new GetRequest(issuer, clientId, clientSecret, access, tokenFile, lifetime, false);
    }

    /** Never shows the secret. */
    @Override
    public String toString() {
        return "GetRequest[issuer=" + issuer + ", clientId=" + clientId + ", access=" + access + ", tokenFile="
                + tokenFile + ", interactive=" + interactive + "]";
    }
}
