package dev.tessera.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.token.Profile;
import dev.tessera.token.TokenBuilder;
import dev.tessera.token.discovery.TrustMaterial;
import dev.tessera.token.keys.Algorithm;
import dev.tessera.token.keys.SigningKey;
import dev.tessera.token.testing.MutableClock;
import dev.tessera.token.testing.TestCa;
import dev.tessera.token.testing.TestIssuer;
import dev.tessera.web.HttpServer;
import dev.tessera.web.TrustedIssuer;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /auth} of the real {@link GatewayServer} (HTTPS, port 0) with tokens from an in-process
 * HTTPS issuer: the requests nginx's {@code auth_request} subrequest makes, and the answers it needs.
 */
class AuthHandlerTest {
    private static final String AUD = "https://gateway.example.org";
    private static final String AUD_A = "https://a.example.org";
    private static final String AUD_B = "https://b.example.org";

    @TempDir
    static Path work;

    private static TestCa ca;
    private static SigningKey keyA;
    private static SigningKey keyB;
    private static TestIssuer issuerA;
    private static TestIssuer issuerB;
    private static Path caPem;
    private static final List<HttpServer> servers = new ArrayList<>();

    /** prefix /files, one issuer with base path /. */
    private static Gateway files;
    /** no prefix. */
    private static Gateway root;
    /** two issuers, base paths /a and /b, audiences per issuer, prefix /data. */
    private static Gateway twoIssuers;
    /** isMemberOf groups, pass_token, mapfile. */
    private static Gateway custom;

    @BeforeAll
    static void start() throws Exception {
        ca = TestCa.create("gateway-test");
        caPem = ca.writeCaPem(work.resolve("ca.pem"));
        keyA = SigningKey.generate(Algorithm.ES256, "a-1");
        keyB = SigningKey.generate(Algorithm.ES256, "b-1");
        issuerA = TestIssuer.start(ca, "", keyA);
        issuerB = TestIssuer.start(ca, "/vo", keyB);

        files = gateway("files", List.of(issuer(issuerA, "/", List.of(), null)), List.of(AUD), "/files", null, false);
        root = gateway("root", List.of(issuer(issuerA, "/", List.of(), null)), List.of(AUD), null, null, false);
        twoIssuers = gateway("two", List.of(issuer(issuerA, "/a", List.of(AUD_A), null),
                issuer(issuerB, "/b", List.of(AUD_B), null)), List.of(), "/data", null, false);
        Path mapfile = Files.writeString(work.resolve("map.json"),
                "[{\"sub\": \"alice\", \"result\": \"alice_local\"}, {\"group\": \"/cms\", \"result\": \"cmsuser\"}]");
        custom = gateway("custom", List.of(issuer(issuerA, "/", List.of(), mapfile)), List.of(AUD), "/files",
                "isMemberOf", true);
    }

    @AfterAll
    static void stop() {
        servers.forEach(HttpServer::close);
        if (issuerA != null) {
            issuerA.close();
        }
        if (issuerB != null) {
            issuerB.close();
        }
    }

    private static TrustedIssuer issuer(TestIssuer issuer, String basePath, List<String> audiences, Path mapfile) {
        return new TrustedIssuer(issuer.url(), basePath, audiences, List.of(), mapfile);
    }

    /** A running gateway and an HTTP/1.1 client trusting its self-signed certificate (as nginx would be). */
    record Gateway(HttpServer server, HttpClient client) {
        String base() {
            return "https://127.0.0.1:" + server.port();
        }
    }

    private static Gateway gateway(String name, List<TrustedIssuer> issuers, List<String> audiences, String prefix,
                                   String groupsClaim, boolean passToken) throws Exception {
        Path data = work.resolve(name);
        GatewayConfig config = new GatewayConfig(data, "127.0.0.1", 0, null, null, null, List.of(caPem), audiences, issuers,
                prefix, null, null, null, groupsClaim, passToken, null);
        HttpServer server = GatewayServer.start(config);
        servers.add(server);
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .sslContext(TrustMaterial.sslContext(List.of(data.resolve("tls/server.pem")))).build();
        return new Gateway(server, client);
    }

    // ---- tokens ----

    private static TokenBuilder tokenA(String scope) {
        return TokenBuilder.forKey(keyA).issuer(issuerA.url()).subject("alice").audience(AUD).scope(scope);
    }

    private static String a(String scope) {
        return tokenA(scope).sign();
    }

    // ---- requests ----

    private static HttpResponse<String> send(Gateway gateway, String pathAndQuery, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(gateway.base() + pathAndQuery))
                .timeout(Duration.ofSeconds(20));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return gateway.client().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String bearer(String token) {
        return "Bearer " + token;
    }

