package dev.tessera.issuer.domain;

import java.util.List;

/**
 * A person with a local account in one VO.
 *
 * @param subject the stable {@code sub} of their tokens (never the username, never reassigned)
 * @param groups  their groups, e.g. {@code /ligo/analysis}
 */
public record Account(String vo, String username, String subject, List<String> groups) {
    public Account {
        groups = List.copyOf(groups);
    }
}
