package dev.tessera.agent.manager;

import dev.tessera.agent.get.TokenGetter;
import dev.tessera.agent.oauth.ClientCredentials;
import dev.tessera.agent.oauth.IssuerClient;
import dev.tessera.agent.oauth.Transport;
import java.io.IOException;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The agent's OAuth clients, one per issuer and client, each discovered once: the metadata of an issuer
 * is fetched on first use and kept, so an issuer that is down later only fails the token requests. A
 * failed discovery is not remembered; the next use tries again.
 */
public final class IssuerClients {
    private record Key(String issuer, ClientCredentials client) {
    }

    private final TokenGetter.Connector connector;
    private final Map<Key, IssuerClient> clients = new ConcurrentHashMap<>();

    public IssuerClients(TokenGetter.Connector connector) {
        this.connector = connector;
    }

    /** Clients that discover issuers over {@code transport}. */
    public static IssuerClients over(Transport transport, Clock clock) {
        return new IssuerClients((issuer, client) -> IssuerClient.discover(issuer, client, transport, clock));
    }

    /**
     * The client of {@code issuer} as {@code client}.
     *
     * @throws IOException when the issuer's metadata cannot be fetched
     */
    public IssuerClient get(String issuer, ClientCredentials client) throws IOException {
        Key key = new Key(issuer, client);
        IssuerClient known = clients.get(key);
        if (known != null) {
            return known;
        }
        IssuerClient discovered = connector.connect(issuer, client);
        IssuerClient raced = clients.putIfAbsent(key, discovered);
        return raced != null ? raced : discovered;
    }
}
