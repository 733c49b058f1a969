package dev.tessera.agent.oauth;

import dev.tessera.token.jws.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Map;

/**
 * The parts of an issuer's metadata (RFC 8414, OpenID Connect Discovery) a client needs: its endpoints
 * and grant types. Every endpoint must be https, and the document must name the issuer it was fetched
 * for (RFC 8414 §3.3), so a mix-up or a downgrade is refused rather than followed.
 *
 * @param issuer                      the {@code issuer}, exactly as asked for
 * @param tokenEndpoint               the token endpoint
 * @param deviceAuthorizationEndpoint the RFC 8628 endpoint, or {@code null}
 * @param revocationEndpoint          the RFC 7009 endpoint, or {@code null}
 * @param grantTypes                  {@code grant_types_supported} (empty when not advertised)
 */
public record IssuerMetadata(String issuer, URI tokenEndpoint, URI deviceAuthorizationEndpoint, URI revocationEndpoint,
                             List<String> grantTypes) {
    public IssuerMetadata {
        grantTypes = List.copyOf(grantTypes);
    }

    /**
     * Parses the metadata of {@code expectedIssuer}.
     *
     * @throws IOException naming what is wrong with the document
     */
    public static IssuerMetadata parse(String expectedIssuer, String json) throws IOException {
        Map<String, Object> m;
        try {
            m = Json.parseObject(json);
        } catch (java.text.ParseException e) {
            throw new IOException("the metadata of " + expectedIssuer + " is not a JSON object");
        }
        Object issuer = m.get("issuer");
        if (!expectedIssuer.equals(issuer)) {
            throw new IOException("the metadata fetched for " + expectedIssuer + " names another issuer: " + issuer);
        }
        URI token = endpoint(m, "token_endpoint", expectedIssuer);
        if (token == null) {
            throw new IOException("the metadata of " + expectedIssuer + " has no token_endpoint");
        }
        List<String> grants = m.get("grant_types_supported") instanceof List<?> list
                ? list.stream().filter(String.class::isInstance).map(String.class::cast).toList() : List.of();
        return new IssuerMetadata(expectedIssuer, token, endpoint(m, "device_authorization_endpoint", expectedIssuer),
                endpoint(m, "revocation_endpoint", expectedIssuer), grants);
    }

    private static URI endpoint(Map<String, Object> m, String name, String issuer) throws IOException {
        Object value = m.get(name);
        if (value == null) {
            return null;
        }
        try {
            URI uri = new URI(String.valueOf(value));
            if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
                throw new IOException("the " + name + " of " + issuer + " is not an https URL: " + value);
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new IOException("the " + name + " of " + issuer + " is not a URL: " + value);
        }
    }
}
