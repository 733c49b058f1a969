package dev.tessera.storage.service;

/**
 * What a request does to the tree, in token terms. SciTokens {@code read}/{@code write} and WLCG
 * {@code storage.*} scopes both grant these (the token library maps them to shared capabilities).
 */
public enum Operation {
    /** GET, PROPFIND with Depth 1, the source of COPY. */
    READ("storage.read", "read"),
    /** PUT or MKCOL where nothing exists yet. */
    CREATE("storage.create", "write"),
    /** PUT over an existing file, DELETE, the source of MOVE, overwriting a COPY or MOVE destination. */
    MODIFY("storage.modify", "write"),
    /** HEAD and PROPFIND with Depth 0: any storage scope on the path allows it (WLCG profile §2.2.1). */
    STAT("storage.read", "read");

    private final String wlcgName;
    private final String sciTokensName;

    Operation(String wlcgName, String sciTokensName) {
        this.wlcgName = wlcgName;
        this.sciTokensName = sciTokensName;
    }

    /** The scope name that would grant this, in the vocabulary of the token's profile. */
    public String scopeName(boolean wlcg) {
        return wlcg ? wlcgName : sciTokensName;
    }
}
