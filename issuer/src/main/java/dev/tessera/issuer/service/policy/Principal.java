package dev.tessera.issuer.service.policy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Who a token is for: a person using a client, or a client on its own (a robot, client credentials).
 *
 * @param username null for a robot
 * @param subject  the token's {@code sub}
 * @param groups   the person's groups (none for a robot)
 */
public record Principal(String clientId, String username, String subject, List<String> groups) {
    public Principal {
        groups = List.copyOf(groups);
    }

    /** A client acting for itself: its {@code sub} is its client id. */
    public static Principal robot(String clientId) {
        return new Principal(clientId, null, clientId, List.of());
    }

    public boolean isRobot() {
        return username == null;
    }

    /** The values of the {@link ScopeTemplate} placeholders. */
    public Map<String, String> templateValues() {
        Map<String, String> values = new HashMap<>();
        values.put("client_id", clientId);
        values.put("sub", subject);
        if (username != null) {
            values.put("username", username);
        }
        return values;
    }
}
