package dev.tessera.agent.get;

import dev.tessera.agent.access.TokenInfo;
import dev.tessera.agent.oauth.ClientCredentials;
import dev.tessera.agent.oauth.DeviceAuthorization;
import dev.tessera.agent.oauth.DevicePoller;
import dev.tessera.agent.oauth.IssuedTokens;
import dev.tessera.agent.oauth.IssuerClient;
import dev.tessera.agent.oauth.Narrowing;
import dev.tessera.agent.oauth.OAuthError;
import dev.tessera.agent.oauth.Sleeper;
import dev.tessera.agent.oauth.Transport;
import dev.tessera.agent.vault.Vault;
import dev.tessera.agent.vault.VaultEntry;
import dev.tessera.agent.vault.VaultSession;
import dev.tessera.token.TokenException;
import dev.tessera.token.bearer.TokenFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Gets a person an access token the way htgettoken does, cheapest first:
 * <ol>
 *   <li>the token already in the file, when it is from the issuer, grants exactly what is asked and has
 *       at least the minimum lifetime left (nothing is sent to the issuer);</li>
 *   <li>else the vault's refresh token for the issuer and client, narrowed to the request; the rotated
 *       refresh token is stored before the access token is written, so a crash between the two never
 *       leaves the vault with a spent token;</li>
 *   <li>else, when interactive, a device flow the person approves in a browser; its refresh token goes
 *       to the vault.</li>
 * </ol>
 * A token that grants more than asked (scope or audience) is refused and not written. Token files are
 * 0600 and replaced atomically ({@link TokenFiles}).
 */
public final class TokenGetter {
    /** Opens a client of an issuer (discovery); a seam for tests. */
    @FunctionalInterface
    public interface Connector {
        IssuerClient connect(String issuer, ClientCredentials client) throws IOException;
    }

    private final Connector connector;
    private final Vault vault;
    private final Clock clock;
    private final DevicePoller poller;
    private final DevicePrompt prompt;
    private final Map<ClientCredentials, IssuerClient> clients = new ConcurrentHashMap<>();

    /**
     * @param connector how to reach an issuer (discovery)
     * @param vault     where refresh tokens are kept
     * @param clock     what a token's remaining lifetime is judged by
     * @param sleeper   how to wait between device-flow polls
     * @param prompt    where the person is asked to approve, and told what happens
     */
    public TokenGetter(Connector connector, Vault vault, Clock clock, Sleeper sleeper, DevicePrompt prompt) {
        this.connector = connector;
        this.vault = vault;
        this.clock = clock;
        this.poller = new DevicePoller(clock, sleeper);
        this.prompt = prompt;
    }

    /** A getter that discovers issuers over {@code transport}, waiting in real time. */
    public static TokenGetter over(Transport transport, Vault vault, Clock clock, DevicePrompt prompt) {
        return new TokenGetter((issuer, client) -> IssuerClient.discover(issuer, client, transport, clock), vault, clock,
                Sleeper.SYSTEM, prompt);
    }

    /**
     * Makes sure {@code request.tokenFile()} holds a token serving the request: reused, refreshed, or from
     * a device flow.
     *
     * @throws GetException         when no token can be had (refused, denied, more than asked, no client)
     * @throws IOException          when the issuer cannot be reached or a file cannot be used
     * @throws InterruptedException when interrupted while waiting for an approval
     */
    public Outcome get(GetRequest request) throws GetException, IOException, InterruptedException {
        Optional<TokenInfo> existing = TokenInfo.read(request.tokenFile());
        if (existing.isPresent() && request.access().servedBy(existing.get(), request.issuer(), clock.instant())) {
            return new Outcome(Outcome.How.REUSED, existing.get(), request.tokenFile(), request.clientId());
        }
        return renew(request);
    }

