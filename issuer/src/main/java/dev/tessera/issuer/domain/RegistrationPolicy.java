package dev.tessera.issuer.domain;

import java.util.List;
import java.util.Set;

/**
 * What a client registering itself (RFC 7591) may get in one VO: no grant type outside {@code grants},
 * no scope beyond {@code scope}. People's tokens through such a client are still limited by policy.
 */
public record RegistrationPolicy(String vo, Set<String> grants, String scope) {
    /** Person-facing grants only: robots (client credentials) and token exchange are for administrators to give. */
    public static final Set<String> DEFAULT_GRANTS = Set.of(Client.AUTHORIZATION_CODE, Client.DEVICE_CODE,
            Client.REFRESH_TOKEN);
    /** Every protocol scope and the usual capabilities: what a person gets is decided by policy. */
    public static final String DEFAULT_SCOPE = String.join(" ", List.of("openid", "offline_access", "profile", "email",
            "wlcg", "wlcg.groups", "read:/", "write:/", "storage.read:/", "storage.create:/", "storage.modify:/",
            "storage.stage:/", "compute.create", "compute.read", "compute.modify", "compute.cancel"));

    public RegistrationPolicy {
        grants = Set.copyOf(grants);
    }

    public static RegistrationPolicy defaults(String vo) {
        return new RegistrationPolicy(vo, DEFAULT_GRANTS, DEFAULT_SCOPE);
    }
}
