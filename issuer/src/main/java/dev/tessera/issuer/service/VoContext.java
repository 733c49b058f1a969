package dev.tessera.issuer.service;

import dev.tessera.issuer.domain.Client;
import dev.tessera.issuer.domain.RegistrationPolicy;
import dev.tessera.issuer.domain.Vo;
import dev.tessera.issuer.service.keys.KeyRing;
import dev.tessera.issuer.service.policy.Policy;
import dev.tessera.issuer.service.policy.ScopeTemplate;
import dev.tessera.token.keys.IssuerKeys;
import dev.tessera.token.scope.InvalidScopeException;
import java.text.ParseException;
import java.util.Map;

/**
 * Everything needed to serve one VO, as of the last change to the database: immutable.
 *
 * @param registration what self-registering clients may get, or {@code null} when registration is closed
 */
public record VoContext(Vo vo, KeyRing keys, Map<String, RegisteredClient> clients, Policy policy,
                        RegistrationPolicy registration) {

    /**
     * A client with its parsed scope template and, for private_key_jwt, its parsed public keys.
     *
     * @param keys {@code null} unless the client authenticates with signed assertions
     */
    public record RegisteredClient(Client client, ScopeTemplate scope, IssuerKeys keys) {
        public RegisteredClient(Client client, ScopeTemplate scope) {
            this(client, scope, null);
        }

        /** Parses what the client record holds. */
        public static RegisteredClient of(Client client) throws InvalidScopeException, ParseException {
            return new RegisteredClient(client, ScopeTemplate.parse(client.scope()),
                    client.jwks() == null ? null : IssuerKeys.parse(client.jwks()));
        }
    }

    public VoContext {
        clients = Map.copyOf(clients);
    }

    public RegisteredClient client(String clientId) {
        return clientId == null ? null : clients.get(clientId);
    }
}
