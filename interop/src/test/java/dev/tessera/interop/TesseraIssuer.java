package dev.tessera.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.issuer.IssuerConfig;
import dev.tessera.issuer.IssuerServer;
import dev.tessera.issuer.domain.Account;
import dev.tessera.issuer.domain.Client;
import dev.tessera.issuer.domain.PolicyRule;
import dev.tessera.issuer.domain.StoredKey;
import dev.tessera.issuer.service.Administration;
import dev.tessera.token.Profile;
import dev.tessera.token.discovery.TrustMaterial;
import dev.tessera.token.jws.Json;
import dev.tessera.token.keys.Algorithm;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Tessera's OAuth2 issuer ({@code dev.tessera.issuer.IssuerServer}, the real server) on a loopback port,
 * presenting a certificate from the interop test CA: peers that use the system trust store (libcurl in
 * scitokens-cpp and in XRootD's SciTokens plugin) fetch its metadata and keys over HTTPS. Tokens are
 * obtained the way a robot does: a {@code client_credentials} POST to the VO's token endpoint with HTTP
 * Basic client authentication.
 */
final class TesseraIssuer implements AutoCloseable {
    private final IssuerConfig config;
    private final IssuerServer server;
    private final IssuerServer.Admin admin;
    private final HttpClient http;

    private TesseraIssuer(IssuerConfig config, IssuerServer server, IssuerServer.Admin admin, HttpClient http) {
        this.config = config;
        this.server = server;
        this.admin = admin;
        this.http = http;
    }

    /** A new issuer (SQLite in {@code dir}, a random master key) on 127.0.0.1 with a test-CA certificate. */
    static TesseraIssuer start(Path dir) throws IOException, GeneralSecurityException {
        Path tls = Files.createDirectories(dir.resolve("tls"));
        Peers.trustedCa().writeServerPem(tls); // localhost and 127.0.0.1, chained to the system-trusted CA
        byte[] master = new byte[32];
        new SecureRandom().nextBytes(master);
        Map<String, String> env = Map.of("TESSERA_MASTER_KEY", Base64.getEncoder().encodeToString(master));
        // no public_url: the port is chosen at bind time, and the issuer then names itself https://localhost:PORT
        IssuerConfig config = new IssuerConfig(Files.createDirectories(dir.resolve("data")), "127.0.0.1", 0, null,
                tls.resolve("server.pem"), tls.resolve("server.key"), null, null, null, Duration.ofMinutes(5), "default");
        IssuerServer server = IssuerServer.start(config, env);
        IssuerServer.Admin admin = null;
        try {
            admin = IssuerServer.Admin.open(config, env);
            HttpClient http = HttpClient.newBuilder().sslContext(TrustMaterial.sslContext(List.of(Peers.CA_PEM)))
                    .connectTimeout(Duration.ofSeconds(10)).build();
            return new TesseraIssuer(config, server, admin, http);
        } catch (IOException | RuntimeException e) {
            if (admin != null) {
                admin.close();
            }
            server.close();
            throw e;
        }
    }

    Administration admin() {
        return admin.administration();
    }

    IssuerServer server() {
        return server;
    }

    /** Creates a VO (20-minute tokens, at most an hour) and makes the server serve it now; its {@code iss}. */
    String addVo(String name, Profile profile, Algorithm algorithm) throws GeneralSecurityException {
        admin().addVo(new Administration.VoSettings(name, profile, algorithm, Duration.ofMinutes(20), Duration.ofHours(1),
                null), config.publicUrl(server.port()));
        server.refresh();
        return iss(name);
    }

    String iss(String vo) {
        return admin().vo(vo).issuer();
    }

    /** A confidential {@code client_credentials} client allowed {@code scope}, any audience. */
    Administration.NewClient client(String vo, String scope) throws GeneralSecurityException {
        Administration.NewClient client = admin().addClient(vo, "interop robot", Set.of(Client.CLIENT_CREDENTIALS), scope,
                List.of(), List.of(), false);
        server.refresh();
        return client;
    }

    /**
     * A confidential client for people's tokens, as oidc-agent is registered by hand: device flow and refresh
     * tokens, allowed {@code scope} (capabilities and protocol scopes such as {@code offline_access}), any audience.
     */
    Administration.NewClient deviceClient(String vo, String name, String scope) throws GeneralSecurityException {
        Administration.NewClient client = admin().addClient(vo, name, Set.of(Client.DEVICE_CODE, Client.REFRESH_TOKEN),
                scope, List.of(), List.of(), false);
        server.refresh();
        return client;
    }

    /** A person with a password, member of {@code group}, to which a policy rule grants {@code scope}. */
    Account person(String vo, String username, String password, String group, String scope)
            throws GeneralSecurityException {
        Account account = admin().addUser(vo, username, password.toCharArray(), List.of(group));
        admin().addRule(vo, PolicyRule.Kind.GROUP, group, scope, PolicyRule.Effect.GRANT);
        server.refresh();
        return account;
    }

    /**
     * Starts a key rotation whose new key signs at once (or, rotated in the second the current key activated,
     * from the next second: the issuer keeps activation seconds distinct), and returns once it signs.
     */
    StoredKey rotateWithoutPrepublication(String vo) throws GeneralSecurityException, InterruptedException {
        StoredKey next = admin().rotateKey(vo, Duration.ZERO);
        server.refresh();
        while (java.time.Instant.now().getEpochSecond() < next.activatesAt()) {
            Thread.sleep(20);
        }
        return next;
    }

    /** The token endpoint's answer to a client_credentials request. */
    HttpResponse<String> tokenResponse(String vo, Administration.NewClient client, String scope, String audience)
            throws IOException, InterruptedException {
        String basic = Base64.getEncoder().encodeToString((form(client.client().clientId()) + ":" + form(client.secret()))
                .getBytes(StandardCharsets.UTF_8)); // RFC 6749 §2.3.1: form-encoded, then Basic
        StringBuilder body = new StringBuilder("grant_type=client_credentials");
        if (scope != null) {
            body.append("&scope=").append(form(scope));
        }
        if (audience != null) {
            body.append("&audience=").append(form(audience));
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(iss(vo) + "/token")).timeout(Duration.ofSeconds(20))
                .header("Content-Type", "application/x-www-form-urlencoded").header("Authorization", "Basic " + basic)
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** An access token for {@code scope} and {@code audience}, issued over HTTPS; fails unless granted in full. */
    String token(String vo, Administration.NewClient client, String scope, String audience) throws Exception {
        HttpResponse<String> response = tokenResponse(vo, client, scope, audience);
        assertThat(response.statusCode()).as("token endpoint: %s", response.body()).isEqualTo(200);
        Map<String, Object> body = Json.parseObject(response.body());
        assertThat(body.get("token_type")).isEqualTo("Bearer");
        assertThat(body.get("scope")).as("granted scope").isEqualTo(scope);
        return (String) body.get("access_token");
    }

    /** The {@code kid} of every key a VO publishes now, as a verifier discovers them. */
    List<String> publishedKids(String vo) throws Exception {
        HttpResponse<String> metadata = get(iss(vo) + "/.well-known/openid-configuration");
        assertThat(metadata.statusCode()).isEqualTo(200);
        HttpResponse<String> jwks = get((String) Json.parseObject(metadata.body()).get("jwks_uri"));
        assertThat(jwks.statusCode()).isEqualTo(200);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> keys = (List<Map<String, Object>>) Json.parseObject(jwks.body()).get("keys");
        return keys.stream().map(k -> (String) k.get("kid")).toList();
    }

    private HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(20)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A JWT's header or payload (part 0 or 1), decoded. */
    static Map<String, Object> part(String jwt, int index) {
        try {
            byte[] json = Base64.getUrlDecoder().decode(jwt.split("\\.")[index]);
            return Json.parseObject(new String(json, StandardCharsets.UTF_8));
        } catch (Exception e) {
            throw new AssertionError("not a JWT: " + e.getMessage(), e);
        }
    }

    private static String form(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        try {
            server.close();
        } finally {
            admin.close();
        }
    }
}
