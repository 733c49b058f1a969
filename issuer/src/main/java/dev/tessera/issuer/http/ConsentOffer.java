package dev.tessera.issuer.http;

import dev.tessera.issuer.domain.Account;
import dev.tessera.issuer.service.Parameters;
import dev.tessera.issuer.service.VoContext;
import dev.tessera.issuer.service.VoContext.RegisteredClient;
import dev.tessera.issuer.service.policy.Policy;
import dev.tessera.issuer.service.policy.Principal;
import dev.tessera.issuer.service.policy.RequestedScope;
import dev.tessera.token.scope.InvalidScopeException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a person may approve for an application, as the consent page shows it: each requested capability
 * with policy's verdict, then the protocol scopes the application may ask for. The same offer is computed
 * again when the form comes back, and only what it offers can be approved, whatever the form says.
 *
 * @param items one per scope: {@code field} (the checkbox), {@code scope}, {@code granted}, {@code reason},
 *              {@code description}
 */
record ConsentOffer(RegisteredClient client, List<Map<String, Object>> items) {

    /** The offer for {@code account} of what {@code client} asked for with {@code scope}. */
    static ConsentOffer of(VoContext vo, Account account, RegisteredClient client, String scope) {
        List<Map<String, Object>> items = new ArrayList<>();
        RequestedScope requested;
        try {
            requested = RequestedScope.parse(scope);
        } catch (InvalidScopeException e) {
            return new ConsentOffer(client, items); // refused when the application asked
        }
        Principal who = new Principal(client.client().clientId(), account.username(), account.subject(), account.groups());
        Policy.Decision decision = vo.policy().decide(who, client.scope(), requested.capabilities());
        for (Policy.Verdict verdict : decision.verdicts()) {
            items.add(item(items.size(), verdict.scope(), verdict.granted(), verdict.reason()));
        }
        Set<String> clientScopes = Set.of(client.client().scope().split(" "));
        for (String protocol : requested.protocol()) {
            boolean allowed = clientScopes.contains(protocol);
            items.add(item(items.size(), protocol, allowed, allowed ? null : "this application may not ask for it"));
        }
        return new ConsentOffer(client, items);
    }

    /** The scopes the person left ticked, space-separated: only ones this offer grants. */
    String chosen(Parameters form) {
        List<String> chosen = new ArrayList<>();
        for (Map<String, Object> item : items) {
            String value = form.get((String) item.get("field"));
            if (Boolean.TRUE.equals(item.get("granted")) && item.get("scope").equals(value)) {
                chosen.add(value);
            }
        }
        return String.join(" ", chosen);
    }

    /** The consent page's model: the application, what it asks for, where the form goes and what it carries. */
    Map<String, Object> model(Map<String, Object> base, String audience, String action, Map<String, String> hidden) {
        Map<String, Object> model = new LinkedHashMap<>(base);
        model.put("client", client.client().name());
        model.put("selfRegistered", client.client().selfRegistered());
        model.put("audience", audience == null || audience.isEmpty() ? null : String.join(", ",
                java.util.Arrays.stream(audience.split(" ")).map(ConsentOffer::readable).toList()));
        model.put("items", items);
        model.put("action", action);
        model.put("hidden", hidden.entrySet().stream().map(e -> Map.of("name", e.getKey(), "value", e.getValue())).toList());
        return model;
    }

    /** An audience as a person reads it: the wildcards ("ANY", WLCG's any-URI) mean any service. */
    private static String readable(String audience) {
        boolean wildcard = java.util.Arrays.stream(dev.tessera.token.Profile.values())
                .anyMatch(p -> audience.equals(p.anyAudience()));
        return wildcard ? "any service" : audience;
    }

    private static Map<String, Object> item(int index, String scope, boolean granted, String reason) {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("field", "s" + index);
        item.put("scope", scope);
        item.put("granted", granted);
        item.put("reason", reason);
        item.put("description", ScopeDescriptions.describe(scope));
        return item;
    }
}
