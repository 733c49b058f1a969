package dev.tessera.issuer.service.tokens;

import dev.tessera.issuer.domain.Client;
import dev.tessera.issuer.domain.Vo;
import dev.tessera.issuer.service.OAuthException;
import dev.tessera.token.Profile;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One audience story for every client: IAM's {@code audience} parameter (space-separated, may repeat),
 * RFC 8707's {@code resource} (an absolute URI without fragment, may repeat) and OA4MP's {@code aud:X}
 * scope all ask for the same thing, and their union is the token's {@code aud}. A client may ask only for
 * the audiences it was registered with (any, when it was registered with none); the "any service"
 * wildcards ({@code ANY}, {@code https://wlcg.cern.ch/jwt/v1/any}) only when registered explicitly.
 * Asking for nothing gives the VO's default audience (or the client's own, when it is limited to others).
 */
public final class Audiences {
    private static final Set<String> WILDCARDS = Set.of(Profile.SCITOKENS_2.anyAudience(), Profile.WLCG_1.anyAudience());

    private Audiences() {
    }

    /**
     * The token's audiences.
     *
     * @throws OAuthException {@code invalid_target} for a malformed or disallowed audience
     */
    public static List<String> resolve(Vo vo, Client client, List<String> audienceParams, List<String> resources,
                                       List<String> audScopes) throws OAuthException {
        Set<String> requested = new LinkedHashSet<>();
        for (String param : audienceParams) {
            for (String audience : param.strip().split("\\s+")) {
                if (!audience.isEmpty()) {
                    requested.add(audience);
                }
            }
        }
        for (String resource : resources) {
            requested.add(checkResource(resource));
        }
        requested.addAll(audScopes);
        if (requested.isEmpty()) {
            return defaultFor(vo, client);
        }
        List<String> refused = new ArrayList<>();
        for (String audience : requested) {
            boolean allowed = client.audiences().isEmpty() ? !WILDCARDS.contains(audience)
                    : client.audiences().contains(audience);
            if (!allowed) {
                refused.add(audience);
            }
        }
        if (!refused.isEmpty()) {
            throw OAuthException.invalidTarget("client " + client.clientId() + " may not obtain tokens for "
                    + String.join(", ", refused));
        }
        return List.copyOf(requested);
    }

    /**
     * When nothing is asked for: the VO's default, unless the client is limited to other audiences; then
     * its one audience, or, with several, it has to say which.
     */
    private static List<String> defaultFor(Vo vo, Client client) throws OAuthException {
        List<String> registered = client.audiences();
        if (registered.isEmpty() || registered.contains(vo.defaultAudience())) {
            return List.of(vo.defaultAudience());
        }
        if (registered.size() == 1) {
            return registered;
        }
        throw OAuthException.invalidTarget("client " + client.clientId() + " must name its audience: one of "
                + String.join(", ", registered));
    }

    /**
     * Whether {@code narrower} asks for no audience beyond {@code parent}: a subset, or anything when the
     * parent's was a wildcard. For exchange and refresh.
     */
    public static boolean within(List<String> parent, List<String> narrower) {
        return parent.stream().anyMatch(WILDCARDS::contains) || parent.containsAll(narrower);
    }

    private static String checkResource(String resource) throws OAuthException {
        try {
            URI uri = new URI(resource);
            if (!uri.isAbsolute() || uri.getRawFragment() != null) {
                throw OAuthException.invalidTarget("resource must be an absolute URI without a fragment: " + resource);
            }
            return resource;
        } catch (URISyntaxException e) {
            throw OAuthException.invalidTarget("resource is not a URI: " + resource);
        }
    }
}
