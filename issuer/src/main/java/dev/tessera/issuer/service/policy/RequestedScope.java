package dev.tessera.issuer.service.policy;

import dev.tessera.token.scope.InvalidScopeException;
import dev.tessera.token.scope.Scope;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A request's {@code scope} parameter, sorted into what each part asks for:
 * <ul>
 * <li>capabilities ({@code read:/ligo}, {@code compute.create}), decided by policy;</li>
 * <li>protocol scopes ({@code openid}, {@code offline_access}, {@code profile}, {@code email}, {@code wlcg},
 *     {@code wlcg.groups}), which the client must be allowed;</li>
 * <li>{@code aud:X}, the OA4MP way of asking for audience X;</li>
 * <li>{@code wlcg.groups:/g}, WLCG's request for group /g in {@code wlcg.groups}, in order.</li>
 * </ul>
 *
 * @param capabilities the capabilities asked for, or {@code null} when none were (meaning "all I may have")
 */
public record RequestedScope(List<Scope> capabilities, Set<String> protocol, List<String> audiences,
                             List<String> groups) {
    /** Scopes about the token itself rather than a capability. */
    public static final Set<String> PROTOCOL = Set.of("openid", "offline_access", "profile", "email", "wlcg",
            "wlcg.groups", "eduperson_entitlement");

    /**
     * Parses a {@code scope} parameter ({@code null} or blank: nothing asked for).
     *
     * @throws InvalidScopeException naming a malformed scope
     */
    public static RequestedScope parse(String text) throws InvalidScopeException {
        List<Scope> capabilities = new ArrayList<>();
        Set<String> protocol = new LinkedHashSet<>();
        Set<String> audiences = new LinkedHashSet<>();
        Set<String> groups = new LinkedHashSet<>();
        if (text != null) {
            for (String part : text.strip().split("\\s+")) {
                if (part.isEmpty()) {
                    continue;
                }
                if (PROTOCOL.contains(part)) {
                    protocol.add(part);
                } else if (part.startsWith("aud:")) {
                    if (part.length() == 4) {
                        throw new InvalidScopeException("aud: needs an audience, e.g. aud:https://data.example.org");
                    }
                    audiences.add(part.substring(4));
                } else if (part.startsWith("wlcg.groups:")) {
                    String group = part.substring("wlcg.groups:".length());
                    if (!group.startsWith("/")) {
                        throw new InvalidScopeException("a requested group starts with /: " + part);
                    }
                    groups.add(group);
                } else {
                    capabilities.add(Scope.parse(part));
                }
            }
        }
        return new RequestedScope(capabilities.isEmpty() ? null : List.copyOf(capabilities),
                Collections.unmodifiableSet(protocol),
                List.copyOf(audiences), List.copyOf(groups));
    }

    public static boolean isProtocol(Scope scope) {
        return PROTOCOL.contains(scope.toString());
    }
}
