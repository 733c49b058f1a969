package dev.tessera.issuer.service;

import dev.tessera.issuer.domain.Account;
import dev.tessera.issuer.domain.Client;
import dev.tessera.issuer.domain.PolicyRule;
import dev.tessera.issuer.domain.RegistrationPolicy;
import dev.tessera.issuer.domain.StoredKey;
import dev.tessera.issuer.domain.Vo;
import dev.tessera.issuer.service.admin.Administrators;
import dev.tessera.issuer.service.keys.Keys;
import dev.tessera.issuer.service.login.LoginThrottle;
import dev.tessera.issuer.service.policy.Policy;
import dev.tessera.issuer.service.policy.Principal;
import dev.tessera.issuer.service.policy.RequestedScope;
import dev.tessera.issuer.service.policy.ScopeTemplate;
import dev.tessera.issuer.store.AccountStore;
import dev.tessera.issuer.store.Stores;
import dev.tessera.token.Profile;
import dev.tessera.token.keys.Algorithm;
import dev.tessera.token.keys.IssuerKeys;
import dev.tessera.token.scope.InvalidScopeException;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * What administrators do (the CLI and the admin API share it): VOs, clients, accounts, policy and keys.
 * Everything is checked before it is stored, so a running server never loads something it cannot use.
 *
 * @throws IllegalArgumentException (from every method) naming what is wrong with the request
 */
