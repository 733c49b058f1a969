package dev.tessera.agent.access;

import dev.tessera.agent.oauth.Narrowing;
import dev.tessera.token.scope.InvalidScopeException;
import dev.tessera.token.scope.Scope;
import dev.tessera.token.scope.ScopeSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a person or a job asks of an access token: capabilities (none named: whatever the grant holds),
 * protocol scopes for the issuer ({@code openid}, {@code wlcg.groups}...), audiences (none named: the
 * issuer's default), and a minimum remaining lifetime. It decides whether a token at hand serves the
 * request, and whether a new token gives more than was asked.
 *
 * @param capabilities    the capability scopes asked for; empty for "whatever the grant holds"
 * @param protocolScopes  the other scope words, passed to the issuer as they are
 * @param audiences       the audiences asked for; empty for the issuer's default
 * @param minLifetime     the least remaining lifetime a token must have to be used
 */
public record AccessRequest(ScopeSet capabilities, List<String> protocolScopes, List<String> audiences,
                            Duration minLifetime) {
    /** Scope words that ask the issuer for something other than a capability. */
    private static final Set<String> PROTOCOL = Set.of("openid", "offline_access", "profile", "email", "wlcg",
            "wlcg.groups", "eduperson_entitlement");
    private static final String OFFLINE_ACCESS = "offline_access";

    public AccessRequest {
        protocolScopes = List.copyOf(protocolScopes);
        audiences = List.copyOf(new LinkedHashSet<>(audiences));
        if (minLifetime.isNegative()) {
            throw new IllegalArgumentException("a minimum lifetime cannot be negative");
        }
    }

    /**
     * A request from a space-separated {@code scopes} string (or {@code null}).
     *
     * @throws InvalidScopeException naming a malformed capability
     */
    public static AccessRequest parse(String scopes, List<String> audiences, Duration minLifetime)
            throws InvalidScopeException {
        List<Scope> capabilities = new ArrayList<>();
        List<String> protocol = new ArrayList<>();
        if (scopes != null) {
            for (String word : scopes.strip().split("\\s+")) {
                if (word.isEmpty()) {
                    continue;
                }
                if (isProtocol(word)) {
                    protocol.add(word);
                } else {
                    capabilities.add(Scope.parse(word));
                }
            }
        }
        List<String> splitAudiences = new ArrayList<>();
        for (String audience : audiences) {
            for (String a : audience.strip().split("\\s+")) {
                if (!a.isEmpty()) {
                    splitAudiences.add(a);
                }
            }
        }
        return new AccessRequest(ScopeSet.of(capabilities), protocol, splitAudiences, minLifetime);
    }

    /** A token's capabilities: its scopes without protocol words (some issuers put {@code openid} there). */
    private static ScopeSet capabilitiesOf(ScopeSet scopes) {
        return ScopeSet.of(scopes.asList().stream().filter(s -> !isProtocol(s.toString())).toList());
    }

    private static boolean isProtocol(String word) {
        return PROTOCOL.contains(word) || word.startsWith("aud:") || word.startsWith("wlcg.groups:");
    }

    /** The {@code scope} parameter for a refresh or exchange, or {@code null} for the whole grant. */
    public String scopeParameter() {
        List<String> words = new ArrayList<>();
        capabilities.forEach(s -> words.add(s.toString()));
        protocolScopes.stream().filter(w -> !w.equals(OFFLINE_ACCESS)).forEach(words::add);
        return words.isEmpty() ? null : String.join(" ", words);
    }

    /** The {@code scope} parameter of a new grant (device flow): the request and {@code offline_access}. */
    public String grantScope() {
        String scope = scopeParameter();
        return scope == null ? OFFLINE_ACCESS : scope + " " + OFFLINE_ACCESS;
    }

    /** The request as a refresh or exchange narrowing, with an optional lifetime to ask for. */
    public Narrowing narrowing(Duration lifetime) {
        return new Narrowing(scopeParameter(), audiences, lifetime);
    }

    /**
     * Whether {@code token}, from {@code issuer}, serves this request at {@code now}: it has at least
     * {@link #minLifetime} left, grants exactly the capabilities asked for (no less, and no more, since a
     * job must never get more than it asked) and is for exactly the audiences asked for.
     */
    public boolean servedBy(TokenInfo token, String issuer, Instant now) {
        if (!issuer.equals(token.issuer()) || token.expiresAt() == null
                || token.remaining(now).compareTo(minLifetime) < 0 || token.scopes() == null) {
            return false;
        }
        ScopeSet granted = capabilitiesOf(token.scopes());
        if (!capabilities.isEmpty() && !(ScopeSet.covers(granted, capabilities) && ScopeSet.covers(capabilities, granted))) {
            return false;
        }
        return audiences.isEmpty() || new HashSet<>(audiences).equals(new HashSet<>(token.audiences()));
    }

    /**
     * What {@code token} grants beyond this request: capabilities no requested one covers, audiences not
     * asked for, a scope that cannot be read. Empty when the token is within the request.
     */
    public List<String> excess(TokenInfo token) {
        List<String> beyond = new ArrayList<>();
        if (token.scopes() == null) {
            beyond.add("an unreadable scope claim: " + token.scope());
            return beyond;
        }
        if (!capabilities.isEmpty()) {
            for (Scope scope : capabilitiesOf(token.scopes())) {
                if (!capabilities.covers(scope)) {
                    beyond.add("scope " + scope);
                }
            }
        }
        if (!audiences.isEmpty()) {
            for (String audience : token.audiences()) {
                if (!audiences.contains(audience)) {
                    beyond.add("audience " + audience);
                }
            }
        }
        return beyond;
    }
}
