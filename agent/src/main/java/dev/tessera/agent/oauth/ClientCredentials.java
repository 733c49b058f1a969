package dev.tessera.agent.oauth;

import com.nimbusds.oauth2.sdk.auth.ClientAuthentication;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.id.ClientID;
import java.util.Objects;

/**
 * Who the client is at the issuer: a public client (a {@code client_id} only, as a command-line tool on
 * a person's machine is) or a confidential one with a secret, sent as {@code client_secret_basic}.
 *
 * @param clientId the registered {@code client_id}
 * @param secret   the client secret, or {@code null} for a public client
 */
public record ClientCredentials(String clientId, String secret) {
    public ClientCredentials {
        Objects.requireNonNull(clientId, "clientId");
        if (clientId.isBlank()) {
            throw new IllegalArgumentException("the client_id is empty");
        }
    }

    /** A public client. */
    public static ClientCredentials publicClient(String clientId) {
        return new ClientCredentials(clientId, null);
    }

    /** Whether this is a public client (no secret: it only names itself). */
    public boolean isPublic() {
        return secret == null;
    }

    ClientID id() {
        return new ClientID(clientId);
    }

    /** The authentication to send, or {@code null} for a public client (which sends its {@code client_id}). */
    ClientAuthentication authentication() {
        return secret == null ? null : new ClientSecretBasic(id(), new Secret(secret));
    }

    /** Never shows the secret. */
    @Override
    public String toString() {
        return "ClientCredentials[" + clientId + (secret == null ? ", public]" : ", with secret]");
    }
}