public final class Administration {
    private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._@-]{0,127}");
    private static final Pattern GROUP = Pattern.compile("(/[A-Za-z0-9._-]+)+");

    private final Stores stores;
    private final Keys keys;
    private final Clock clock;

    /** A new client and its secret, which is shown once and stored only hashed. */
    public record NewClient(Client client, String secret) {
    }

    public Administration(Stores stores, Keys keys, Clock clock) {
        this.stores = stores;
        this.keys = keys;
        this.clock = clock;
    }

    /**
     * Settings of a new VO.
     *
     * @param refreshLifetime    {@code null}: {@link Vo#REFRESH_LIFETIME}
     * @param deviceCodeLifetime {@code null}: {@link Vo#DEVICE_CODE_LIFETIME}
     * @param idTokenLifetime    {@code null}: {@link Vo#ID_TOKEN_LIFETIME}
     */
    public record VoSettings(String name, Profile profile, Algorithm algorithm, Duration accessLifetime,
                             Duration maxAccessLifetime, String defaultAudience, Duration refreshLifetime,
                             Duration deviceCodeLifetime, Duration idTokenLifetime) {
        public VoSettings {
            refreshLifetime = refreshLifetime == null ? Vo.REFRESH_LIFETIME : refreshLifetime;
            deviceCodeLifetime = deviceCodeLifetime == null ? Vo.DEVICE_CODE_LIFETIME : deviceCodeLifetime;
            idTokenLifetime = idTokenLifetime == null ? Vo.ID_TOKEN_LIFETIME : idTokenLifetime;
        }

        /** With the default refresh token, device code and ID token lifetimes. */
        public VoSettings(String name, Profile profile, Algorithm algorithm, Duration accessLifetime,
                          Duration maxAccessLifetime, String defaultAudience) {
            this(name, profile, algorithm, accessLifetime, maxAccessLifetime, defaultAudience, null, null, null);
        }

        /** SciTokens 2.0, ES256, 20-minute tokens (at most 6 hours, WLCG's limit), audience "any". */
        public static VoSettings defaults(String name) {
            return new VoSettings(name, Profile.SCITOKENS_2, Algorithm.ES256, Duration.ofMinutes(20), Duration.ofHours(6),
                    null);
        }
    }

    /** Creates a VO served at {@code publicUrl} and its first signing key. */
    public Vo addVo(VoSettings settings, String publicUrl) {
        if (!Vo.isValidName(settings.name())) {
            throw new IllegalArgumentException("a VO name is lower-case letters, digits, '.', '_' and '-': " + settings.name());
        }
        if (stores.vos().find(settings.name()).isPresent()) {
            throw new IllegalArgumentException("VO " + settings.name() + " exists");
        }
        String audience = settings.defaultAudience() != null ? settings.defaultAudience() : settings.profile().anyAudience();
        for (Duration d : List.of(settings.accessLifetime(), settings.refreshLifetime(), settings.deviceCodeLifetime(),
                settings.idTokenLifetime())) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("a lifetime is positive: " + d);
            }
        }
        Vo vo = new Vo(settings.name(), Vo.issuerUrl(publicUrl, settings.name()), settings.profile(), settings.algorithm(),
                settings.accessLifetime(), settings.maxAccessLifetime(), audience, settings.refreshLifetime(),
                settings.deviceCodeLifetime(), settings.idTokenLifetime());
        stores.vos().insert(vo, now());
        keys.create(vo, vo.algorithm(), clock.instant());
        stores.registration().put(vo.name(), RegistrationPolicy.defaults(vo.name()));
        return vo;
    }

    public List<Vo> vos() {
        return stores.vos().list();
    }

    public Vo vo(String name) {
        return stores.vos().find(name).orElseThrow(() -> new IllegalArgumentException("no VO named " + name
                + " (known: " + String.join(", ", vos().stream().map(Vo::name).toList()) + ")"));
    }

    /** Sets what self-registering clients of a VO may get; {@code null} closes registration. */
    public void setRegistration(String voName, Set<String> grants, String scope) {
        vo(voName);
        if (grants == null) {
            stores.registration().put(voName, null);
            return;
        }
        for (String grant : grants) {
            if (!Client.GRANT_TYPES.contains(grant)) {
                throw new IllegalArgumentException("unknown grant type " + grant);
            }
        }
        parseTemplate(scope, true);
        stores.registration().put(voName, new RegistrationPolicy(voName, grants, scope.strip()));
    }

    /** How a client proves who it is at the token endpoint. */
    public enum Credentials {
        /** A secret the issuer generates (client_secret_basic or client_secret_post). */
        SECRET,
        /** Assertions signed with its own key (private_key_jwt); the issuer keeps the public keys. */
        PRIVATE_KEY_JWT,
        /** None: a public client (native app, device), which must use PKCE. */
        NONE
    }

    /**
     * A client as an administrator (or, RFC 7591, the client itself) registers it.
     *
     * @param jwks      its public keys (a JWKS document) for {@link Credentials#PRIVATE_KEY_JWT}, else {@code null}
     * @param lifetimes its token lifetimes ({@link Client.Lifetimes#OF_THE_VO}: the VO's)
     */
    public record ClientSettings(String name, Set<String> grants, String scope, List<String> audiences,
                                 List<String> redirectUris, Credentials credentials, String jwks,
                                 Client.Lifetimes lifetimes, boolean selfRegistered) {
        public ClientSettings {
            lifetimes = lifetimes == null ? Client.Lifetimes.OF_THE_VO : lifetimes;
        }
    }

    /** Registers a client; a confidential one gets a new secret. */
    public NewClient addClient(String voName, String name, Set<String> grants, String scope, List<String> audiences,
                               List<String> redirectUris, boolean isPublic) {
        return addClient(voName, name, grants, scope, audiences, redirectUris, isPublic, false);
    }

    /** Registers a client, by an administrator or (RFC 7591) by itself. */
    public NewClient addClient(String voName, String name, Set<String> grants, String scope, List<String> audiences,
                               List<String> redirectUris, boolean isPublic, boolean selfRegistered) {
        return addClient(voName, new ClientSettings(name, grants, scope, audiences, redirectUris,
                isPublic ? Credentials.NONE : Credentials.SECRET, null, Client.Lifetimes.OF_THE_VO, selfRegistered));
    }

    /** Registers a client; with {@link Credentials#SECRET} the answer carries its secret, shown this once. */
    public NewClient addClient(String voName, ClientSettings settings) {
        vo(voName);
        String name = settings.name();
        Set<String> grants = settings.grants();
        List<String> redirectUris = settings.redirectUris();
        String scope = settings.scope();
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a client needs a name");
        }
        if (grants.isEmpty()) {
            throw new IllegalArgumentException("a client needs at least one grant type (" + String.join(", ", Client.GRANT_TYPES) + ")");
        }
        for (String grant : grants) {
            if (!Client.GRANT_TYPES.contains(grant)) {
                throw new IllegalArgumentException("unknown grant type " + grant + " (known: " + String.join(", ", Client.GRANT_TYPES) + ")");
            }
        }
        if (settings.credentials() == Credentials.NONE && grants.contains(Client.CLIENT_CREDENTIALS)) {
            throw new IllegalArgumentException("a public client cannot use client_credentials: it has no credentials");
        }
        if (grants.contains(Client.AUTHORIZATION_CODE) && redirectUris.isEmpty()) {
            throw new IllegalArgumentException("authorization_code needs at least one --redirect-uri");
        }
        redirectUris.forEach(Administration::checkRedirectUri);
        parseTemplate(scope == null ? "" : scope, true);
        String jwks = settings.credentials() == Credentials.PRIVATE_KEY_JWT ? checkJwks(settings.jwks()) : null;
        if (settings.credentials() != Credentials.PRIVATE_KEY_JWT && settings.jwks() != null) {
            throw new IllegalArgumentException("public keys (--jwks) are for private_key_jwt clients");
        }
        checkLifetimes(settings.lifetimes());
        String clientId = Secrets.random(16);
        String secret = settings.credentials() == Credentials.SECRET ? Secrets.newSecret() : null;
        Client client = new Client(voName, clientId, name.strip(), secret == null ? null : Secrets.hash(secret), grants,
                scope == null ? "" : String.join(" ", scope.strip().split("\\s+")), settings.audiences(), redirectUris,
                settings.selfRegistered(), jwks, settings.lifetimes());
        stores.clients().insert(client, now());
        return new NewClient(client, secret);
    }

    /** A JWKS of public signing keys (RS256 or ES256), at least one of them usable. */
    private static String checkJwks(String jwks) {
        if (jwks == null || jwks.isBlank()) {
            throw new IllegalArgumentException("a private_key_jwt client needs its public keys (a JWKS)");
        }
        try {
            com.nimbusds.jose.jwk.JWKSet parsed = com.nimbusds.jose.jwk.JWKSet.parse(jwks);
            if (parsed.getKeys().stream().anyMatch(com.nimbusds.jose.jwk.JWK::isPrivate)) {
                // refused rather than stripped: whoever sent it must learn that the key is now compromised
                throw new IllegalArgumentException("the JWKS contains a private key: give only the public keys");
            }
            IssuerKeys keys = IssuerKeys.of(parsed);
            if (keys.keys().isEmpty()) {
                throw new IllegalArgumentException("no usable RS256 or ES256 key in the JWKS: " + String.join("; ", keys.skipped()));
            }
            return keys.toJson();
        } catch (java.text.ParseException e) {
            throw new IllegalArgumentException("not a JWKS: " + e.getMessage(), e);
        }
    }

    private static void checkLifetimes(Client.Lifetimes lifetimes) {
        for (Duration d : java.util.Arrays.asList(lifetimes.access(), lifetimes.maxAccess(), lifetimes.refresh(),
                lifetimes.idToken(), lifetimes.deviceCode())) {
            if (d != null && (d.isNegative() || d.isZero())) {
                throw new IllegalArgumentException("a lifetime is positive: " + d);
            }
        }
        if (lifetimes.access() != null && lifetimes.maxAccess() != null && lifetimes.access().compareTo(lifetimes.maxAccess()) > 0) {
            throw new IllegalArgumentException("the default access token lifetime exceeds the client's maximum");
        }
    }

    public List<Client> clients(String voName) {
        vo(voName);
        return stores.clients().list().stream().filter(c -> c.vo().equals(voName)).toList();
    }

    public void removeClient(String voName, String clientId) {
        if (!stores.clients().delete(vo(voName).name(), clientId)) {
            throw new IllegalArgumentException("VO " + voName + " has no client " + clientId);
        }
    }

    /** Creates a local account with a new stable subject. */
    public Account addUser(String voName, String username, char[] password, List<String> groups) {
        return addUser(voName, username, password, groups, Map.of());
    }

    /** Adds a user with identity claims (see {@link #setUserClaims}); nothing is stored if any part is wrong. */
    public Account addUser(String voName, String username, char[] password, List<String> groups, Map<String, Object> claims) {
        vo(voName);
        checkClaims(claims);
        if (username == null || !USERNAME.matcher(username).matches()) {
            throw new IllegalArgumentException("a username is letters, digits, '.', '_', '@' and '-', not starting with '.' or '-'");
        }
        if (password == null || password.length < 12) {
            throw new IllegalArgumentException("a password needs at least 12 characters");
        }
        groups.forEach(Administration::checkGroup);
        if (stores.accounts().find(voName, username).isPresent()) {
            throw new IllegalArgumentException("VO " + voName + " has a user " + username);
        }
        Account account = new Account(voName, username, UUID.randomUUID().toString(), groups, claims);
        stores.accounts().insert(account, Passwords.hash(password), now());
        return account;
    }

    /** Claims no account may set: the issuer's own, and those a verifier decides by. */
    private static final Set<String> RESERVED_CLAIMS = Set.of("iss", "sub", "aud", "exp", "iat", "nbf", "jti", "scope",
            "ver", "wlcg.ver", "wlcg.groups", "client_id", "act", "azp", "nonce", "auth_time", "at_hash", "cnf", "kid",
            "typ", "preferred_username");

    /**
     * Replaces a user's identity claims (e.g. {@code uidNumber}, {@code isMemberOf}), released in ID tokens and
     * userinfo with the {@code profile} scope.
     */
    public void setUserClaims(String voName, String username, Map<String, Object> claims) {
        user(voName, username);
        checkClaims(claims);
        stores.accounts().setClaims(voName, username, claims);
    }

    private static void checkClaims(Map<String, Object> claims) {
        for (String name : claims.keySet()) {
            if (RESERVED_CLAIMS.contains(name) || name.isBlank() || name.length() > 64) {
                throw new IllegalArgumentException("claim " + name + " cannot be set on an account (the issuer sets it)");
            }
        }
    }

    public void addGroups(String voName, String username, List<String> groups) {
        groups.forEach(Administration::checkGroup);
        user(voName, username);
        stores.accounts().addGroups(voName, username, groups);
    }

    public List<Account> users(String voName) {
        vo(voName);
        return stores.accounts().list(voName);
    }

    public Account user(String voName, String username) {
        vo(voName);
        return stores.accounts().find(voName, username).map(AccountStore.Stored::account)
                .orElseThrow(() -> new IllegalArgumentException("VO " + voName + " has no user " + username));
    }

    /** Adds a policy rule. */
    public PolicyRule addRule(String voName, PolicyRule.Kind kind, String subject, String scopeTemplate,
                              PolicyRule.Effect effect) {
        vo(voName);
        if (subject == null || subject.isBlank()) {
            throw new IllegalArgumentException("a rule needs a " + kind.id());
        }
        if (kind == PolicyRule.Kind.GROUP) {
            checkGroup(subject);
        }
        ScopeTemplate template = parseTemplate(scopeTemplate, false);
        PolicyRule rule = new PolicyRule(UUID.randomUUID().toString(), voName, kind, subject, template.toString(), effect);
        stores.policies().insert(rule, now());
        return rule;
    }

    public List<PolicyRule> rules(String voName) {
        vo(voName);
        return stores.policies().list().stream().filter(r -> r.vo().equals(voName)).toList();
    }

    public void removeRule(String voName, String id) {
        if (!stores.policies().delete(vo(voName).name(), id)) {
            throw new IllegalArgumentException("VO " + voName + " has no rule " + id);
        }
    }

    /**
     * A dry run of policy: what {@code username} (or, without one, the client itself) would get through
     * {@code clientId} when asking for {@code scope}, and which rule decided each scope.
     */
    public Policy.Decision explain(String voName, String username, String clientId, String scope) {
        vo(voName);
        Client client = clients(voName).stream().filter(c -> c.clientId().equals(clientId)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("VO " + voName + " has no client " + clientId));
        Principal who = username == null ? Principal.robot(clientId) : principal(user(voName, username), clientId);
        try {
            RequestedScope requested = RequestedScope.parse(scope);
            return new Policy(rules(voName)).decide(who, ScopeTemplate.parse(client.scope()),
                    requested.capabilities());
        } catch (InvalidScopeException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static Principal principal(Account account, String clientId) {
        return new Principal(clientId, account.username(), account.subject(), account.groups());
    }

    /** Starts a key rotation for a VO: the new key is published now and signs after {@code prepublish}. */
    public StoredKey rotateKey(String voName, Duration prepublish) {
        Vo vo = vo(voName);
        try {
            return keys.rotate(vo, stores.keys().list(), prepublish);
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /**
     * A new one-time password for a deployment administrator (made if missing): how a lost admin password is
     * recovered, by whoever can run the admin commands on the server's host.
     */
    public String resetAdministratorPassword(String username) {
        return new Administrators(stores.admins(), LoginThrottle.standard(clock), clock).resetPassword(username);
    }

    /** Rotates a VO's keys every {@code every} from now on ({@code null}: only by hand). */
    public void setKeySchedule(String voName, Duration every) {
        vo(voName);
        if (every != null && every.compareTo(Duration.ofDays(1)) < 0) {
            throw new IllegalArgumentException("rotate at most daily: every key must outlive the tokens it signed and the verifiers' caches");
        }
        stores.maintenance().setKeySchedule(voName, every);
    }

    /** VO name to rotation interval, for the VOs with a schedule. */
    public Map<String, Duration> keySchedules() {
        return stores.maintenance().keySchedules();
    }

    public List<StoredKey> keys(String voName) {
        vo(voName);
        return stores.keys().list().stream().filter(k -> k.vo().equals(voName)).toList();
    }

    /** Gives every VO without a key its first one (a VO created elsewhere, or keys removed by hand). */
    public void ensureKeys() {
        Set<String> withKeys = new java.util.HashSet<>(stores.keys().list().stream().map(StoredKey::vo).toList());
        for (Vo vo : vos()) {
            if (!withKeys.contains(vo.name())) {
                keys.create(vo, vo.algorithm(), clock.instant());
            }
        }
    }

    private static ScopeTemplate parseTemplate(String text, boolean mayBeEmpty) {
        if (!mayBeEmpty && (text == null || text.isBlank())) {
            throw new IllegalArgumentException("a rule needs a scope");
        }
        try {
            return ScopeTemplate.parse(text);
        } catch (InvalidScopeException e) {
            throw new IllegalArgumentException("invalid scope: " + e.getMessage(), e);
        }
    }

    private static void checkGroup(String group) {
        if (group == null || !GROUP.matcher(group).matches()) {
            throw new IllegalArgumentException("a group is a path such as /ligo or /cms/analysis: " + group);
        }
    }

    /**
     * RFC 6749 §3.1.2 and RFC 8252 §7: absolute with no fragment, and one of: https with a host; http on a
     * loopback address (§7.3); a private-use scheme named after a domain the app's developer owns, such as
     * {@code edu.kit.data.oidc-agent:/redirect} (§7.1: the scheme must contain a dot).
     */
    private static void checkRedirectUri(String text) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("a redirect URI is not a URI: " + text, e);
        }
        if (!uri.isAbsolute()) {
            throw new IllegalArgumentException("a redirect URI is absolute: " + text);
        }
        if (uri.getRawFragment() != null) {
            throw new IllegalArgumentException("a redirect URI has no fragment: " + text);
        }
        String scheme = uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        boolean ok = switch (scheme) {
            case "https" -> uri.getHost() != null;
            case "http" -> Set.of("127.0.0.1", "[::1]", "localhost").contains(uri.getHost());
            default -> scheme.contains(".");
        };
        if (!ok) {
            throw new IllegalArgumentException("a redirect URI is https, http on a loopback address, or a private-use "
                    + "scheme with a dot (e.g. org.example.app:/callback): " + text);
        }
    }

    private long now() {
        return Instant.now(clock).getEpochSecond();
    }
}
