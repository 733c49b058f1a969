package dev.tessera.issuer.service.policy;

import dev.tessera.token.scope.InvalidScopeException;
import dev.tessera.token.scope.Scope;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A space-separated list of scopes with placeholders: {@code read:/ligo write:/home/{username}
 * storage.create:/user/{sub}}. Expanding it for a person gives their scopes; a scope whose placeholder
 * has no value (no user in a client-credentials request) or an unsafe one (not a single plain path
 * segment) is left out, never expanded into something broader.
 */
public final class ScopeTemplate {
    /** The placeholders a template may use. */
    public static final List<String> VARIABLES = List.of("username", "sub", "client_id");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{([a-z_]+)}");
    private static final Pattern SAFE_VALUE = Pattern.compile("[A-Za-z0-9_@+=,-][A-Za-z0-9._@+=,-]*");

    private final String text;

    private ScopeTemplate(String text) {
        this.text = text;
    }

    /**
     * Parses and checks a template (blank: no scopes): only known placeholders, and every scope valid once they are filled in.
     *
     * @throws InvalidScopeException naming the offending scope
     */
    public static ScopeTemplate parse(String text) throws InvalidScopeException {
        String normalized = String.join(" ", text.strip().split("\\s+"));
        if (normalized.isEmpty()) {
            return new ScopeTemplate("");
        }
        Map<String, String> sample = Map.of("username", "u", "sub", "s", "client_id", "c");
        for (String scope : normalized.split(" ")) {
            Matcher m = PLACEHOLDER.matcher(scope);
            while (m.find()) {
                if (!VARIABLES.contains(m.group(1))) {
                    throw new InvalidScopeException("unknown placeholder {" + m.group(1) + "} in " + scope
                            + " (known: " + VARIABLES + ")");
                }
            }
            if (scope.replaceAll("\\{[a-z_]+}", "").matches(".*[{}].*")) {
                throw new InvalidScopeException("unbalanced brace in " + scope);
            }
            int brace = scope.indexOf('{');
            if (brace >= 0 && (scope.indexOf(":/") < 0 || brace < scope.indexOf(":/"))) {
                throw new InvalidScopeException("a placeholder may only stand in a path, as in write:/home/{username}: "
                        + scope);
            }
            Scope.parse(fill(scope, sample));
        }
        return new ScopeTemplate(normalized);
    }

    /** The scopes for these placeholder values; scopes needing a missing or unsafe value are left out. */
    public List<Scope> expand(Map<String, String> values) {
        List<Scope> scopes = new ArrayList<>();
        for (String scope : text.isEmpty() ? new String[0] : text.split(" ")) {
            String filled = fill(scope, values);
            if (filled == null) {
                continue;
            }
            try {
                scopes.add(Scope.parse(filled));
            } catch (InvalidScopeException e) {
                // cannot happen for values matching SAFE_VALUE in a template that parsed
            }
        }
        return scopes;
    }

    private static String fill(String scope, Map<String, String> values) {
        Matcher m = PLACEHOLDER.matcher(scope);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = values.get(m.group(1));
            if (value == null || !SAFE_VALUE.matcher(value).matches()) {
                return null;
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    @Override
    public String toString() {
        return text;
    }
}
