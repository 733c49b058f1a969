package dev.tessera.token.discovery;

import com.nimbusds.jose.jwk.JWKSet;
import dev.tessera.token.SafeText;
import dev.tessera.token.Trace;
import dev.tessera.token.jws.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;

/**
 * Finds an issuer's keys the way SciTokens and WLCG verifiers do: OpenID Connect discovery at
 * {@code iss + "/.well-known/openid-configuration"}, then, if that is not found, the RFC 8414 form
 * {@code https://host/.well-known/oauth-authorization-server/path}; then the {@code jwks_uri} it names.
 *
 * <p>Everything is https with certificate and hostname verification; redirects are followed only
 * to https. Responses are limited to {@link #MAX_BODY} bytes.
 */
public final class HttpsKeyFetcher implements KeyFetcher {
    /** Largest metadata or JWKS document read (scitokens-cpp uses the same bound). */
    public static final int MAX_BODY = 1024 * 1024;

    private final HttpClient client;
    private final Duration timeout;

    /** A fetcher over {@code context} with {@code timeout} for connecting and for each response. */
    public HttpsKeyFetcher(SSLContext context, Duration timeout) {
        this.timeout = timeout;
        this.client = HttpClient.newBuilder()
                .sslContext(context)
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NORMAL) // never https -> http
                .build();
    }

    /** A fetcher trusting the JDK's CAs and {@code extraCas}, with a 10 s timeout. */
    public static HttpsKeyFetcher create(List<Path> extraCas) throws IOException {
        return new HttpsKeyFetcher(TrustMaterial.sslContext(extraCas), Duration.ofSeconds(10));
    }

    @Override
    public JWKSet fetch(String issuer, Trace trace) throws KeyFetchException {
        URI jwksUri = jwksUri(issuer, trace);
        Response response = get(jwksUri, trace, "jwks");
        if (response.status != 200) {
            throw new KeyFetchException("JWKS " + jwksUri + " answered HTTP " + response.status);
        }
        try {
            JWKSet jwks = JWKSet.parse(response.body);
            if (trace.enabled()) {
                trace.pass("jwks", "JWKS " + jwksUri + " has " + jwks.getKeys().size() + " key(s)");
            }
            return jwks;
        } catch (ParseException e) {
            throw new KeyFetchException("JWKS " + jwksUri + " is not a valid JWK set: " + e.getMessage());
        }
    }

    /** The {@code jwks_uri} from the issuer's metadata. */
    public URI jwksUri(String issuer, Trace trace) throws KeyFetchException {
        URI base = httpsUri(issuer, "issuer");
        String trimmed = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
        URI oidc = URI.create(trimmed + "/.well-known/openid-configuration");
        Response response = get(oidc, trace, "discovery");
        URI used = oidc;
        if (response.status != 200) {
            String path = base.getRawPath() == null || base.getRawPath().equals("/") ? "" : base.getRawPath();
            if (path.endsWith("/")) {
                path = path.substring(0, path.length() - 1);
            }
            used = URI.create("https://" + base.getRawAuthority() + "/.well-known/oauth-authorization-server" + path);
            response = get(used, trace, "discovery");
            if (response.status != 200) {
                throw new KeyFetchException("no metadata for issuer " + SafeText.quote(issuer) + ": " + oidc
                        + " and " + used + " did not answer 200");
            }
        }
        Map<String, Object> metadata;
        try {
            metadata = Json.parseObject(response.body);
        } catch (ParseException e) {
            throw new KeyFetchException("metadata " + used + " is not a JSON object");
        }
        if (!(metadata.get("jwks_uri") instanceof String jwks)) {
            throw new KeyFetchException("metadata " + used + " has no jwks_uri");
        }
        return httpsUri(jwks, "jwks_uri");
    }

    private static URI httpsUri(String value, String what) throws KeyFetchException {
        try {
            URI uri = new URI(value);
            if (!"https".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
                throw new KeyFetchException(what + " " + SafeText.quote(value) + " is not an https URL");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new KeyFetchException(what + " " + SafeText.quote(value) + " is not a valid URL");
        }
    }

    private record Response(int status, String body) {
    }

    private Response get(URI uri, Trace trace, String step) throws KeyFetchException {
        HttpRequest request = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Accept", "application/json")
                .header("User-Agent", "tessera-token")
                .GET().build();
        try {
            HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
            String body;
            try (InputStream in = response.body()) {
                byte[] bytes = in.readNBytes(MAX_BODY + 1);
                if (bytes.length > MAX_BODY) {
                    throw new KeyFetchException(uri + " answered more than " + MAX_BODY + " bytes");
                }
                body = new String(bytes, StandardCharsets.UTF_8);
            }
            if (trace.enabled()) {
                trace.step(step, response.statusCode() == 200 ? Trace.Status.PASS : Trace.Status.INFO,
                        "GET " + uri + " -> HTTP " + response.statusCode());
            }
            return new Response(response.statusCode(), body);
        } catch (IOException e) {
            throw new KeyFetchException("GET " + uri + " failed: " + describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KeyFetchException("interrupted while fetching " + uri, e);
        }
    }

    private static String describe(IOException e) {
        String message = e.getMessage();
        Throwable cause = e.getCause();
        if ((message == null || message.isEmpty()) && cause != null) {
            message = cause.getMessage();
        }
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }
}
