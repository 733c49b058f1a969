package dev.tessera.agent.credmon;

import dev.tessera.agent.access.AccessRequest;
import dev.tessera.agent.access.TokenInfo;
import dev.tessera.agent.credmon.CredentialDirectory.Credential;
import dev.tessera.agent.credmon.CredentialDirectory.Meta;
import dev.tessera.agent.credmon.CredentialDirectory.Top;
import dev.tessera.agent.manager.IssuerClients;
import dev.tessera.agent.manager.RenewalPolicy;
import dev.tessera.agent.oauth.ClientCredentials;
import dev.tessera.agent.oauth.IssuedTokens;
import dev.tessera.agent.oauth.IssuerClient;
import dev.tessera.agent.oauth.IssuerMetadata;
import dev.tessera.agent.oauth.OAuthError;
import dev.tessera.agent.oauth.Transport;
import dev.tessera.token.TokenException;
import dev.tessera.token.scope.InvalidScopeException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The credmon: keeps a {@code .use} access token next to every OAuth {@code .top} refresh token the credd
 * stores in a {@link CredentialDirectory}, so the agent can stand in for {@code condor_credmon_oauth}.
 * Each {@link #scan} is one full pass, after which {@code CREDMON_COMPLETE} is touched:
 * <ul>
 *   <li>a {@code .top} without a {@code .use}, or changed since its {@code .use} was written (the credd stored
 *       a new credential), gets one at once; an existing {@code .use} is renewed by the {@link RenewalPolicy}
 *       (half its lifetime, with jitter), and while the issuer fails the wait doubles up to a cap and the old
 *       {@code .use} stays in place;</li>
 *   <li>every renewal is one refresh at the issuer, narrowed to the {@code scopes} and {@code audience} of the
 *       {@code .top}; the rotated refresh token is written into the {@code .top} (atomically, durably, keeping
 *       its mode) before the {@code .use}, so a crash never loses it; a token granting more than asked is not
 *       written;</li>
 *   <li>a handle's {@code SERVICE_HANDLE.top} without a refresh token of its own uses its service's, as the
 *       Vault credmon does;</li>
 *   <li>a {@code .use} whose {@code .top} was removed is removed, when this credmon wrote it or an OAuth
 *       {@code .meta} is next to it (the {@code .use} of a local issuer's credmon, which has neither, is left
 *       alone); a credential whose {@code .mark} is older than {@link Settings#markLifetime} is deleted.</li>
 * </ul>
 * The client comes from the {@code .meta} the credd writes ({@code client_id}, {@code client_secret},
 * {@code token_url}; or {@code issuer}, whose metadata is then discovered). Credentials with
 * {@code "use_refresh_token": false}, and Vault credentials, are someone else's and are skipped.
 */
public final class Credmon {
    private static final Logger LOG = LoggerFactory.getLogger(Credmon.class);

    /**
     * @param format       how {@code .use} files are written
     * @param markLifetime how old a {@code .mark} must be for its credential to be deleted
     *                     ({@code CREDMON_OAUTH_TOKEN_LIFETIME}, 24 hours by default)
     */
    public record Settings(CredentialDirectory.UseFormat format, Duration markLifetime) {
        public static final Settings DEFAULT = new Settings(CredentialDirectory.UseFormat.JSON, Duration.ofHours(24));
    }

    /** What one pass did. */
    public record Pass(int credentials, int renewed, int failed, int removed) {
    }

    /** What the credmon knows of one credential between passes. */
    private record State(Instant due, Duration backoff, FileTime topSeen, String failure) {
    }

    private final CredentialDirectory dir;
    private final IssuerClients discovered;
    private final Transport transport;
    private final Clock clock;
    private final RenewalPolicy policy;
    private final Random random;
    private final Settings settings;
    private final Map<Path, State> states = new ConcurrentHashMap<>();
    /** The {@code .use} files this credmon wrote (and so may remove). */
    private final Set<Path> written = ConcurrentHashMap.newKeySet();
    private final Map<String, IssuerClient> byTokenUrl = new ConcurrentHashMap<>();

    public Credmon(CredentialDirectory dir, Transport transport, Clock clock, RenewalPolicy policy, Random random,
                   Settings settings) {
        this.dir = dir;
        this.transport = transport;
        this.discovered = IssuerClients.over(transport, clock);
        this.clock = clock;
        this.policy = policy;
        this.random = random;
        this.settings = settings;
    }

    public CredentialDirectory directory() {
        return dir;
    }

    /** One full pass over the directory, then {@code CREDMON_COMPLETE}. */
    public synchronized Pass scan() {
        int credentials = 0;
        int renewed = 0;
        int failed = 0;
        int removed = 0;
        List<Path> users;
        try {
            users = dir.userDirs();
        } catch (IOException e) {
            LOG.error("cannot list the credential directory {}: {}", dir.root(), e.getMessage());
            return new Pass(0, 0, 1, 0);
        }
        for (Path userDir : users) {
            String user = userDir.getFileName().toString();
            try {
                for (String name : CredentialDirectory.names(userDir, CredentialDirectory.TOP)) {
                    Credential credential = new Credential(user, name, userDir);
                    credentials++;
                    if (sweep(credential)) {
                        removed++;
                        continue;
                    }
                    switch (process(credential)) {
                        case RENEWED -> renewed++;
                        case FAILED -> failed++;
                        default -> { }
                    }
                }
                removed += removeOrphans(user, userDir);
            } catch (IOException e) {
                failed++;
                LOG.error("cannot read the credentials of {}: {}", user, e.getMessage());
            }
        }
        states.keySet().removeIf(top -> !Files.exists(top));
        try {
            dir.markComplete();
        } catch (IOException e) {
            LOG.error("cannot touch {}: {}", CredentialDirectory.COMPLETE, e.getMessage());
        }
        return new Pass(credentials, renewed, failed, removed);
    }

    /** When a pass next has a token to renew, or {@code null} when none is scheduled. */
    public Instant nextDue() {
        Instant next = null;
        for (State state : states.values()) {
            if (state.due() != null && (next == null || state.due().isBefore(next))) {
                next = state.due();
            }
        }
        return next;
    }

    private enum Outcome { CURRENT, RENEWED, FAILED, SKIPPED }

    private Outcome process(Credential credential) {
        Path topFile = credential.top();
        Top top;
        Optional<Meta> meta;
        FileTime topTime;
        try {
            topTime = Files.getLastModifiedTime(topFile);
            top = CredentialDirectory.readTop(topFile);
            meta = CredentialDirectory.readMeta(credential.meta());
        } catch (NoSuchFileException e) {
            return Outcome.SKIPPED; // removed meanwhile
        } catch (IOException | CredentialDirectory.Malformed e) {
            return fail(credential, null, "cannot read its files: " + e.getMessage(), false);
        }
        if (top.vault() || meta.map(m -> !m.useRefreshToken()).orElse(false)) {
            return Outcome.SKIPPED; // a Vault credential, or one whose .use another credmon keeps
        }
        State state = states.get(topFile);
        Instant now = clock.instant();
        boolean changed = state == null || !topTime.equals(state.topSeen());
        Optional<TokenInfo> current;
        try {
            current = CredentialDirectory.readUse(credential.use());
        } catch (IOException e) {
            current = Optional.empty();
        }
        if (current.isPresent() && !changed && state.due() != null && now.isBefore(state.due())) {
            return Outcome.CURRENT;
        }
        if (current.isPresent() && state == null && !newerThan(topTime, credential.use())) {
            // first sight after a start: keep a valid token until its renewal is due
            Instant due = current.get().remaining(now).isNegative() ? now
                    : policy.due(current.get(), Duration.ZERO, now, random);
            states.put(topFile, new State(due, null, topTime, null));
            if (now.isBefore(due)) {
                return Outcome.CURRENT;
            }
        }
        if (!changed && state != null && state.backoff() != null && now.isBefore(state.due())) {
            return Outcome.CURRENT; // backing off; the old .use stays
        }
        return renew(credential, top, meta.orElse(null), topTime, current.orElse(null), now);
    }

    private Outcome renew(Credential credential, Top top, Meta meta, FileTime topTime, TokenInfo current, Instant now) {
        if (meta == null || meta.clientId() == null || (meta.issuer() == null && meta.tokenUrl() == null)) {
            return fail(credential, current, "no " + credential.name() + CredentialDirectory.META
                    + " with client_id and token_url (or issuer) next to it", false);
        }
        // the refresh token: the credential's own, else its service's (a handle)
        Credential owner = credential;
        Top ownerTop = top;
        if (top.refreshToken() == null) {
            Optional<Credential> service = credential.service();
            try {
                if (service.isEmpty() || (ownerTop = CredentialDirectory.readTop(service.get().top())).refreshToken() == null) {
                    return fail(credential, current, "no refresh_token in it" + (service.isEmpty() ? ""
                            : " nor in " + service.get().name() + CredentialDirectory.TOP), false);
                }
            } catch (IOException | CredentialDirectory.Malformed e) {
                return fail(credential, current, "cannot read " + service.get().name() + CredentialDirectory.TOP
                        + ": " + e.getMessage(), false);
            }
            owner = service.get();
        }
        AccessRequest access;
        try {
            access = AccessRequest.parse(top.scopes() == null ? null : top.scopes().replace(',', ' '),
                    top.audience() == null ? List.of() : Arrays.asList(top.audience().split(",")), Duration.ZERO);
        } catch (InvalidScopeException e) {
            return fail(credential, current, "its scopes do not parse: " + e.getMessage(), false);
        }
        IssuedTokens tokens;
        TokenInfo token;
        try {
            IssuerClient client = client(meta);
            tokens = client.refresh(ownerTop.refreshToken(), access.narrowing(null));
            if (tokens.refreshToken() != null && !tokens.refreshToken().equals(ownerTop.refreshToken())) {
                CredentialDirectory.rotate(owner.top(), ownerTop, tokens.refreshToken()); // before the .use: never lost
                FileTime rotated = Files.getLastModifiedTime(owner.top());
                if (owner == credential) {
                    topTime = rotated;
                } else {
                    states.computeIfPresent(owner.top(), (p, s) -> new State(s.due(), s.backoff(), rotated, s.failure()));
                }
            }
            token = TokenInfo.decode(tokens.accessToken());
        } catch (OAuthError e) {
            String why = e.is(OAuthError.INVALID_GRANT) ? "the refresh token no longer works (" + e.getMessage()
                    + "): the user must store a new credential" : "the issuer refused: " + e.getMessage();
            return fail(credential, current, why, true, topTime);
        } catch (IOException e) {
            return fail(credential, current, "cannot reach the issuer: " + e.getMessage(), true, topTime);
        } catch (TokenException e) {
            return fail(credential, current, "the issuer returned an access token that is not a JWT", true, topTime);
        }
        List<String> excess = access.excess(token);
        if (!excess.isEmpty()) {
            return fail(credential, current, "the issuer returned a token that grants more than asked ("
                    + String.join(", ", excess) + "); it was not written", true, topTime);
        }
        try {
            CredentialDirectory.writeUse(credential.use(), token, settings.format(), clock.instant());
            written.add(credential.use());
        } catch (IOException e) {
            return fail(credential, current, "cannot write " + credential.use() + ": " + e.getMessage(), true, topTime);
        }
        Instant due = policy.due(token, Duration.ZERO, clock.instant(), random);
        states.put(credential.top(), new State(due, null, topTime, null));
        LOG.info("{}: wrote {}{} (scope {}, expires {})", credential, credential.name(), CredentialDirectory.USE,
                current == null ? "" : ", renewed", token.scope(), token.expiresAt());
        return Outcome.RENEWED;
    }

    private IssuerClient client(Meta meta) throws IOException {
        ClientCredentials credentials = new ClientCredentials(meta.clientId(), meta.clientSecret());
        if (meta.issuer() != null) {
            return discovered.get(meta.issuer().replaceAll("/+$", ""), credentials);
        }
        String key = meta.tokenUrl() + " " + meta.clientId() + " " + (meta.clientSecret() == null ? 0 : meta.clientSecret().hashCode());
        IssuerClient known = byTokenUrl.get(key);
        if (known != null) {
            return known;
        }
        URI tokenUrl;
        try {
            tokenUrl = new URI(meta.tokenUrl());
        } catch (java.net.URISyntaxException e) {
            throw new IOException("token_url is not a URL: " + meta.tokenUrl());
        }
        if (!"https".equalsIgnoreCase(tokenUrl.getScheme()) || tokenUrl.getHost() == null) {
            throw new IOException("token_url is not an https URL: " + meta.tokenUrl());
        }
        String issuer = meta.tokenUrl().replaceAll("/token/*$", "");
        IssuerClient client = new IssuerClient(new IssuerMetadata(issuer, tokenUrl, null, null, List.of()), credentials,
                transport, clock);
        byTokenUrl.put(key, client);
        return client;
    }

    /** Deletes a credential whose {@code .mark} is old enough; true when it did. */
    private boolean sweep(Credential credential) {
        FileTime marked;
        try {
            marked = Files.getLastModifiedTime(credential.mark());
        } catch (IOException e) {
            return false;
        }
        if (Duration.between(marked.toInstant(), clock.instant()).compareTo(settings.markLifetime()) <= 0) {
            return false;
        }
        for (Path file : List.of(credential.top(), credential.use(), credential.meta(), credential.mark())) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                LOG.error("{}: cannot delete {}: {}", credential, file, e.getMessage());
            }
        }
        written.remove(credential.use());
        states.remove(credential.top());
        LOG.info("{}: deleted (marked for deletion {} ago)", credential, Duration.between(marked.toInstant(), clock.instant()));
        return true;
    }

    /** Removes the {@code .use} files whose {@code .top} is gone, when they are this credmon's to remove. */
    private int removeOrphans(String user, Path userDir) throws IOException {
        int removed = 0;
        for (String name : CredentialDirectory.names(userDir, CredentialDirectory.USE)) {
            Credential credential = new Credential(user, name, userDir);
            if (Files.exists(credential.top())) {
                continue;
            }
            if (written.contains(credential.use()) || Files.exists(credential.meta())) {
                Files.deleteIfExists(credential.use());
                written.remove(credential.use());
                removed++;
                LOG.info("{}: removed {}{}: its refresh token was removed", credential, name, CredentialDirectory.USE);
            }
        }
        return removed;
    }

    private Outcome fail(Credential credential, TokenInfo current, String why, boolean retry) {
        return fail(credential, current, why, retry, null);
    }

    /** Records a failure: with {@code retry}, the next attempt backs off; else it waits for the files to change. */
    private Outcome fail(Credential credential, TokenInfo current, String why, boolean retry, FileTime topTime) {
        Instant now = clock.instant();
        State previous = states.get(credential.top());
        FileTime seen = topTime;
        if (seen == null) {
            try {
                seen = Files.getLastModifiedTime(credential.top());
            } catch (IOException e) {
                seen = null;
            }
        }
        Duration wait = policy.retryAfter(previous == null ? null : previous.backoff());
        Instant due = retry ? now.plus(wait) : null;
        states.put(credential.top(), new State(due, retry ? wait : null, seen, why));
        boolean repeated = previous != null && why.equals(previous.failure());
        Duration left = current == null ? Duration.ZERO : current.remaining(now);
        String state = current == null ? "there is no " + CredentialDirectory.USE
                : left.isNegative() ? "its " + CredentialDirectory.USE + " has expired"
                : "its " + CredentialDirectory.USE + " stays valid for " + left.toSeconds() + " s";
        String next = retry ? "retrying in " + wait.toSeconds() + " s" : "waiting for its files to change";
        if (repeated) {
            LOG.debug("{}: {}; {}; {}", credential, why, state, next);
        } else {
            LOG.warn("{}: {}; {}; {}", credential, why, state, next);
        }
        return Outcome.FAILED;
    }

    private static boolean newerThan(FileTime topTime, Path use) {
        try {
            return topTime.compareTo(Files.getLastModifiedTime(use)) > 0;
        } catch (IOException e) {
            return true;
        }
    }

    /** For tests: the credentials that wait after a failure, and how long. */
    Map<String, Duration> backoffs() {
        Map<String, Duration> out = new HashMap<>();
        states.forEach((top, state) -> {
            if (state.backoff() != null) {
                out.put(top.getParent().getFileName() + "/" + top.getFileName(), state.backoff());
            }
        });
        return out;
    }
}
