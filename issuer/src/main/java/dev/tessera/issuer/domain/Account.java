package dev.tessera.issuer.domain;

import java.util.List;
import java.util.Map;

/**
 * A person with a local account in one VO.
 *
 * @param subject the stable {@code sub} of their tokens (never the username, never reassigned)
 * @param groups  their groups, e.g. {@code /ligo/analysis}
 * @param claims  identity claims released with the {@code profile} scope, e.g. {@code uidNumber}
 */
public record Account(String vo, String username, String subject, List<String> groups, Map<String, Object> claims) {
    public Account {
        groups = List.copyOf(groups);
        claims = claims == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(claims));
    }

    /** An account without identity claims. */
    public Account(String vo, String username, String subject, List<String> groups) {
        this(vo, username, subject, groups, Map.of());
    }
}
