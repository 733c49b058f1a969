package dev.tessera.gateway.service;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tessera.token.SafeText;
import dev.tessera.token.discovery.TrustMaterial;
import dev.tessera.token.jws.Json;
import dev.tessera.token.keys.Sha256;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Gets the backend a narrowed, short-lived token of its own by OAuth 2.0 Token Exchange (RFC 8693):
 * the caller's token is the subject token, the gateway authenticates as a client
 * ({@code client_secret_basic}), and asks for exactly the scope the request needed and the backend's
 * audience. An issuer that can only narrow (Tessera's) never returns more than the caller had.
 * Exchanged tokens are cached per caller token, scope and audience until shortly before they expire,
 * so a caller making many requests costs one exchange.
 */
public final class Delegation {
    private static final String GRANT = "urn:ietf:params:oauth:grant-type:token-exchange";
    private static final String ACCESS_TOKEN = "urn:ietf:params:oauth:token-type:access_token";
    private static final Duration MARGIN = Duration.ofSeconds(30);

    /** Where and as whom to exchange, and for which audience. */
    public record Settings(URI tokenEndpoint, String clientId, String clientSecret, String audience) {
    }

    /** Why an exchange failed: the issuer's OAuth error, or a transport problem. */
    public static final class DelegationException extends Exception {
        private static final long serialVersionUID = 1L;

        DelegationException(String message) {
            super(message);
        }
    }

    private record Exchanged(String token, Instant expiresAt) {
    }

    private final Settings settings;
    private final HttpClient client;
    private final Cache<String, Exchanged> cache = Caffeine.newBuilder().maximumSize(10_000).build();

    public Delegation(Settings settings, List<Path> caFiles) throws IOException {
        if (!"https".equals(settings.tokenEndpoint().getScheme())) {
            throw new IllegalArgumentException("the token endpoint must be https: " + settings.tokenEndpoint());
        }
        this.settings = settings;
        this.client = HttpClient.newBuilder().sslContext(TrustMaterial.sslContext(caFiles))
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** A token for the backend with {@code scope} (space-separated), exchanged for {@code subjectToken}. */
    public String exchange(String subjectToken, String scope) throws DelegationException {
        String key = HexFormat.of().formatHex(Sha256.digest(subjectToken.getBytes(StandardCharsets.US_ASCII)))
                + " " + scope;
        Exchanged cached = cache.getIfPresent(key);
        if (cached != null && Instant.now().plus(MARGIN).isBefore(cached.expiresAt())) {
            return cached.token();
        }
        Exchanged fresh = request(subjectToken, scope);
        cache.put(key, fresh);
        return fresh.token();
    }

    private Exchanged request(String subjectToken, String scope) throws DelegationException {
        String form = "grant_type=" + enc(GRANT) + "&subject_token=" + enc(subjectToken)
                + "&subject_token_type=" + enc(ACCESS_TOKEN) + "&requested_token_type=" + enc(ACCESS_TOKEN)
                + (scope.isEmpty() ? "" : "&scope=" + enc(scope))
                + (settings.audience() == null ? "" : "&audience=" + enc(settings.audience()));
        String basic = Base64.getEncoder().encodeToString((enc(settings.clientId()) + ":" + enc(settings.clientSecret()))
                .getBytes(StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(settings.tokenEndpoint()).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Authorization", "Basic " + basic)
                .header("Accept", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build();
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new DelegationException("token exchange at " + settings.tokenEndpoint() + " failed: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DelegationException("interrupted during token exchange");
        }
        Map<String, Object> body;
        try {
            body = Json.parseObject(response.body());
        } catch (ParseException e) {
            throw new DelegationException("token exchange answered HTTP " + response.statusCode() + " without JSON");
        }
        if (response.statusCode() != 200 || !(body.get("access_token") instanceof String token)) {
            throw new DelegationException("token exchange refused (HTTP " + response.statusCode() + "): "
                    + SafeText.quote(body.get("error"), 40) + " " + SafeText.quote(body.get("error_description"), 120));
        }
        long expiresIn = body.get("expires_in") instanceof Number n ? n.longValue() : 60;
        return new Exchanged(token, Instant.now().plusSeconds(expiresIn));
    }

    /** RFC 6749 §2.3.1: client credentials are form-encoded before Basic encoding. */
    private static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