    /** A path decision as nginx asks for it: original URI and method, token in the Authorization header. */
    private static HttpResponse<String> path(Gateway gateway, String method, String uri, String token) throws Exception {
        return send(gateway, "/auth", "Authorization", bearer(token), "X-Original-URI", uri, "X-Original-Method", method);
    }

    private static int status(Gateway gateway, String method, String uri, String token) throws Exception {
        return path(gateway, method, uri, token).statusCode();
    }

    private static String header(HttpResponse<?> response, String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    private static String challenge(HttpResponse<?> response) {
        return header(response, "WWW-Authenticate");
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    // ================================================================================================

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class NamedCapabilities {
        private final String both = a("read:tap exec:notebook");
        private final String tapOnly = a("read:tap");
        private final String neither = a("read:/public");

        private HttpResponse<String> ask(String query, String token) throws Exception {
            return send(files, "/auth?" + query, "Authorization", bearer(token));
        }

        @Test
        void allIsTheDefaultAndNeedsEveryScope() throws Exception {
            assertThat(ask("scope=read:tap&scope=exec:notebook", both).statusCode()).isEqualTo(200);
            HttpResponse<String> partial = ask("scope=read:tap&scope=exec:notebook", tapOnly);
            assertThat(partial.statusCode()).isEqualTo(403);
            assertThat(challenge(partial)).startsWith("Bearer realm=").contains("error=\"insufficient_scope\"")
                    .contains("scope=\"exec:notebook\"");
            assertThat(ask("scope=read:tap&scope=exec:notebook&satisfy=all", tapOnly).statusCode()).isEqualTo(403);
            assertThat(ask("scope=read:tap&scope=exec:notebook&satisfy=all", both).statusCode()).isEqualTo(200);
        }

        @Test
        void anyNeedsOneScope() throws Exception {
            assertThat(ask("scope=read:tap&scope=exec:notebook&satisfy=any", tapOnly).statusCode()).isEqualTo(200);
            assertThat(ask("scope=exec:notebook&scope=read:tap&satisfy=any", tapOnly).statusCode()).isEqualTo(200);
            HttpResponse<String> none = ask("scope=read:tap&scope=exec:notebook&satisfy=any", neither);
            assertThat(none.statusCode()).isEqualTo(403);
            assertThat(challenge(none)).contains("error=\"insufficient_scope\"")
                    .contains("scope=\"read:tap exec:notebook\"");
        }

        @Test
        void aNamedScopeIsHeldExactlyNotByPrefixOrPath() throws Exception {
            assertThat(ask("scope=read:ta", tapOnly).statusCode()).isEqualTo(403);
            assertThat(ask("scope=read:tapx", tapOnly).statusCode()).isEqualTo(403);
            assertThat(ask("scope=read", tapOnly).statusCode()).isEqualTo(403);
            // read:/public is a path scope: it never grants the named capability read:tap
            assertThat(ask("scope=read:tap", neither).statusCode()).isEqualTo(403);
            assertThat(ask("scope=" + enc("read:tap"), tapOnly).statusCode()).isEqualTo(200);
            // nor held by a similar name or by a path scope in the token
            assertThat(ask("scope=read:tap", a("read:/ read:tapx read:ta write:tap")).statusCode()).isEqualTo(403);
        }

        @Test
        void aPathScopeAsAskedCapabilityIsCheckedOnSegmentBoundaries() throws Exception {
            assertThat(ask("scope=read:/public", neither).statusCode()).isEqualTo(200);
            assertThat(ask("scope=read:/public/x", neither).statusCode()).isEqualTo(200);
            assertThat(ask("scope=read:/publicity", neither).statusCode()).isEqualTo(403);
            assertThat(ask("scope=write:/public", neither).statusCode()).isEqualTo(403);
        }

        @Test
        void namedScopesIgnoreTheOriginalUri() throws Exception {
            HttpResponse<String> response = send(files, "/auth?scope=read:tap", "Authorization", bearer(tapOnly),
                    "X-Original-URI", "/elsewhere/entirely", "X-Original-Method", "DELETE");
            assertThat(response.statusCode()).isEqualTo(200);
        }

        @Test
        void aValidTokenAloneWhenNothingIsAsked() throws Exception {
            HttpResponse<String> response = send(files, "/auth", "Authorization", bearer(neither));
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(header(response, "X-Auth-Request-User")).isEqualTo("alice");
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class PathChecks {
        private final String reader = a("read:/public write:/user/alice");

        @Test
        void thePrefixIsRemovedBeforeTheCheck() throws Exception {
            assertThat(status(files, "GET", "/files/public/a.txt", reader)).isEqualTo(200);
            assertThat(status(files, "GET", "/files/public", reader)).isEqualTo(200);
            assertThat(status(files, "GET", "/files/public/", reader)).isEqualTo(200);
            assertThat(status(files, "GET", "/files/secret/a.txt", reader)).isEqualTo(403);
            // the prefix itself is the root, which read:/public does not cover
            assertThat(status(files, "GET", "/files", reader)).isEqualTo(403);
            assertThat(status(files, "GET", "/files/", reader)).isEqualTo(403);
            // without a prefix, the whole path is checked
            assertThat(status(root, "GET", "/public/a.txt", reader)).isEqualTo(200);
            assertThat(status(root, "GET", "/files/public/a.txt", reader)).isEqualTo(403);
        }

        @Test
        void aPathOutsideThePrefixIsABadRequest() throws Exception {
            for (String uri : List.of("/public/a.txt", "/filesystem/public/a.txt", "/file", "//files/public/a.txt",
                    "/fil%65s/public/a.txt", "/FILES/public/a.txt")) {
                HttpResponse<String> response = path(files, "GET", uri, reader);
                assertThat(response.statusCode()).as(uri).isEqualTo(400);
                assertThat(header(response, "X-Tessera-Decision")).as(uri).contains("prefix");
            }
        }

        @Test
        void aPathCheckWithoutAnOriginalUriIsABadRequest() throws Exception {
            HttpResponse<String> response = send(files, "/auth?authz=read", "Authorization", bearer(reader));
            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(header(response, "X-Tessera-Decision")).contains("X-Original-URI");
        }

        @Test
        void theQueryOfTheOriginalUriIsNotPartOfThePath() throws Exception {
            assertThat(status(files, "GET", "/files/public/a.txt?x=/secret", reader)).isEqualTo(200);
            assertThat(status(files, "GET", "/files/secret?x=/public", reader)).isEqualTo(403);
        }

        @Test
        void readingMethodsNeedReadAndOthersWrite() throws Exception {
            for (String method : List.of("GET", "HEAD", "get", "OPTIONS", "PROPFIND")) {
                assertThat(status(files, method, "/files/public/a.txt", reader)).as(method).isEqualTo(200);
                assertThat(status(files, method, "/files/user/alice/a.txt", reader)).as(method).isEqualTo(403);
            }
            for (String method : List.of("PUT", "POST", "DELETE", "MKCOL", "MOVE", "PATCH")) {
                assertThat(status(files, method, "/files/public/a.txt", reader)).as(method).isEqualTo(403);
                assertThat(status(files, method, "/files/user/alice/a.txt", reader)).as(method).isEqualTo(200);
            }
            // without X-Original-Method: a read
            HttpResponse<String> noMethod = send(files, "/auth", "Authorization", bearer(reader),
                    "X-Original-URI", "/files/public/a.txt");
            assertThat(noMethod.statusCode()).isEqualTo(200);
            HttpResponse<String> noMethodWrite = send(files, "/auth", "Authorization", bearer(reader),
                    "X-Original-URI", "/files/user/alice/a.txt");
            assertThat(noMethodWrite.statusCode()).isEqualTo(403);
        }

        @Test
        void theRefusalNamesTheScopeThatWouldBeNeeded() throws Exception {
            HttpResponse<String> write = path(files, "PUT", "/files/public/a.txt", reader);
            assertThat(write.statusCode()).isEqualTo(403);
            assertThat(challenge(write)).startsWith("Bearer realm=\"tessera\"")
                    .contains("error=\"insufficient_scope\"").contains("scope=\"write:/public/a.txt\"");
            HttpResponse<String> read = path(files, "GET", "/files/secret/b", reader);
            assertThat(challenge(read)).contains("scope=\"read:/secret/b\"");
            assertThat(read.body()).isEmpty(); // nginx reads no body of a decision
            assertThat(header(read, "X-Tessera-Decision")).isEqualTo("forbidden");
        }

        @Test
        void anExplicitAuthzWinsOverTheMethod() throws Exception {
            HttpResponse<String> write = send(files, "/auth?authz=write", "Authorization", bearer(reader),
                    "X-Original-URI", "/files/public/a.txt", "X-Original-Method", "GET");
            assertThat(write.statusCode()).isEqualTo(403);
            assertThat(challenge(write)).contains("scope=\"write:/public/a.txt\"");
            HttpResponse<String> read = send(files, "/auth?authz=read", "Authorization", bearer(reader),
                    "X-Original-URI", "/files/public/a.txt", "X-Original-Method", "PUT");
            assertThat(read.statusCode()).isEqualTo(200);
            HttpResponse<String> storageRead = send(files, "/auth?authz=storage.read", "Authorization",
                    bearer(reader), "X-Original-URI", "/files/public/a.txt", "X-Original-Method", "PUT");
            assertThat(storageRead.statusCode()).isEqualTo(200);
            HttpResponse<String> create = send(files, "/auth?authz=storage.create", "Authorization",
                    bearer(reader), "X-Original-URI", "/files/user/alice/new", "X-Original-Method", "PUT");
            assertThat(create.statusCode()).isEqualTo(200);
        }

        @Test
        void siblingPrefixesAreNotOpened() throws Exception {
            for (String uri : List.of("/files/publicity", "/files/publicity/x", "/files/public2/x", "/files/publi",
                    "/files/public.bak", "/files/user/alicex/a", "/files/user/alice2")) {
                String method = uri.startsWith("/files/user") ? "PUT" : "GET";
                assertThat(status(files, method, uri, reader)).as(method + " " + uri).isEqualTo(403);
            }
            String scoped = a("read:/publicity");
            assertThat(status(files, "GET", "/files/publicity/x", scoped)).isEqualTo(200);
            assertThat(status(files, "GET", "/files/public/x", scoped)).isEqualTo(403);
        }

        @Test
        void traversalIsResolvedOrRefusedNeverUsedToEscape() throws Exception {
            // resolved inside the prefix: the resolved path is checked
            assertThat(status(files, "GET", "/files/public/../secret/a", reader)).isEqualTo(403);
            assertThat(status(files, "GET", "/files/public/%2e%2e/secret/a", reader)).isEqualTo(403);
            assertThat(status(files, "GET", "/files/public/%2E%2E/secret/a", reader)).isEqualTo(403);
            assertThat(status(files, "GET", "/files/public%2f..%2fsecret/a", reader)).isEqualTo(403);
            assertThat(status(files, "GET", "/files/public/./x/../a", reader)).isEqualTo(200);
            assertThat(status(files, "GET", "/files/secret/../public/a", reader)).isEqualTo(200);
            assertThat(status(files, "PUT", "/files/user/alice/../bob/a", reader)).isEqualTo(403);
            // climbing above the prefix is never clamped to it
            for (String uri : List.of("/files/../public/a", "/files/%2e%2e/files/public/a",
                    "/files/public/../../files/public/a", "/files/..", "/files/%2E%2E/x")) {
                assertThat(status(files, "GET", uri, reader)).as(uri).isEqualTo(400);
            }
            assertThat(status(root, "GET", "/../public/a", reader)).isEqualTo(400);
            // decoded once: a double-encoded dot-dot is a literal name inside /public
            assertThat(status(files, "GET", "/files/public/%252e%252e/secret", reader)).isEqualTo(200);
            // bad encodings and control characters
            assertThat(status(files, "GET", "/files/public/%zz", reader)).isEqualTo(400);
            assertThat(status(files, "GET", "/files/public/a%00b", reader)).isEqualTo(400);
            assertThat(status(files, "GET", "/files/public/a%0d%0aX: y", reader)).isEqualTo(400);
        }

        @Test
        void encodedPathsAreDecodedOnce() throws Exception {
            String spaced = a("read:/my%20data");
            assertThat(status(files, "GET", "/files/my%20data/a", spaced)).isEqualTo(200);
            assertThat(status(files, "GET", "/files/public/a%20b.txt", reader)).isEqualTo(200);
            assertThat(status(files, "GET", "/files/%70ublic/a", reader)).isEqualTo(200);
            assertThat(status(files, "GET", "/files/public%69ty/a", reader)).isEqualTo(403);
        }

        @Test
        void anAbsoluteUrlAsOriginalUriUsesItsPath() throws Exception {
            assertThat(status(files, "GET", "https://data.example.org/files/public/a", reader)).isEqualTo(200);
            assertThat(status(files, "GET", "https://data.example.org/files/secret/a", reader)).isEqualTo(403);
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Issuers {
        private String b(String scope, String audience) {
            return TokenBuilder.forKey(keyB).issuer(issuerB.url()).subject("bob").audience(audience).scope(scope).sign();
        }

        private String aFor(String scope, String audience) {
            return TokenBuilder.forKey(keyA).issuer(issuerA.url()).subject("alice").audience(audience).scope(scope)
                    .sign();
        }

        @Test
        void eachIssuerHasItsBasePath() throws Exception {
            String fromA = aFor("read:/x", AUD_A);
            String fromB = b("read:/x", AUD_B);
            assertThat(status(twoIssuers, "GET", "/data/a/x/file", fromA)).isEqualTo(200);
            assertThat(status(twoIssuers, "GET", "/data/b/x/file", fromA)).isEqualTo(403);
            assertThat(status(twoIssuers, "GET", "/data/x/file", fromA)).isEqualTo(403);
            assertThat(status(twoIssuers, "GET", "/data/b/x/file", fromB)).isEqualTo(200);
            assertThat(status(twoIssuers, "GET", "/data/a/x/file", fromB)).isEqualTo(403);
            // the base path is a segment boundary too
            assertThat(status(twoIssuers, "GET", "/data/ab/x/file", aFor("read:/", AUD_A))).isEqualTo(403);
            assertThat(status(twoIssuers, "GET", "/data/a/anything", aFor("read:/", AUD_A))).isEqualTo(200);
        }

        @Test
        void theNeededScopeIsRelativeToTheIssuersBasePath() throws Exception {
            HttpResponse<String> inside = path(twoIssuers, "PUT", "/data/a/x/file", aFor("read:/x", AUD_A));
            assertThat(inside.statusCode()).isEqualTo(403);
            assertThat(challenge(inside)).contains("scope=\"write:/x/file\"");
            HttpResponse<String> outside = path(twoIssuers, "GET", "/data/b/x/file", aFor("read:/x", AUD_A));
            assertThat(outside.statusCode()).isEqualTo(403);
            assertThat(challenge(outside)).contains("insufficient_scope").doesNotContain("scope=\"read");
        }

        @Test
        void eachIssuerHasItsAudiences() throws Exception {
            assertThat(status(twoIssuers, "GET", "/data/a/x", aFor("read:/", AUD_A))).isEqualTo(200);
            HttpResponse<String> wrongA = path(twoIssuers, "GET", "/data/a/x", aFor("read:/", AUD_B));
            assertThat(wrongA.statusCode()).isEqualTo(401);
            assertThat(challenge(wrongA)).contains("error=\"invalid_token\"").contains("audience_mismatch");
            assertThat(status(twoIssuers, "GET", "/data/b/x", b("read:/", AUD_B))).isEqualTo(200);
            assertThat(status(twoIssuers, "GET", "/data/b/x", b("read:/", AUD_A))).isEqualTo(401);
            assertThat(status(twoIssuers, "GET", "/data/b/x", b("read:/", AUD))).isEqualTo(401);
            // the service-wide audience applies to an issuer without its own
            assertThat(status(files, "GET", "/files/x", aFor("read:/", AUD_A))).isEqualTo(401);
        }

        @Test
        void restrictedPathsLimitWhatAnIssuerCanGrant() throws Exception {
            Gateway restricted = gateway("restricted", List.of(new TrustedIssuer(issuerA.url(), "/", List.of(),
                    List.of("/public"), null)), List.of(AUD), "/files", null, false);
            String everything = a("read:/ write:/");
            assertThat(status(restricted, "GET", "/files/public/a", everything)).isEqualTo(200);
            assertThat(status(restricted, "PUT", "/files/public/a", everything)).isEqualTo(200);
            assertThat(status(restricted, "GET", "/files/secret/a", everything)).isEqualTo(403);
            assertThat(status(restricted, "GET", "/files/publicity", everything)).isEqualTo(403);
        }

        @Test
        void anUntrustedIssuerIsRefused() throws Exception {
            // issuer B is not trusted by the /files gateway
            HttpResponse<String> response = path(files, "GET", "/files/x", b("read:/", AUD));
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(challenge(response)).contains("error=\"invalid_token\"");
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Carriers {
        private final String token = a("read:/public");

        private String basic(String user, String password) {
            return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        }

        @Test
        void bearerHeader() throws Exception {
            assertThat(status(files, "GET", "/files/public/a", token)).isEqualTo(200);
            assertThat(send(files, "/auth", "Authorization", "bearer " + token, "X-Original-URI", "/files/public/a")
                    .statusCode()).isEqualTo(200);
        }

        @Test
        void basicWithTheTokenAsUsernameOrPassword() throws Exception {
            for (String authorization : List.of(basic(token, "x-oauth-basic"), basic("x-oauth-basic", token),
                    basic(token, ""), basic("", token))) {
                HttpResponse<String> response = send(files, "/auth", "Authorization", authorization,
                        "X-Original-URI", "/files/public/a", "X-Original-Method", "GET");
                assertThat(response.statusCode()).as(authorization).isEqualTo(200);
                assertThat(header(response, "X-Auth-Request-User")).isEqualTo("alice");
            }
            HttpResponse<String> password = send(files, "/auth", "Authorization", basic("alice", "secret"),
                    "X-Original-URI", "/files/public/a");
            assertThat(password.statusCode()).isEqualTo(401);
            assertThat(challenge(password)).isEqualTo("Bearer realm=\"tessera\"");
        }

        @Test
        void authzInTheOriginalUriQuery() throws Exception {
            for (String query : List.of("authz=Bearer%20" + token, "authz=Bearer+" + token, "authz=" + token,
                    "x=1&authz=Bearer%20" + token + "&y=2")) {
                HttpResponse<String> response = send(files, "/auth", "X-Original-URI", "/files/public/a?" + query,
                        "X-Original-Method", "GET");
                assertThat(response.statusCode()).as(query).isEqualTo(200);
            }
            HttpResponse<String> denied = send(files, "/auth", "X-Original-URI",
                    "/files/secret?authz=Bearer%20" + token, "X-Original-Method", "GET");
            assertThat(denied.statusCode()).isEqualTo(403);
        }

        @Test
        void authzInTheOriginalUriQueryWithNamedScopes() throws Exception {
            String tap = a("read:tap");
            HttpResponse<String> response = send(files, "/auth?scope=read:tap", "X-Original-URI",
                    "/tap/sync?authz=Bearer%20" + tap);
            assertThat(response.statusCode()).isEqualTo(200);
        }

        @Test
        void authzInTheOriginalUriQueryWithAnExplicitAuthz() throws Exception {
            HttpResponse<String> response = send(files, "/auth?authz=read", "X-Original-URI",
                    "/files/public/a?authz=Bearer%20" + token, "X-Original-Method", "PUT");
            assertThat(response.statusCode()).isEqualTo(200);
        }

        @Test
        void noTokenWithAnExplicitAuthzIsTheNoErrorChallenge() throws Exception {
            HttpResponse<String> response = send(files, "/auth?authz=read", "X-Original-URI", "/files/public/a");
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(challenge(response)).isEqualTo("Bearer realm=\"tessera\"");
        }

        @Test
        void theHeaderWinsOverTheQuery() throws Exception {
            String other = a("read:/secret");
            HttpResponse<String> response = send(files, "/auth", "Authorization", bearer(token),
                    "X-Original-URI", "/files/public/a?authz=Bearer%20" + other);
            assertThat(response.statusCode()).isEqualTo(200);
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Identity {
        @Test
        void headersOfAnAllowedRequest() throws Exception {
            String token = TokenBuilder.forKey(keyA).profile(Profile.WLCG_1).issuer(issuerA.url()).subject("alice")
                    .audience(AUD).scope("read:/public exec:notebook").group("/cms").group("/cms/uscms")
                    .claim("email", "alice@example.org").claim("uidNumber", 1001).sign();
            HttpResponse<String> response = path(files, "GET", "/files/public/a", token);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.body()).isEmpty();
            assertThat(header(response, "X-Tessera-Decision")).isEqualTo("ok");
            assertThat(header(response, "X-Auth-Request-User")).isEqualTo("alice");
            assertThat(header(response, "X-Auth-Request-Email")).isEqualTo("alice@example.org");
            assertThat(header(response, "X-Auth-Request-Uid")).isEqualTo("1001");
            assertThat(header(response, "X-Auth-Request-Groups")).isEqualTo("/cms,/cms/uscms");
            assertThat(header(response, "X-Auth-Request-Scopes")).isEqualTo("read:/public exec:notebook");
            assertThat(header(response, "X-Auth-Request-Issuer")).isEqualTo(issuerA.url());
            assertThat(header(response, "X-Auth-Request-Token")).isNull();
        }

        @Test
        void scitokensTokensCarryTheIssuerToo() throws Exception {
            HttpResponse<String> response = path(files, "GET", "/files/public/a", a("read:/public"));
            assertThat(header(response, "X-Auth-Request-Issuer")).isEqualTo(issuerA.url());
        }

        @Test
        void absentClaimsGiveNoHeader() throws Exception {
            HttpResponse<String> response = path(files, "GET", "/files/public/a", a("read:/public"));
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(header(response, "X-Auth-Request-Email")).isNull();
            assertThat(header(response, "X-Auth-Request-Uid")).isNull();
            assertThat(header(response, "X-Auth-Request-Groups")).isNull();
            assertThat(header(response, "X-Auth-Request-Token")).isNull();
        }

        @Test
        void uidFromAWholeNumberOrAString() throws Exception {
            assertThat(header(path(files, "GET", "/files/public/a",
                    tokenA("read:/public").claim("uidNumber", 1001.0).sign()), "X-Auth-Request-Uid")).isEqualTo("1001");
            assertThat(header(path(files, "GET", "/files/public/a",
                    tokenA("read:/public").claim("uidNumber", "42").sign()), "X-Auth-Request-Uid")).isEqualTo("42");
        }

        @Test
        void configuredGroupsClaimPassTokenAndMapfile() throws Exception {
            String token = tokenA("read:/public").claim("isMemberOf", List.of("g1", "g2")).sign();
            HttpResponse<String> response = path(custom, "GET", "/files/public/a", token);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(header(response, "X-Auth-Request-Groups")).isEqualTo("g1,g2");
            assertThat(header(response, "X-Auth-Request-User")).isEqualTo("alice_local");
            assertThat(header(response, "X-Auth-Request-Token")).isEqualTo(token);
            // a single string groups claim
            HttpResponse<String> single = path(custom, "GET", "/files/public/a",
                    tokenA("read:/public").claim("isMemberOf", "g3").sign());
            assertThat(header(single, "X-Auth-Request-Groups")).isEqualTo("g3");
        }

        @Test
        void mapfileByGroupAndFallbackToTheClaim() throws Exception {
            String cms = TokenBuilder.forKey(keyA).profile(Profile.WLCG_1).issuer(issuerA.url()).subject("carol")
                    .audience(AUD).scope("read:/public").group("/cms").sign();
            assertThat(header(path(custom, "GET", "/files/public/a", cms), "X-Auth-Request-User")).isEqualTo("cmsuser");
            String dave = TokenBuilder.forKey(keyA).issuer(issuerA.url()).subject("dave").audience(AUD)
                    .scope("read:/public").sign();
            assertThat(header(path(custom, "GET", "/files/public/a", dave), "X-Auth-Request-User")).isEqualTo("dave");
        }

        @Test
        void controlCharactersInClaimsNeverBreakHeaders() throws Exception {
            String token = tokenA("read:/public").claim("email", "alice@example.org\r\nX-Injected: yes")
                    .claim("uidNumber", "1\n2").claim("isMemberOf", List.of("a\r\nSet-Cookie: x=1", "b"))
                    .claim("wlcg.groups-not", "x").sign();
            for (Gateway gateway : List.of(files, custom)) {
                HttpResponse<String> response = path(gateway, "GET", "/files/public/a", token);
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(response.headers().map().keySet()).noneMatch(name -> name.equalsIgnoreCase("X-Injected"))
                        .noneMatch(name -> name.equalsIgnoreCase("Set-Cookie"));
                assertThat(header(response, "X-Auth-Request-Email")).isEqualTo("alice@example.org  X-Injected: yes");
                assertThat(header(response, "X-Auth-Request-Uid")).isEqualTo("1 2");
                assertThat(response.body()).isEmpty();
            assertThat(header(response, "X-Tessera-Decision")).isEqualTo("ok");
            }
            assertThat(header(path(custom, "GET", "/files/public/a", token), "X-Auth-Request-Groups"))
                    .isEqualTo("a  Set-Cookie: x=1,b");
        }

        @Test
        void aHugeClaimIsBounded() throws Exception {
            String token = tokenA("read:/public").claim("email", "x".repeat(5_000)).sign();
            HttpResponse<String> response = path(files, "GET", "/files/public/a", token);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(header(response, "X-Auth-Request-Email")).hasSizeLessThanOrEqualTo(4096);
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Refusals {
        @Test
        void noTokenIsAChallengeWithoutError() throws Exception {
            for (String query : List.of("/auth", "/auth?scope=read:tap")) {
                HttpResponse<String> response = send(files, query, "X-Original-URI", "/files/public/a",
                        "X-Original-Method", "GET");
                assertThat(response.statusCode()).as(query).isEqualTo(401);
                assertThat(challenge(response)).isEqualTo("Bearer realm=\"tessera\"");
                assertThat(header(response, "X-Tessera-Decision")).isNotBlank();
            }
            HttpResponse<String> emptyBearer = send(files, "/auth", "Authorization", "Bearer ",
                    "X-Original-URI", "/files/public/a");
            assertThat(emptyBearer.statusCode()).isEqualTo(401);
            assertThat(challenge(emptyBearer)).isEqualTo("Bearer realm=\"tessera\"");
        }

        @Test
        void aBadTokenIsInvalidToken() throws Exception {
            String good = a("read:/public");
            String tampered = good.substring(0, good.lastIndexOf('.') + 1) + "AAAA" + good.substring(good.lastIndexOf('.') + 5);
            String foreignKey = TokenBuilder.forKey(SigningKey.generate(Algorithm.ES256, "a-1")).issuer(issuerA.url())
                    .subject("alice").audience(AUD).scope("read:/public").sign();
            for (String bad : List.of("not-a-token", "a.b.c", tampered, foreignKey)) {
                HttpResponse<String> response = path(files, "GET", "/files/public/a", bad);
                assertThat(response.statusCode()).as(bad).isEqualTo(401);
                assertThat(challenge(response)).as(bad).startsWith("Bearer realm=\"tessera\", error=\"invalid_token\"");
                assertThat(header(response, "X-Auth-Request-User")).isNull();
            }
        }

        @Test
        void anExpiredTokenIsInvalidToken() throws Exception {
            MutableClock past = new MutableClock(Instant.now().minus(Duration.ofHours(2)));
            String expired = tokenA("read:/public").clock(past).sign();
            HttpResponse<String> response = path(files, "GET", "/files/public/a", expired);
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(challenge(response)).contains("error=\"invalid_token\"").contains("expired");
            HttpResponse<String> named = send(files, "/auth?scope=read:tap", "Authorization", bearer(expired));
            assertThat(named.statusCode()).isEqualTo(401);
        }

        @Test
        void aWrongAudienceIsInvalidToken() throws Exception {
            String other = TokenBuilder.forKey(keyA).issuer(issuerA.url()).subject("alice")
                    .audience("https://elsewhere.example.org").scope("read:/public").sign();
            HttpResponse<String> response = path(files, "GET", "/files/public/a", other);
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(challenge(response)).contains("error=\"invalid_token\"").contains("audience");
        }

        @Test
        void onlyAuthIsAnswered() throws Exception {
            String token = a("read:/public");
            assertThat(send(files, "/other", "Authorization", bearer(token)).statusCode()).isEqualTo(404);
            assertThat(send(files, "/auth/", "Authorization", bearer(token)).statusCode()).isEqualTo(404);
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class OwnResponseOnly {
        @Test
        void theTokenIsNeverEchoedUnlessPassTokenIsSet() throws Exception {
            String token = tokenA("read:/public").claim("email", "alice@example.org").sign();
            String expired = tokenA("read:/public").clock(new MutableClock(Instant.now().minus(Duration.ofHours(2))))
                    .sign();
            List<HttpResponse<String>> responses = List.of(
                    path(files, "GET", "/files/public/a", token),                            // 200
                    path(files, "PUT", "/files/public/a", token),                            // 403
                    path(files, "GET", "/files/public/a", expired),                          // 401
                    path(files, "GET", "/elsewhere", token),                                 // 400
                    send(files, "/auth", "X-Original-URI", "/files/public/a?authz=Bearer%20" + token), // 200
                    send(files, "/auth?scope=read:tap", "Authorization", bearer(token)));    // 403
            assertThat(responses).extracting(HttpResponse::statusCode).containsExactly(200, 403, 401, 400, 200, 403);
            for (HttpResponse<String> response : responses) {
                String secret = response.statusCode() == 401 ? expired : token;
                String signature = secret.substring(secret.lastIndexOf('.') + 1);
                assertThat(response.body()).doesNotContain(signature);
                response.headers().map().forEach((name, values) -> values.forEach(value ->
                        assertThat(value).as(name).doesNotContain(signature)));
                assertThat(response.headers().map().keySet())
                        .allMatch(name -> name.toLowerCase().startsWith("x-auth-request-")
                                || List.of("content-type", "content-length", "date", "www-authenticate", "x-tessera-decision")
                                .contains(name.toLowerCase()), "only its own headers");
            }
        }

        @Test
        void passTokenReturnsExactlyTheCallersToken() throws Exception {
            String token = a("read:/public");
            HttpResponse<String> viaQuery = send(custom, "/auth", "X-Original-URI",
                    "/files/public/a?authz=Bearer%20" + token);
            assertThat(header(viaQuery, "X-Auth-Request-Token")).isEqualTo(token);
            HttpResponse<String> refused = path(custom, "PUT", "/files/public/a", token);
            assertThat(refused.statusCode()).isEqualTo(403);
            assertThat(header(refused, "X-Auth-Request-Token")).isNull();
        }
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Operations {
        @Test
        void healthAndDecisionMetrics() throws Exception {
            Gateway gateway = gateway("metrics", List.of(issuer(issuerA, "/", List.of(), null)), List.of(AUD), "/files",
                    null, false);
            assertThat(send(gateway, "/healthz").body()).isEqualTo("ok\n");
            String token = a("read:/public");
            path(gateway, "GET", "/files/public/a", token);
            path(gateway, "GET", "/files/public/b", token);
            path(gateway, "PUT", "/files/public/a", token);
            send(gateway, "/auth", "X-Original-URI", "/files/public/a");
            path(gateway, "GET", "/files/public/a", "junk.junk.junk");
            path(gateway, "GET", "/nope", token);
            HttpResponse<String> metrics = send(gateway, "/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            Map<String, Double> counts = new LinkedHashMap<>();
            for (String line : metrics.body().split("\n")) {
                if (line.startsWith("tessera_gateway_decisions_seconds_count{")) {
                    String outcome = line.replaceAll(".*outcome=\"([^\"]*)\".*", "$1");
                    counts.put(outcome, Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)));
                }
            }
            assertThat(counts).as(metrics.body()).containsEntry("ok", 2.0).containsEntry("forbidden", 1.0)
                    .containsEntry("unauthenticated", 1.0).containsEntry("invalid_token", 1.0)
                    .containsEntry("bad_request", 1.0);
            assertThat(metrics.body()).doesNotContain(token.substring(token.lastIndexOf('.') + 1));
        }
    }
}