    /**
     * Writes a new token for the request whatever the file holds: by refresh, else (when interactive) by
     * a device flow. What a background renewal calls.
     */
    public Outcome renew(GetRequest request) throws GetException, IOException, InterruptedException {
        String clientId;
        try (VaultSession session = vault.lock()) {
            clientId = clientId(request, session);
            Optional<VaultEntry> entry = session.find(request.issuer(), clientId);
            if (entry.isPresent()) {
                Optional<Outcome> refreshed = refresh(request, clientId, entry.get(), session);
                if (refreshed.isPresent()) {
                    return refreshed.get();
                }
            }
        }
        if (!request.interactive()) {
            throw new GetException(GetException.Kind.REFUSED, "no usable refresh token for " + request.issuer()
                    + " (client " + clientId + "): log in with tessera get");
        }
        return deviceFlow(request, clientId);
    }

    /**
     * Revokes the stored grant of {@code issuer} and the client at the issuer, forgets it, and deletes
     * {@code tokenFile} when it holds a token of that issuer.
     *
     * @return what was done
     */
    public Revoked revoke(String issuer, String clientId, String clientSecret, Path tokenFile)
            throws GetException, IOException {
        boolean revoked = false;
        String client = clientId;
        IssuerClient issuerClient = null;
        try (VaultSession session = vault.lock()) {
            List<VaultEntry> held = session.entries().stream().filter(e -> e.issuer().equals(issuer)).toList();
            if (client == null && held.size() == 1) {
                client = held.get(0).clientId();
            }
            if (client != null) {
                Optional<VaultEntry> entry = session.find(issuer, client);
                if (entry.isPresent()) {
                    issuerClient = client(issuer, new ClientCredentials(client, clientSecret));
                    issuerClient.revokeRefreshToken(entry.get().refreshToken());
                    session.remove(issuer, client); // forgotten only once the issuer has revoked it
                    revoked = true;
                }
            } else if (!held.isEmpty()) {
                throw new GetException(GetException.Kind.USAGE, "the vault holds grants of several clients at " + issuer
                        + ": name the client (--client-id)");
            }
        } catch (OAuthError e) {
            throw new GetException(GetException.Kind.REFUSED, issuer + " refused to revoke the refresh token: "
                    + e.getMessage() + " (it was kept in the vault)", e);
        }
        boolean deleted = false;
        Optional<TokenInfo> existing = TokenInfo.read(tokenFile);
        if (existing.isPresent() && issuer.equals(existing.get().issuer())) {
            if (issuerClient != null) {
                try {
                    issuerClient.revokeAccessToken(existing.get().token());
                } catch (OAuthError | IOException e) {
                    prompt.note("the access token could not be revoked at the issuer (" + e.getMessage()
                            + "); it stays valid until it expires");
                }
            }
            deleted = Files.deleteIfExists(tokenFile);
        }
        return new Revoked(revoked, deleted, client);
    }

    /**
     * What {@link #revoke} did.
     *
     * @param refreshTokenRevoked whether a stored refresh token was revoked and forgotten
     * @param tokenFileDeleted    whether the access token file was deleted
     * @param clientId            the client whose grant it was, or {@code null}
     */
    public record Revoked(boolean refreshTokenRevoked, boolean tokenFileDeleted, String clientId) {
    }

    private Optional<Outcome> refresh(GetRequest request, String clientId, VaultEntry entry, VaultSession session)
            throws GetException, IOException {
        IssuerClient client = client(request.issuer(), new ClientCredentials(clientId, request.clientSecret()));
        IssuedTokens tokens;
        try {
            tokens = client.refresh(entry.refreshToken(), request.access().narrowing(request.lifetime()));
        } catch (OAuthError e) {
            // a refused refresh does not spend the refresh token: keep it unless it is dead
            if (e.is(OAuthError.INVALID_GRANT)) {
                session.remove(request.issuer(), clientId);
                prompt.note("the stored refresh token for " + request.issuer() + " no longer works (" + e.getMessage()
                        + "): a new login is needed");
                return Optional.empty();
            }
            if (e.is(OAuthError.INVALID_SCOPE) || e.is(OAuthError.INVALID_TARGET)) {
                prompt.note("the stored grant for " + request.issuer() + " does not cover this request (" + e.getMessage()
                        + "): a new login is needed");
                return Optional.empty();
            }
            throw new GetException(GetException.Kind.REFUSED, request.issuer() + " refused the refresh: " + e.getMessage(), e);
        }
        if (tokens.refreshToken() != null) {
            session.put(entry.rotated(tokens.refreshToken(), clock.instant())); // durable before the access token is written
        }
        return Optional.of(deliver(request, clientId, tokens, Outcome.How.REFRESHED));
    }

