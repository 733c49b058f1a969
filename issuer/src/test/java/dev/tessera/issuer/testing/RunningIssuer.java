package dev.tessera.issuer.testing;

import com.nimbusds.oauth2.sdk.AuthorizationGrant;
import com.nimbusds.oauth2.sdk.ParseException;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientAuthentication;
import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import dev.tessera.issuer.IssuerConfig;
import dev.tessera.issuer.IssuerServer;
import dev.tessera.issuer.domain.Client;
import dev.tessera.issuer.service.Administration;
import dev.tessera.token.TokenVerifier;
import dev.tessera.token.discovery.TrustMaterial;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.net.ssl.SSLContext;

/**
 * An issuer server on a loopback port for tests, with the administration a CLI would use on the same
 * database, and HTTPS clients that trust its certificate.
 */
public final class RunningIssuer implements AutoCloseable {
    /** A fixed master key, so several servers on one database can share keys. */
    public static final Map<String, String> ENV = Map.of("TESSERA_MASTER_KEY", "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");

    private final IssuerServer server;
    private final IssuerServer.Admin admin;
    private final SSLContext ssl;
    private final HttpClient http;

    private RunningIssuer(IssuerServer server, IssuerServer.Admin admin) throws IOException {
        this.server = server;
        this.admin = admin;
        this.ssl = TrustMaterial.sslContext(List.of(server.tlsCertificate()));
        this.http = HttpClient.newBuilder().sslContext(ssl).connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** An embedded-default issuer (SQLite) in {@code dir}. */
    public static RunningIssuer sqlite(Path dir) throws IOException, GeneralSecurityException {
        return start(config(dir, null));
    }

    /** An issuer in {@code dir} on the database at {@code jdbcUrl}. */
    public static RunningIssuer on(Path dir, String jdbcUrl) throws IOException, GeneralSecurityException {
        return start(config(dir, jdbcUrl));
    }

    public static IssuerConfig config(Path dir, String jdbcUrl) {
        return new IssuerConfig(dir, "127.0.0.1", 0, null, null, null, jdbcUrl, "postgres", "postgres",
                Duration.ofMinutes(5), "default");
    }

    public static RunningIssuer start(IssuerConfig config) throws IOException, GeneralSecurityException {
        return start(config, java.time.Clock.systemUTC());
    }

    public static RunningIssuer start(IssuerConfig config, java.time.Clock clock) throws IOException, GeneralSecurityException {
        IssuerServer server = IssuerServer.start(config, ENV, clock);
        try {
            return new RunningIssuer(server, IssuerServer.Admin.open(config, ENV));
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
    }

    public IssuerServer server() {
        return server;
    }

    public Administration admin() {
        return admin.administration();
    }

    public IssuerServer.Admin adminHandle() {
        return admin;
    }

    public SSLContext ssl() {
        return ssl;
    }

    public String iss(String vo) {
        return server.vos().stream().filter(v -> v.vo().name().equals(vo)).findFirst().orElseThrow().vo().issuer();
    }

    public URI tokenEndpoint(String vo) {
        return URI.create(iss(vo) + "/token");
    }

    /** Registers a client and makes the server see it now (it would within a second anyway). */
    public Administration.NewClient client(String vo, String scope, String... grants) throws GeneralSecurityException {
        return client(vo, scope, List.of(), grants);
    }

    public Administration.NewClient client(String vo, String scope, List<String> audiences, String... grants)
            throws GeneralSecurityException {
        Administration.NewClient created = admin().addClient(vo, "test client", Set.of(grants.length == 0
                ? new String[] {Client.CLIENT_CREDENTIALS} : grants), scope, audiences, List.of(), false);
        server.refresh();
        return created;
    }

    /** A token request sent with the Nimbus OAuth SDK, its response parsed by it. */
    public TokenResponse token(String vo, ClientAuthentication auth, AuthorizationGrant grant, Scope scope)
            throws IOException, ParseException {
        HTTPRequest request = new TokenRequest(tokenEndpoint(vo), auth, grant, scope).toHTTPRequest();
        request.setSSLSocketFactory(ssl.getSocketFactory());
        return TokenResponse.parse(request.send());
    }

    /** A raw request, for what no well-behaved client library would send. */
    public HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A form POST to a VO's endpoint at this server (whatever the VO's public URL). */
    public HttpResponse<String> post(String vo, String endpoint, String form, String... headers)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.url() + "/vo/" + vo + endpoint))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return send(request);
    }

    public HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(URI.create(url)).GET());
    }

    /** The {@code client_secret_basic} Authorization header of a client. */
    public static String basicHeader(Administration.NewClient client) {
        return "Basic " + java.util.Base64.getEncoder().encodeToString((client.client().clientId() + ":" + client.secret())
                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** A verifier that discovers this issuer's keys over HTTPS, as a service would. */
    public TokenVerifier verifier(String vo, String audience) {
        return TokenVerifier.builder().issuer(iss(vo)).audience(audience).caFiles(List.of(server.tlsCertificate())).build();
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
