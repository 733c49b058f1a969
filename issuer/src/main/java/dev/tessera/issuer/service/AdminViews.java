package dev.tessera.issuer.service;

import dev.tessera.issuer.domain.Account;
import dev.tessera.issuer.domain.Client;
import dev.tessera.issuer.domain.PolicyRule;
import dev.tessera.issuer.domain.StoredKey;
import dev.tessera.issuer.domain.Vo;
import dev.tessera.issuer.service.policy.Policy;
import dev.tessera.web.Durations;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The JSON shapes of the administered objects, one for the CLI's {@code --json} and the admin API alike:
 * a script written against one works against the other. Secrets never appear.
 */
public final class AdminViews {
    private AdminViews() {
    }

    public static Map<String, Object> of(Vo vo) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("vo", vo.name());
        m.put("iss", vo.issuer());
        m.put("profile", vo.profile().displayName());
        m.put("algorithm", vo.algorithm().name());
        m.put("lifetime", Durations.format(vo.accessLifetime()));
        m.put("max_lifetime", Durations.format(vo.maxAccessLifetime()));
        m.put("default_audience", vo.defaultAudience());
        m.put("refresh_lifetime", Durations.format(vo.refreshLifetime()));
        m.put("device_code_lifetime", Durations.format(vo.deviceCodeLifetime()));
        m.put("id_token_lifetime", Durations.format(vo.idTokenLifetime()));
        return m;
    }

    public static Map<String, Object> of(Client client) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("client_id", client.clientId());
        m.put("name", client.name());
        m.put("public", client.isPublic());
        m.put("auth_method", client.authMethod());
        m.put("grants", client.grants().stream().sorted().toList());
        m.put("scope", client.scope());
        m.put("audiences", client.audiences());
        m.put("redirect_uris", client.redirectUris());
        m.put("self_registered", client.selfRegistered());
        Map<String, Object> lifetimes = new LinkedHashMap<>(); // only the client's own: the rest are the VO's
        put(lifetimes, "access", client.lifetimes().access());
        put(lifetimes, "max_access", client.lifetimes().maxAccess());
        put(lifetimes, "refresh", client.lifetimes().refresh());
        put(lifetimes, "id_token", client.lifetimes().idToken());
        put(lifetimes, "device_code", client.lifetimes().deviceCode());
        m.put("lifetimes", lifetimes);
        return m;
    }

    private static void put(Map<String, Object> m, String name, java.time.Duration duration) {
        if (duration != null) {
            m.put(name, Durations.format(duration));
        }
    }

    public static Map<String, Object> of(Account account) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("username", account.username());
        m.put("sub", account.subject());
        m.put("groups", account.groups());
        m.put("claims", account.claims());
        return m;
    }

    public static Map<String, Object> of(PolicyRule rule) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", rule.id());
        m.put("kind", rule.kind().id());
        m.put("subject", rule.subject());
        m.put("scope", rule.scopeTemplate());
        m.put("effect", rule.effect().id());
        m.put("rule", rule.describe());
        return m;
    }

    public static Map<String, Object> of(StoredKey key) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kid", key.kid());
        m.put("algorithm", key.algorithm().name());
        m.put("created_at", Instant.ofEpochSecond(key.createdAt()).toString());
        m.put("activates_at", Instant.ofEpochSecond(key.activatesAt()).toString());
        return m;
    }

    /** A policy decision: the granted scope, and each requested scope's verdict with its rule or reason. */
    public static Map<String, Object> of(Policy.Decision decision) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("granted", decision.granted().toString());
        m.put("verdicts", decision.verdicts().stream().map(v -> {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("scope", v.scope());
            one.put("granted", v.granted());
            one.put("reason", v.reason());
            return one;
        }).toList());
        return m;
    }
}