    private Outcome deviceFlow(GetRequest request, String clientId) throws GetException, IOException, InterruptedException {
        IssuerClient client = client(request.issuer(), new ClientCredentials(clientId, request.clientSecret()));
        IssuedTokens tokens;
        try {
            DeviceAuthorization authorization = client.startDeviceAuthorization(
                    new Narrowing(request.access().grantScope(), request.access().audiences(), null));
            prompt.show(request.issuer(), authorization);
            tokens = poller.await(client, authorization);
        } catch (OAuthError e) {
            String why = e.is(OAuthError.ACCESS_DENIED) ? "the request was denied"
                    : e.is(OAuthError.EXPIRED_TOKEN) ? "the code expired before it was approved" : e.getMessage();
            throw new GetException(GetException.Kind.REFUSED, "no token from " + request.issuer() + ": " + why, e);
        }
        if (tokens.refreshToken() != null) {
            TokenInfo info = decode(request, tokens);
            try (VaultSession session = vault.lock()) {
                session.put(new VaultEntry(request.issuer(), clientId, tokens.refreshToken(), tokens.scope(),
                        info.audiences(), clock.instant()));
            }
        } else {
            prompt.note(request.issuer() + " issued no refresh token (offline_access was not granted): the next "
                    + "token will need another login");
        }
        return deliver(request, clientId, tokens, Outcome.How.DEVICE_FLOW);
    }

    /** Checks what the issuer gave against the request, then writes it. */
    private Outcome deliver(GetRequest request, String clientId, IssuedTokens tokens, Outcome.How how)
            throws GetException, IOException {
        TokenInfo info = decode(request, tokens);
        if (!request.issuer().equals(info.issuer())) {
            throw new GetException(GetException.Kind.REFUSED, "the token endpoint of " + request.issuer()
                    + " returned a token of another issuer (" + info.issuer() + "); it was not written");
        }
        List<String> excess = request.access().excess(info);
        if (!excess.isEmpty()) {
            throw new GetException(GetException.Kind.REFUSED, request.issuer() + " returned a token that grants more "
                    + "than asked (" + String.join(", ", excess) + "); it was not written");
        }
        TokenFiles.write(request.tokenFile(), tokens.accessToken());
        return new Outcome(how, info, request.tokenFile(), clientId);
    }

    private static TokenInfo decode(GetRequest request, IssuedTokens tokens) throws GetException {
        try {
            return TokenInfo.decode(tokens.accessToken());
        } catch (TokenException e) {
            throw new GetException(GetException.Kind.REFUSED, request.issuer() + " returned an access token that is not "
                    + "a JWT (" + e.getMessage() + ")");
        }
    }

    /** The client named, else the only one the vault holds a grant of at this issuer. */
    private static String clientId(GetRequest request, VaultSession session) throws GetException {
        if (request.clientId() != null) {
            return request.clientId();
        }
        List<String> known = session.entries().stream().filter(e -> e.issuer().equals(request.issuer()))
                .map(VaultEntry::clientId).toList();
        if (known.size() == 1) {
            return known.get(0);
        }
        throw new GetException(GetException.Kind.USAGE, known.isEmpty()
                ? "no client for " + request.issuer() + ": name the VO's client for this tool (--client-id)"
                : "the vault holds grants of several clients at " + request.issuer() + ": name one (--client-id)");
    }

    private IssuerClient client(String issuer, ClientCredentials credentials) throws IOException {
        IssuerClient known = clients.get(credentials);
        if (known != null && known.metadata().issuer().equals(issuer)) {
            return known;
        }
        IssuerClient fresh = connector.connect(issuer, credentials);
        clients.put(credentials, fresh);
        return fresh;
    }
}
