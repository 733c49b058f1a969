package dev.tessera.issuer.service.clients;

import dev.tessera.issuer.domain.Client;
import dev.tessera.issuer.domain.RegistrationPolicy;
import dev.tessera.issuer.service.Administration;
import dev.tessera.issuer.service.OAuthException;
import dev.tessera.issuer.service.RateLimit;
import dev.tessera.issuer.service.VoContext;
import dev.tessera.issuer.service.policy.RequestedScope;
import dev.tessera.token.jws.Json;
import dev.tessera.token.scope.InvalidScopeException;
import dev.tessera.token.scope.ScopeSet;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Dynamic client registration (RFC 7591), as oidc-agent uses it: open, but a registered client never gets
 * more than its VO's registration policy allows. Requested grant types and scope are narrowed to the policy
 * (the response says what was registered, §3.2.1); redirect URIs are checked as for any client; and each
 * address may register only a few clients an hour.
 */
public final class Registration {
    private static final Set<String> AUTH_METHODS = Set.of("none", "client_secret_basic", "client_secret_post",
            "private_key_jwt");

    private final Administration admin;
    private final RateLimit perAddress;
    private final Clock clock;

    public Registration(Administration admin, RateLimit perAddress, Clock clock) {
        this.admin = admin;
        this.perAddress = perAddress;
        this.clock = clock;
    }

    /**
     * Registers a client from its metadata.
     *
     * @return the RFC 7591 §3.2.1 response
     * @throws OAuthException {@code invalid_client_metadata}, {@code invalid_redirect_uri}, or registration closed
     *                        or over the rate limit
     */
    public Map<String, Object> register(VoContext vo, Map<String, Object> metadata, String address) throws OAuthException {
        RegistrationPolicy policy = vo.registration();
        if (policy == null) {
            throw new OAuthException("access_denied", "client registration is closed in VO " + vo.vo().name(), 403);
        }
        if (!perAddress.allows(address)) {
            throw new OAuthException("invalid_request", "too many registrations from this address: try again later", 429);
        }
        String method = string(metadata, "token_endpoint_auth_method", "client_secret_basic");
        if (!AUTH_METHODS.contains(method)) {
            throw metadataError("token_endpoint_auth_method must be one of " + AUTH_METHODS);
        }
        List<String> responseTypes = strings(metadata, "response_types", List.of("code"));
        if (!List.of("code").containsAll(responseTypes)) {
            throw metadataError("only the response type code is supported");
        }
        Set<String> grants = new LinkedHashSet<>(strings(metadata, "grant_types", List.of(Client.AUTHORIZATION_CODE)));
        grants.retainAll(policy.grants());
        if (grants.isEmpty()) {
            throw metadataError("none of the grant types may be registered here (allowed: "
                    + String.join(", ", policy.grants().stream().sorted().toList()) + ")");
        }
        List<String> redirectUris = strings(metadata, "redirect_uris", List.of());
        if (grants.contains(Client.AUTHORIZATION_CODE) && redirectUris.isEmpty()) {
            throw new OAuthException("invalid_redirect_uri", "authorization_code needs redirect_uris", 400);
        }
        String scope = narrowScope(string(metadata, "scope", null), policy.scope());
        String name = string(metadata, "client_name", "unnamed client").replaceAll("\\p{Cntrl}", "").strip();
        if (name.isEmpty() || name.length() > 200) {
            throw metadataError("client_name must have 1 to 200 characters");
        }
        String jwks = null;
        if (method.equals("private_key_jwt")) {
            if (!(metadata.get("jwks") instanceof Map<?, ?>)) {
                throw metadataError("private_key_jwt needs the client's public keys in jwks (jwks_uri is not supported)");
            }
            @SuppressWarnings("unchecked") // a parsed JSON object: its keys are strings
            Map<String, Object> keys = (Map<String, Object>) metadata.get("jwks");
            jwks = Json.write(keys);
        }
        Administration.Credentials credentials = switch (method) {
            case "none" -> Administration.Credentials.NONE;
            case "private_key_jwt" -> Administration.Credentials.PRIVATE_KEY_JWT;
            default -> Administration.Credentials.SECRET;
        };
        Administration.NewClient created;
        try {
            created = admin.addClient(vo.vo().name(), new Administration.ClientSettings(name, grants, scope, List.of(),
                    redirectUris, credentials, jwks, null, true));
        } catch (IllegalArgumentException e) {
            throw new OAuthException(e.getMessage().contains("redirect URI") ? "invalid_redirect_uri" : "invalid_client_metadata",
                    e.getMessage(), 400);
        }
        perAddress.record(address);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("client_id", created.client().clientId());
        if (created.secret() != null) {
            out.put("client_secret", created.secret());
            out.put("client_secret_expires_at", 0);
        }
        out.put("client_id_issued_at", clock.instant().getEpochSecond());
        out.put("client_name", name);
        out.put("grant_types", List.copyOf(grants));
        out.put("response_types", List.of("code"));
        out.put("redirect_uris", redirectUris);
        out.put("token_endpoint_auth_method", method);
        out.put("scope", scope);
        return out;
    }

    /** The requested scope within the policy's: capabilities at the narrower extent, protocol scopes by name. */
    private static String narrowScope(String requested, String allowed) throws OAuthException {
        if (requested == null || requested.isBlank()) {
            return allowed;
        }
        try {
            RequestedScope asked = RequestedScope.parse(requested);
            RequestedScope limit = RequestedScope.parse(allowed);
            List<String> out = new ArrayList<>();
            for (String protocol : asked.protocol()) {
                if (limit.protocol().contains(protocol)) {
                    out.add(protocol);
                }
            }
            if (asked.capabilities() != null && limit.capabilities() != null) {
                out.add(ScopeSet.of(asked.capabilities()).intersect(ScopeSet.of(limit.capabilities())).toString());
            }
            return String.join(" ", out.stream().filter(s -> !s.isEmpty()).toList());
        } catch (InvalidScopeException e) {
            throw metadataError("scope: " + e.getMessage());
        }
    }

    private static String string(Map<String, Object> metadata, String name, String otherwise) throws OAuthException {
        Object value = metadata.get(name);
        if (value == null) {
            return otherwise;
        }
        if (value instanceof String s) {
            return s;
        }
        throw metadataError(name + " must be a string");
    }

    private static List<String> strings(Map<String, Object> metadata, String name, List<String> otherwise)
            throws OAuthException {
        Object value = metadata.get(name);
        if (value == null) {
            return otherwise;
        }
        if (value instanceof List<?> list && list.stream().allMatch(String.class::isInstance) && list.size() <= 20) {
            return list.stream().map(String.class::cast).toList();
        }
        throw metadataError(name + " must be a list of at most 20 strings");
    }

    private static OAuthException metadataError(String description) {
        return new OAuthException("invalid_client_metadata", description, 400);
    }
}
