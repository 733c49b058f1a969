package dev.tessera.agent.manager;

import dev.tessera.agent.access.AccessRequest;
import dev.tessera.agent.access.TokenInfo;
import dev.tessera.agent.oauth.ClientCredentials;
import dev.tessera.agent.oauth.IssuedTokens;
import dev.tessera.agent.oauth.IssuerClient;
import dev.tessera.agent.oauth.Narrowing;
import dev.tessera.agent.oauth.OAuthError;
import dev.tessera.agent.vault.VaultEntry;
import dev.tessera.agent.vault.VaultSession;
import dev.tessera.token.TokenException;
import dev.tessera.token.scope.Scope;
import dev.tessera.token.scope.ScopeSet;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The token manager: keeps each user's refresh tokens ({@link GrantStore}) and mints access tokens for
 * their jobs, narrowed to what each job asks ({@code scope}, {@code audience}, lifetime). A user is whoever
 * the caller is (the socket layer names them from the peer's credentials); nothing here lets one user name
 * another's grants.
 *
 * <p>Cheapest first, a request is served by:
 * <ol>
 *   <li>a cached token for the same request that still has the minimum lifetime asked for: no request to
 *       the issuer;</li>
 *   <li>else a token exchange (RFC 8693) of the grant's cached broader access token, when that has the
 *       minimum lifetime and the client may exchange: one request, and the refresh token is untouched;</li>
 *   <li>else a refresh narrowed to the request: one request; the rotated refresh token is stored durably
 *       before the access token is used.</li>
 * </ol>
 * Concurrent identical requests wait for one another, so they cost one issuer request together. A token
 * that grants more than asked is refused.
 *
 * <p>Renewal ({@link #renewDue}): cached tokens in use are renewed by the {@link RenewalPolicy} (a fraction
 * of their lifetime with jitter, before they drop below the minimum lifetime asked for); while the issuer
 * fails the wait between attempts doubles up to a cap, and the cached token is served meanwhile for as long
 * as it qualifies. Tokens nobody asked for during {@link Settings#idleAfter} (or their lifetime, if longer)
 * are not renewed and are forgotten once expired. A refresh token that was not used for half of
 * {@link Settings#refreshTokenLifetime} is reported and used once, which renews it at the issuer.
 *
 * <p>Thread-safe.
 */
public final class TokenManager {
    private static final Logger LOG = LoggerFactory.getLogger(TokenManager.class);
    private static final String UNAUTHORIZED_CLIENT = "unauthorized_client";
    private static final String UNSUPPORTED_GRANT_TYPE = "unsupported_grant_type";
    private static final int LONGEST_REFRESH_TOKEN = 8192;
    /** The request of a grant's broad token: all it holds, for the issuer's default audience and lifetime. */
    private static final AccessRequest WHOLE_GRANT = new AccessRequest(ScopeSet.EMPTY, List.of(), List.of(), Duration.ZERO);

    /**
     * What the manager assumes and how long it keeps tokens warm.
     *
     * @param refreshTokenLifetime how long the issuers' refresh tokens last unused (they do not say; the
     *                             Tessera issuer's default is 14 days)
     * @param idleAfter            how long a cached token is kept renewed after it was last asked for
     * @param clientSecrets        secrets of confidential clients, by {@code client_id}
     */
    public record Settings(Duration refreshTokenLifetime, Duration idleAfter, Map<String, String> clientSecrets) {
        /** 14 days, 1 hour, public clients only. */
        public static final Settings DEFAULT = new Settings(Duration.ofDays(14), Duration.ofHours(1), Map.of());

        public Settings {
            clientSecrets = Map.copyOf(clientSecrets);
        }
    }

    /** A grant: one user's refresh token at one issuer for one client. */
    private record GrantKey(String user, String issuer, String clientId) {
        @Override
        public String toString() {
            return user + " at " + issuer + " (client " + clientId + ")";
        }
    }

    /** A cached token: of a grant, for one request (the empty request is the whole grant, the parent). */
    private record SlotKey(GrantKey grant, String request) {
        boolean isParent() {
            return request.isEmpty();
        }
    }

    private static final class Slot {
        final SlotKey key;
        final AccessRequest access;
        final Duration lifetime;
        final ReentrantLock lock = new ReentrantLock();
        volatile TokenInfo token;
        volatile Minted.How how;
        /** When to renew next, or {@code null} for never (nothing cached yet). */
        volatile Instant due;
        /** The last wait after a failure; {@code null} after a success. */
        volatile Duration backoff;
        volatile Instant lastUsed;
        volatile Duration minLifetime = Duration.ZERO;
        /** The issuer refused to exchange for this request: refresh for it from now on. */
        volatile boolean refreshOnly;

        Slot(SlotKey key, AccessRequest access, Duration lifetime) {
            this.key = key;
            this.access = access;
            this.lifetime = lifetime;
        }

        void used(Instant now, Duration min) {
            lastUsed = now;
            if (min.compareTo(minLifetime) > 0) {
                minLifetime = min;
            }
        }
    }

    /** When a grant's refresh token is next checked for expiry, and the wait after a failed renewal. */
    private record KeepAlive(Instant next, Duration backoff) {
    }

    private final GrantStore store;
    private final IssuerClients issuers;
    private final Clock clock;
    private final RenewalPolicy policy;
    private final Random random;
    private final Settings settings;
    private final ConcurrentHashMap<String, Map<GrantKey, VaultEntry>> grants = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<SlotKey, Slot> slots = new ConcurrentHashMap<>();
    private final Set<GrantKey> noExchange = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<GrantKey, KeepAlive> keepAlive = new ConcurrentHashMap<>();
    private volatile boolean allLoaded;
    private volatile Runnable onChange = () -> { };

    public TokenManager(GrantStore store, IssuerClients issuers, Clock clock, RenewalPolicy policy, Random random,
                        Settings settings) {
        this.store = store;
        this.issuers = issuers;
        this.clock = clock;
        this.policy = policy;
        this.random = random;
        this.settings = settings;
    }

    /** Runs {@code listener} whenever a renewal may have become due sooner (a renewal loop waits on it). */
    public void onChange(Runnable listener) {
        this.onChange = Objects.requireNonNull(listener);
    }

    /**
     * Stores a refresh token of {@code user} for {@code issuer} and {@code clientId}, replacing the grant
     * stored for them. The token is written durably first, then used once (unnarrowed) to check it and to
     * take it over: the issuer rotates it, so the copy the caller holds is spent, and the broad access token
     * obtained is kept for exchanges. If the issuer refuses it or cannot be reached, nothing stays stored.
     *
     * @throws AgentException {@code invalid_request}, {@code refused}, {@code unavailable}, {@code internal}
     */
    public GrantInfo store(String user, String issuer, String clientId, String refreshToken) throws AgentException {
        String iss = normalizeIssuer(issuer);
        if (clientId == null || clientId.isBlank()) {
            throw new AgentException(AgentException.Code.INVALID_REQUEST, "name the client the refresh token was issued to");
        }
        if (refreshToken == null || refreshToken.isBlank() || refreshToken.length() > LONGEST_REFRESH_TOKEN
                || !refreshToken.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new AgentException(AgentException.Code.INVALID_REQUEST, "the refresh token is empty, too long or "
                    + "not printable ASCII");
        }
        GrantKey grant = new GrantKey(user, iss, clientId);
        Instant now = clock.instant();
        try (VaultSession session = store.vault(user).lock()) {
            VaultEntry stored = new VaultEntry(iss, clientId, refreshToken.strip(), null, List.of(), now);
            session.put(stored); // durable before the issuer sees it: a crash cannot lose it
            forgetTokens(grant);
            grantsOf(user).put(grant, stored);
            IssuedTokens tokens;
            TokenInfo info;
            try {
                IssuerClient client = client(grant);
                tokens = client.refresh(stored.refreshToken(), Narrowing.NONE);
                info = decode(grant, tokens);
            } catch (AgentException | IOException | OAuthError e) {
                session.remove(iss, clientId);
                grantsOf(user).remove(grant);
                if (e instanceof AgentException agent) {
                    throw agent;
                }
                throw e instanceof OAuthError refused
                        ? new AgentException(AgentException.Code.REFUSED, iss + " refused the refresh token ("
                        + refused.getMessage() + "); nothing was stored", refused)
                        : new AgentException(AgentException.Code.UNAVAILABLE, "cannot reach " + iss + " to check the "
                        + "refresh token (" + e.getMessage() + "); nothing was stored", e);
            }
            VaultEntry taken = new VaultEntry(iss, clientId, tokens.refreshToken() != null ? tokens.refreshToken()
                    : stored.refreshToken(), tokens.scope(), info.audiences(), now);
            session.put(taken);
            grantsOf(user).put(grant, taken);
            keepAlive.remove(grant);
            Slot parent = slot(new SlotKey(grant, ""), WHOLE_GRANT, null);
            parent.used(now, Duration.ZERO);
            accept(parent, info, Minted.How.REFRESHED, now);
            LOG.info("stored a grant of {}: scope {}", grant, tokens.scope());
            return describe(grant, taken);
        } catch (IOException e) {
            throw internal(e);
        }
    }

    /**
     * An access token for a job of {@code user}.
     *
     * @throws AgentException {@code no_grant}, {@code invalid_request} (ambiguous), {@code refused} (the grant
     *                        does not cover the request), {@code unavailable} (issuer unreachable), {@code internal}
     */
    public Minted token(String user, MintRequest request) throws AgentException {
        GrantKey grant = resolve(user, request.issuer(), request.clientId());
        AccessRequest access = request.access();
        Slot slot = slot(new SlotKey(grant, requestKey(access, request.lifetime())), access, request.lifetime());
        Instant now = clock.instant();
        slot.used(now, access.minLifetime());
        Optional<Minted> cached = cached(slot, request, now);
        if (cached.isPresent()) {
            return cached.get();
        }
        slot.lock.lock();
        try {
            now = clock.instant();
            cached = cached(slot, request, now); // another request for the same token may have got it meanwhile
            if (cached.isPresent()) {
                return cached.get();
            }
            Obtained obtained = obtain(slot, now, request.fresherThan());
            accept(slot, obtained.token, obtained.how, clock.instant());
            return new Minted(obtained.token, grant.issuer(), grant.clientId(), obtained.how);
        } finally {
            slot.lock.unlock();
        }
    }

    /** The grants {@code user} has stored. */
    public List<GrantInfo> grants(String user) throws AgentException {
        return grantsOf(user).entrySet().stream().sorted(Comparator.comparing((Map.Entry<GrantKey, VaultEntry> e) ->
                e.getKey().issuer()).thenComparing(e -> e.getKey().clientId()))
                .map(e -> describe(e.getKey(), e.getValue())).toList();
    }

    /**
     * Forgets a grant of {@code user} (and its cached tokens); with {@code revoke}, revokes the refresh token
     * at the issuer first, and keeps it if the issuer cannot be told.
     *
     * @throws AgentException {@code no_grant}, {@code invalid_request}, {@code refused}, {@code unavailable}
     */
    public GrantInfo forget(String user, String issuer, String clientId, boolean revoke) throws AgentException {
        GrantKey grant = resolve(user, issuer, clientId);
        try (VaultSession session = store.vault(user).lock()) {
            Optional<VaultEntry> entry = session.find(grant.issuer(), grant.clientId());
            if (entry.isEmpty()) {
                throw noGrant(grant.issuer());
            }
            if (revoke) {
                try {
                    client(grant).revokeRefreshToken(entry.get().refreshToken());
                } catch (OAuthError e) {
                    throw new AgentException(AgentException.Code.REFUSED, grant.issuer() + " refused to revoke the "
                            + "refresh token (" + e.getMessage() + "); it was kept", e);
                } catch (IOException e) {
                    throw new AgentException(AgentException.Code.UNAVAILABLE, "cannot reach " + grant.issuer()
                            + " to revoke the refresh token (" + e.getMessage() + "); it was kept", e);
                }
            }
            session.remove(grant.issuer(), grant.clientId());
            dropGrant(grant);
            LOG.info("forgot the grant of {}{}", grant, revoke ? ", revoked at the issuer" : "");
            return describe(grant, entry.get());
        } catch (IOException e) {
            throw internal(e);
        }
    }

    /**
     * Renews what is due at the clock's time: cached tokens in use, and refresh tokens unused for half their
     * lifetime. What the renewal loop calls.
     *
     * @return when the next renewal is due, or {@code null} when nothing is cached
     */
    public Instant renewDue() {
        loadAllUsers();
        Instant now = clock.instant();
        for (Slot slot : slots.values()) {
            Instant due = slot.due;
            if (due != null && !now.isBefore(due)) {
                renew(slot, now);
            }
        }
        keepRefreshTokensAlive(now);
        return nextRenewal();
    }

    /** When {@link #renewDue} has something to do next, or {@code null} when nothing is scheduled. */
    public Instant nextRenewal() {
        Instant next = null;
        for (Slot slot : slots.values()) {
            next = earlier(next, slot.due);
        }
        for (Map.Entry<String, Map<GrantKey, VaultEntry>> user : grants.entrySet()) {
            for (Map.Entry<GrantKey, VaultEntry> grant : user.getValue().entrySet()) {
                next = earlier(next, keepAliveAt(grant.getKey(), grant.getValue()));
            }
        }
        return next;
    }

    // ---- minting

    private record Obtained(TokenInfo token, Minted.How how) {
    }

    private Optional<Minted> cached(Slot slot, MintRequest request, Instant now) {
        TokenInfo token = slot.token;
        GrantKey grant = slot.key.grant();
        if (token == null || !request.access().servedBy(token, grant.issuer(), now)) {
            return Optional.empty();
        }
        if (request.fresherThan() != null && !token.expiresAt().isAfter(request.fresherThan())) {
            return Optional.empty();
        }
        return Optional.of(new Minted(token, grant.issuer(), grant.clientId(), Minted.How.CACHED));
    }

    /**
     * One request to the issuer for the slot's token (the slot is locked): an exchange of the grant's broad
     * token while that still has a third of its life (an exchanged token lives no longer than its parent) and
     * outlives {@code fresherThan}, else a refresh.
     */
    private Obtained obtain(Slot slot, Instant now, Instant fresherThan) throws AgentException {
        GrantKey grant = slot.key.grant();
        IssuerClient client = client(grant);
        Narrowing narrowing = slot.access.narrowing(slot.lifetime);
        if (slot.key.isParent()) {
            return new Obtained(decode(grant, refresh(grant, client, Narrowing.NONE)), Minted.How.REFRESHED);
        }
        Slot parent = slots.get(new SlotKey(grant, ""));
        TokenInfo broad = parent == null ? null : parent.token;
        if (broad != null && !noExchange.contains(grant) && !slot.refreshOnly && strongEnough(broad, slot, now)
                && (fresherThan == null || broad.expiresAt().isAfter(fresherThan))) {
            try {
                IssuedTokens exchanged = client.exchange(broad.token(), narrowing);
                parent.used(now, slot.minLifetime);
                return new Obtained(checked(grant, slot.access, exchanged), Minted.How.EXCHANGED);
            } catch (OAuthError e) {
                if (e.is(UNAUTHORIZED_CLIENT) || e.is(UNSUPPORTED_GRANT_TYPE)) {
                    noExchange.add(grant);
                    LOG.info("{} may not exchange tokens ({}): jobs' tokens come from refreshes", grant, e.getMessage());
                } else {
                    slot.refreshOnly = true;
                    LOG.debug("{}: the exchange was refused ({}); refreshing instead", grant, e.getMessage());
                }
                // a refresh may still serve (the grant holds what the client's ceiling for exchanges does not, say)
            } catch (IOException e) {
                throw unavailable(grant, e);
            }
        }
        return new Obtained(checked(grant, slot.access, refresh(grant, client, narrowing)), Minted.How.REFRESHED);
    }

    private boolean strongEnough(TokenInfo broad, Slot slot, Instant now) {
        Duration remaining = broad.remaining(now);
        Duration third = broad.lifetime() == null ? Duration.ZERO : broad.lifetime().dividedBy(3);
        return remaining.compareTo(slot.minLifetime.plus(policy.leastGap())) >= 0 && remaining.compareTo(third) >= 0;
    }

    /** A refresh of the grant; the rotated refresh token is stored durably before this returns. */
    private IssuedTokens refresh(GrantKey grant, IssuerClient client, Narrowing narrowing) throws AgentException {
        try (VaultSession session = store.vault(grant.user()).lock()) {
            VaultEntry entry = session.find(grant.issuer(), grant.clientId()).orElse(null);
            if (entry == null) {
                dropGrant(grant);
                throw noGrant(grant.issuer());
            }
            IssuedTokens tokens;
            try {
                tokens = client.refresh(entry.refreshToken(), narrowing);
            } catch (OAuthError e) {
                if (e.is(OAuthError.INVALID_GRANT)) {
                    session.remove(grant.issuer(), grant.clientId());
                    dropGrant(grant);
                    LOG.warn("the refresh token of {} no longer works ({}): it was removed; a new one must be stored",
                            grant, e.getMessage());
                    throw new AgentException(AgentException.Code.REFUSED, "the stored refresh token for " + grant.issuer()
                            + " no longer works (" + e.getMessage() + "): store a new one (tessera agent store)", e);
                }
                throw refused(grant, e);
            } catch (IOException e) {
                throw unavailable(grant, e);
            }
            if (tokens.refreshToken() != null && !tokens.refreshToken().equals(entry.refreshToken())) {
                VaultEntry rotated = entry.rotated(tokens.refreshToken(), clock.instant());
                session.put(rotated);
                grantsOf(grant.user()).put(grant, rotated);
            }
            keepAlive.remove(grant);
            return tokens;
        } catch (IOException e) {
            throw internal(e);
        }
    }

    /** The token decoded and checked to be of the grant's issuer and within the request. */
    private TokenInfo checked(GrantKey grant, AccessRequest access, IssuedTokens tokens) throws AgentException {
        TokenInfo info = decode(grant, tokens);
        List<String> excess = access.excess(info);
        if (!excess.isEmpty()) {
            throw new AgentException(AgentException.Code.REFUSED, grant.issuer() + " returned a token that grants more "
                    + "than asked (" + String.join(", ", excess) + "); it was not handed out");
        }
        return info;
    }

    private TokenInfo decode(GrantKey grant, IssuedTokens tokens) throws AgentException {
        TokenInfo info;
        try {
            info = TokenInfo.decode(tokens.accessToken());
        } catch (TokenException e) {
            throw new AgentException(AgentException.Code.REFUSED, grant.issuer() + " returned an access token that is "
                    + "not a JWT (" + e.getMessage() + ")");
        }
        if (!grant.issuer().equals(info.issuer()) || info.expiresAt() == null) {
            throw new AgentException(AgentException.Code.REFUSED, "the token endpoint of " + grant.issuer()
                    + " returned a token of another issuer (" + info.issuer() + ") or without exp");
        }
        return info;
    }

    /** Caches a new token in the slot and schedules its renewal. */
    private void accept(Slot slot, TokenInfo token, Minted.How how, Instant now) {
        // a token that cannot have the minimum left (the issuer caps lifetimes) is renewed by its own lifetime only
        Duration min = token.remaining(now).compareTo(slot.minLifetime) >= 0 ? slot.minLifetime : Duration.ZERO;
        slot.token = token;
        slot.how = how;
        slot.backoff = null;
        slot.due = policy.due(token, min, now, random);
        onChange.run();
    }

    // ---- renewal

    private void renew(Slot slot, Instant now) {
        if (!slot.lock.tryLock()) {
            return; // a job's request is at it
        }
        try {
            TokenInfo token = slot.token;
            Duration window = token != null && token.lifetime() != null && token.lifetime().compareTo(settings.idleAfter()) > 0
                    ? token.lifetime() : settings.idleAfter();
            if (slot.lastUsed == null || slot.lastUsed.plus(window).isBefore(now)) {
                if (token == null || !token.expiresAt().isAfter(now)) {
                    slots.remove(slot.key, slot);
                } else {
                    slot.due = token.expiresAt(); // idle: not renewed, forgotten once expired
                }
                return;
            }
            try {
                Obtained obtained = obtain(slot, now, token == null ? null : token.expiresAt());
                accept(slot, obtained.token, obtained.how, clock.instant());
                LOG.debug("renewed a token of {}: scope {}, expires {}", slot.key.grant(), obtained.token.scope(),
                        obtained.token.expiresAt());
            } catch (AgentException e) {
                if (e.code() == AgentException.Code.NO_GRANT) {
                    slots.remove(slot.key, slot);
                    return;
                }
                Duration wait = policy.retryAfter(slot.backoff);
                slot.backoff = wait;
                slot.due = now.plus(wait);
                Duration left = token == null ? Duration.ZERO : token.remaining(now);
                LOG.warn("cannot renew a token of {} ({}); {}; retrying in {} s", slot.key.grant(), e.getMessage(),
                        left.isNegative() || left.isZero() ? "the cached one has expired"
                                : "the cached one stays in use for " + left.toSeconds() + " s", wait.toSeconds());
            }
        } finally {
            slot.lock.unlock();
        }
    }

    /** When the refresh token of a grant is next looked at: half its lifetime after it was last renewed. */
    private Instant keepAliveAt(GrantKey grant, VaultEntry entry) {
        KeepAlive retry = keepAlive.get(grant);
        return retry != null ? retry.next()
                : entry.updatedAt().plus(settings.refreshTokenLifetime().dividedBy(2));
    }

    private void keepRefreshTokensAlive(Instant now) {
        for (Map<GrantKey, VaultEntry> userGrants : grants.values()) {
            for (Map.Entry<GrantKey, VaultEntry> grant : userGrants.entrySet()) {
                if (now.isBefore(keepAliveAt(grant.getKey(), grant.getValue()))) {
                    continue;
                }
                Instant expires = grant.getValue().updatedAt().plus(settings.refreshTokenLifetime());
                Duration left = Duration.between(now, expires);
                String message = "the refresh token of {} was last renewed {} h ago and expires in about {} h: renewing it";
                if (left.compareTo(settings.refreshTokenLifetime().dividedBy(4)) < 0) {
                    LOG.warn(message, grant.getKey(), Duration.between(grant.getValue().updatedAt(), now).toHours(),
                            Math.max(0, left.toHours()));
                } else {
                    LOG.info(message, grant.getKey(), Duration.between(grant.getValue().updatedAt(), now).toHours(),
                            left.toHours());
                }
                Slot parent = slot(new SlotKey(grant.getKey(), ""), WHOLE_GRANT, null);
                if (!parent.lock.tryLock()) {
                    continue;
                }
                try {
                    IssuerClient client = client(grant.getKey());
                    accept(parent, decode(grant.getKey(), refresh(grant.getKey(), client, Narrowing.NONE)),
                            Minted.How.REFRESHED, clock.instant());
                } catch (AgentException e) {
                    KeepAlive previous = keepAlive.get(grant.getKey());
                    Duration wait = policy.retryAfter(previous == null ? null : previous.backoff());
                    if (e.code() != AgentException.Code.NO_GRANT) {
                        keepAlive.put(grant.getKey(), new KeepAlive(now.plus(wait), wait));
                        LOG.warn("cannot renew the refresh token of {} ({}); retrying in {} s", grant.getKey(),
                                e.getMessage(), wait.toSeconds());
                    }
                } finally {
                    parent.lock.unlock();
                }
            }
        }
    }

    // ---- grants and slots

    private Slot slot(SlotKey key, AccessRequest access, Duration lifetime) {
        return slots.computeIfAbsent(key, k -> new Slot(k, access, lifetime));
    }

    private GrantKey resolve(String user, String issuer, String clientId) throws AgentException {
        String iss = issuer == null || issuer.isBlank() ? null : normalizeIssuer(issuer);
        String client = clientId == null || clientId.isBlank() ? null : clientId;
        List<GrantKey> matching = grantsOf(user).keySet().stream()
                .filter(g -> (iss == null || g.issuer().equals(iss)) && (client == null || g.clientId().equals(client)))
                .toList();
        if (matching.isEmpty()) {
            throw noGrant(iss);
        }
        if (matching.size() > 1) {
            boolean oneIssuer = matching.stream().map(GrantKey::issuer).distinct().count() == 1;
            throw new AgentException(AgentException.Code.INVALID_REQUEST, "you have grants "
                    + (oneIssuer ? "of several clients at " + matching.get(0).issuer() + ": name the client"
                    : "at several issuers: name the issuer") + " (" + String.join(", ", matching.stream()
                    .map(g -> g.issuer() + " " + g.clientId()).toList()) + ")");
        }
        return matching.get(0);
    }

    private Map<GrantKey, VaultEntry> grantsOf(String user) throws AgentException {
        try {
            return grants.computeIfAbsent(user, this::load);
        } catch (UncheckedIOException e) {
            throw internal(e.getCause());
        }
    }

    private Map<GrantKey, VaultEntry> load(String user) {
        Map<GrantKey, VaultEntry> loaded = new ConcurrentHashMap<>();
        try {
            for (VaultEntry entry : store.vault(user).entries()) {
                loaded.put(new GrantKey(user, entry.issuer(), entry.clientId()), entry);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return loaded;
    }

    /** Reads every user's grants once, so their refresh tokens are watched from the start. */
    private void loadAllUsers() {
        if (allLoaded) {
            return;
        }
        try {
            for (String user : store.users()) {
                try {
                    grantsOf(user);
                } catch (AgentException e) {
                    LOG.error("cannot read the grants of {}: {}", user, e.getMessage());
                }
            }
            allLoaded = true;
        } catch (IOException e) {
            LOG.error("cannot list the users' grants: {}", e.getMessage());
        }
    }

    private void dropGrant(GrantKey grant) {
        Map<GrantKey, VaultEntry> userGrants = grants.get(grant.user());
        if (userGrants != null) {
            userGrants.remove(grant);
        }
        forgetTokens(grant);
        keepAlive.remove(grant);
        noExchange.remove(grant);
    }

    private void forgetTokens(GrantKey grant) {
        slots.keySet().removeIf(k -> k.grant().equals(grant));
    }

    private IssuerClient client(GrantKey grant) throws AgentException {
        String secret = settings.clientSecrets().get(grant.clientId());
        try {
            return issuers.get(grant.issuer(), new ClientCredentials(grant.clientId(), secret));
        } catch (IOException e) {
            throw unavailable(grant, e);
        }
    }

    private GrantInfo describe(GrantKey grant, VaultEntry entry) {
        int cached = (int) slots.values().stream().filter(s -> s.key.grant().equals(grant) && s.token != null).count();
        return new GrantInfo(grant.issuer(), grant.clientId(), entry.scope(), entry.audiences(), entry.updatedAt(),
                entry.updatedAt().plus(settings.refreshTokenLifetime()), cached);
    }

    /**
     * The cache key of a request: its capabilities, protocol scopes and audiences in a canonical order, and
     * the lifetime asked for. The minimum lifetime is not part of it: requests differing only in that share
     * tokens.
     */
    static String requestKey(AccessRequest access, Duration lifetime) {
        TreeSet<String> scopes = new TreeSet<>();
        for (Scope scope : access.capabilities()) {
            scopes.add(scope.toString());
        }
        scopes.addAll(access.protocolScopes());
        return "scope=" + String.join(" ", scopes) + "|aud=" + String.join(" ", new TreeSet<>(access.audiences()))
                + "|lifetime=" + (lifetime == null ? "" : lifetime.toSeconds());
    }

    private static String normalizeIssuer(String issuer) throws AgentException {
        String iss = issuer == null ? "" : issuer.strip().replaceAll("/+$", "");
        try {
            IssuerClient.checkIssuer(iss);
        } catch (IllegalArgumentException e) {
            throw new AgentException(AgentException.Code.INVALID_REQUEST, e.getMessage());
        }
        return iss;
    }

    private static Instant earlier(Instant a, Instant b) {
        return a == null ? b : b == null || a.isBefore(b) ? a : b;
    }

    private static AgentException noGrant(String issuer) {
        return new AgentException(AgentException.Code.NO_GRANT, "you have no stored grant"
                + (issuer == null ? "" : " for " + issuer) + ": store one first (tessera agent store)");
    }

    private static AgentException refused(GrantKey grant, OAuthError e) {
        return new AgentException(AgentException.Code.REFUSED, grant.issuer() + " refused: " + e.getMessage(), e);
    }

    private static AgentException unavailable(GrantKey grant, IOException e) {
        return new AgentException(AgentException.Code.UNAVAILABLE, "cannot reach " + grant.issuer() + ": "
                + e.getMessage(), e);
    }

    private static AgentException internal(IOException e) {
        return new AgentException(AgentException.Code.INTERNAL, "the agent's store: " + e.getMessage(), e);
    }
}
