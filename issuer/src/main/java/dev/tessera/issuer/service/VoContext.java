package dev.tessera.issuer.service;

import dev.tessera.issuer.domain.Client;
import dev.tessera.issuer.domain.RegistrationPolicy;
import dev.tessera.issuer.domain.Vo;
import dev.tessera.issuer.service.keys.KeyRing;
import dev.tessera.issuer.service.policy.Policy;
import dev.tessera.issuer.service.policy.ScopeTemplate;
import java.util.Map;

/**
 * Everything needed to serve one VO, as of the last change to the database: immutable.
 *
 * @param registration what self-registering clients may get, or {@code null} when registration is closed
 */
public record VoContext(Vo vo, KeyRing keys, Map<String, RegisteredClient> clients, Policy policy,
                        RegistrationPolicy registration) {

    /** A client with its parsed scope template. */
    public record RegisteredClient(Client client, ScopeTemplate scope) {
    }

    public VoContext {
        clients = Map.copyOf(clients);
    }

    public RegisteredClient client(String clientId) {
        return clientId == null ? null : clients.get(clientId);
    }
}
