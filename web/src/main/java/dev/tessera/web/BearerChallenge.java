package dev.tessera.web;

/**
 * The {@code WWW-Authenticate: Bearer} challenge of RFC 6750 §3: no error when the request carried no
 * token; {@code invalid_token} (401) when the token was refused; {@code insufficient_scope} (403) with
 * the scope that would be needed.
 */
public final class BearerChallenge {
    private BearerChallenge() {
    }

    /** A challenge with the realm only, for a request without a token. */
    public static String of(String realm) {
        return "Bearer realm=" + quote(realm);
    }

    /** A challenge with an error code, a description and, when not {@code null}, the needed scope. */
    public static String of(String realm, String error, String description, String scope) {
        StringBuilder value = new StringBuilder("Bearer realm=").append(quote(realm))
                .append(", error=").append(quote(error));
        if (description != null) {
            value.append(", error_description=").append(quote(description));
        }
        if (scope != null) {
            value.append(", scope=").append(quote(scope));
        }
        return value.toString();
    }

    /**
     * A quoted-string with only the characters RFC 6750 allows in these attributes (%x20-21 / %x23-5B /
     * %x5D-7E): quotes, backslashes and anything outside printable ASCII are replaced.
     */
    static String quote(String value) {
        StringBuilder out = new StringBuilder(value.length() + 2).append('"');
        for (int i = 0; i < value.length() && i < 300; i++) {
            char c = value.charAt(i);
            out.append(c >= 0x20 && c <= 0x7e && c != '"' && c != '\\' ? c : '\'');
        }
        return out.append('"').toString();
    }
}
