package dev.tessera.token.scope;

/**
 * The storage operations the SciTokens and WLCG names share, for enforcement: services treat
 * SciTokens {@code write} like WLCG {@code storage.modify} and {@code read} like {@code storage.read}.
 * {@code MODIFY} implies {@code CREATE}; {@code STAGE} implies {@code POLL} (WLCG 1.2); {@code STAGE}
 * does not imply {@code READ} (WLCG 1.2 dropped that for every version).
 */
enum Capability {
    READ, CREATE, MODIFY, STAGE, POLL;

    /** The capability of an authorization name (as in a scope or a request), or {@code null}. */
    static Capability of(String authz) {
        return switch (authz) {
            case "read", "storage.read" -> READ;
            case "write", "modify", "storage.modify" -> MODIFY;
            case "create", "storage.create" -> CREATE;
            case "stage", "storage.stage" -> STAGE;
            case "poll", "storage.poll" -> POLL;
            default -> null;
        };
    }

    boolean implies(Capability other) {
        return this == other || this == MODIFY && other == CREATE || this == STAGE && other == POLL;
    }
}
