package dev.tessera.issuer.service;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The parameters of a form-encoded OAuth request, checked as RFC 6749 §3.1/§3.2 says: each at most
 * once (except those the RFCs allow to repeat, such as RFC 8707's {@code resource}), and an empty value
 * counts as absent.
 */
public final class Parameters {
    /** Parameters that may appear more than once. */
    public static final Set<String> REPEATABLE = Set.of("resource", "audience");

    private final Map<String, List<String>> values;

    private Parameters(Map<String, List<String>> values) {
        this.values = values;
    }

    /**
     * The parameters from decoded name/value pairs, in order.
     *
     * @throws OAuthException {@code invalid_request} for a repeated parameter
     */
    public static Parameters of(List<Map.Entry<String, String>> pairs) throws OAuthException {
        Map<String, List<String>> values = new LinkedHashMap<>();
        for (Map.Entry<String, String> pair : pairs) {
            if (pair.getValue().isEmpty()) {
                continue;
            }
            List<String> list = values.computeIfAbsent(pair.getKey(), k -> new java.util.ArrayList<>());
            if (!list.isEmpty() && !REPEATABLE.contains(pair.getKey())) {
                throw OAuthException.invalidRequest("parameter " + pair.getKey() + " is repeated");
            }
            list.add(pair.getValue());
        }
        values.replaceAll((k, v) -> List.copyOf(v));
        return new Parameters(values);
    }

    /** The value of a parameter, or {@code null}. */
    public String get(String name) {
        List<String> list = values.get(name);
        return list == null ? null : list.get(0);
    }

    /**
     * The value of a required parameter.
     *
     * @throws OAuthException {@code invalid_request} naming it when it is missing
     */
    public String require(String name) throws OAuthException {
        String value = get(name);
        if (value == null) {
            throw OAuthException.invalidRequest("missing parameter " + name);
        }
        return value;
    }

    /** Every value of a repeatable parameter. */
    public List<String> all(String name) {
        return values.getOrDefault(name, List.of());
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }
}
