package dev.tessera.issuer.http;

import java.util.Map;

/** Plain words for scopes on the consent page. */
final class ScopeDescriptions {
    private static final Map<String, String> NAMED = Map.of(
            "openid", "sign in as you",
            "offline_access", "keep access while you are away (a refresh token)",
            "profile", "see your name",
            "email", "see your email address",
            "wlcg.groups", "see your groups",
            "compute.create", "submit jobs",
            "compute.read", "see your jobs",
            "compute.modify", "change your jobs",
            "compute.cancel", "cancel your jobs");
    private static final Map<String, String> PATHS = Map.of(
            "read", "read files under %s",
            "storage.read", "read files under %s",
            "write", "create, change and delete files under %s",
            "storage.modify", "create, change and delete files under %s",
            "storage.create", "create new files under %s (never overwrite)",
            "storage.stage", "stage files under %s from tape");

    private ScopeDescriptions() {
    }

    static String describe(String scope) {
        String named = NAMED.get(scope);
        if (named != null) {
            return "(" + named + ")";
        }
        int colon = scope.indexOf(':');
        if (colon > 0 && PATHS.containsKey(scope.substring(0, colon))) {
            return "(" + String.format(PATHS.get(scope.substring(0, colon)), scope.substring(colon + 1)) + ")";
        }
        return "";
    }
}
