package dev.tessera.storage;

import static dev.tessera.storage.StorageFixture.AUDIENCE;
import static dev.tessera.storage.StorageFixture.basic;
import static dev.tessera.storage.StorageFixture.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.storage.StorageFixture.Client;
import dev.tessera.storage.StorageFixture.Issuer;
import dev.tessera.storage.StorageFixture.Storage;
import dev.tessera.token.Profile;
import dev.tessera.token.TokenBuilder;
import dev.tessera.token.keys.Algorithm;
import dev.tessera.token.keys.SigningKey;
import dev.tessera.web.TrustedIssuer;
import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every method against every kind of token scope on every kind of path, with the expected status from
 * the rules (read/storage.read: GET, HEAD, PROPFIND; write/storage.modify: PUT, DELETE, MKCOL,
 * MOVE; storage.create: PUT and MKCOL where nothing exists; storage.stage never reads; HEAD and PROPFIND
 * Depth 0 for any storage scope), the challenge of every refusal, and the tree afterwards.
 *
 * <p>The one issuer's base path is {@code /vo}: its scope {@code /data} is {@code ROOT/vo/data}.
 */
class StorageMatrixTest {
    @TempDir
    static Path dir;
    static Issuer issuer;
    static Storage storage;
    static final Map<Grant, String> TOKENS = new EnumMap<>(Grant.class);

    @BeforeAll
    static void start() throws IOException {
        issuer = Issuer.start("/vo-issuer");
        storage = StorageFixture.start(dir, List.of(AUDIENCE), List.of(
                new TrustedIssuer(issuer.url(), "/vo", List.of(), List.of(), null)));
        for (Grant grant : Grant.values()) {
            TOKENS.put(grant, grant.wlcg ? issuer.wlcg(grant.scope) : issuer.scitoken(grant.scope));
        }
    }

    @AfterAll
    static void stop() {
        if (storage != null) {
            storage.close();
        }
        if (issuer != null) {
            issuer.close();
        }
    }

    // ---------------------------------------------------------------- the model

    enum Cap { READ, CREATE, MODIFY, STAGE }

    /** The scopes tried; paths are relative to the issuer's base path {@code /vo}. */
    enum Grant {
        READ_ROOT("read:/", false, EnumSet.of(Cap.READ), "/"),
        WRITE_ROOT("write:/", false, EnumSet.of(Cap.MODIFY), "/"),
        STORAGE_READ_DATA("storage.read:/data", true, EnumSet.of(Cap.READ), "/data"),
        STORAGE_CREATE_UP("storage.create:/data/up", true, EnumSet.of(Cap.CREATE), "/data/up"),
        STORAGE_MODIFY_DATA("storage.modify:/data", true, EnumSet.of(Cap.MODIFY), "/data"),
        STORAGE_STAGE_DATA("storage.stage:/data", true, EnumSet.of(Cap.STAGE), "/data"),
        READ_PUBLIC("read:/public", false, EnumSet.of(Cap.READ), "/public"),
        COMPUTE_CREATE("compute.create", true, EnumSet.noneOf(Cap.class), null),
        OPENID_ONLY("openid", true, EnumSet.noneOf(Cap.class), null);

        final String scope;
        final boolean wlcg;
        final Set<Cap> caps;
        final String path;

        Grant(String scope, boolean wlcg, Set<Cap> caps, String path) {
            this.scope = scope;
            this.wlcg = wlcg;
            this.caps = caps;
            this.path = path;
        }

        /** Whether this scope grants {@code needed} on the served path {@code abs} (no trailing slash). */
        boolean allows(Cap needed, String abs, boolean directory) {
            String rel = relative(abs);
            if (path == null || rel == null) {
                return false;
            }
            boolean held = caps.contains(needed) || needed == Cap.CREATE && caps.contains(Cap.MODIFY);
            if (!held) {
                return false;
            }
            if (path.equals("/") || rel.equals(path) || rel.startsWith(path + "/")) {
                return true;
            }
            // storage.create may make the missing directories above its path (WLCG profile)
            return needed == Cap.CREATE && directory && (rel.equals("/") || path.startsWith(rel + "/"));
        }

        boolean stat(String abs, boolean directory) {
            return allows(Cap.READ, abs, directory) || allows(Cap.CREATE, abs, directory)
                    || allows(Cap.STAGE, abs, directory);
        }

        String scopeName(Cap cap) {
            return switch (cap) {
                case READ, STAGE -> wlcg ? "storage.read" : "read";
                case CREATE -> wlcg ? "storage.create" : "write";
                case MODIFY -> wlcg ? "storage.modify" : "write";
            };
        }
    }

    /** Where the request happens: a directory holding {@code file} and {@code dir/child}. */
    enum Where {
        INSIDE("/vo/data/up"),
        SIBLING_OF_DATA("/vo/database"),
        SIBLING_OF_UP("/vo/data/upload"),
        PARENT("/vo"),
        OUTSIDE_BASE("/elsewhere"),
        PUBLIC("/vo/public"),
        PUBLICITY("/vo/publicity");

        final String dir;

        Where(String dir) {
            this.dir = dir;
        }
    }

    enum Method { GET, HEAD, PUT_NEW, PUT_EXISTING, DELETE, MKCOL, MOVE, COPY, PROPFIND_0, PROPFIND_1 }

    /** {@code abs} relative to the base path {@code /vo}, or {@code null} outside it. */
    static String relative(String abs) {
        return abs.equals("/vo") ? "/" : abs.startsWith("/vo/") ? abs.substring(3) : null;
    }

    /** What should happen: the status and, for a 403, the operation and path whose scope would be needed. */
    record Expect(int status, Cap needed, String neededPath, boolean neededDirectory) {
        static Expect ok(int status) {
            return new Expect(status, null, null, false);
        }

        static Expect denied(Cap cap, String path, boolean directory) {
            return new Expect(403, cap, path, directory);
        }
    }

    static Expect expect(Method method, Grant g, Where w) {
        String file = w.dir + "/file";
        return switch (method) {
            case GET -> g.allows(Cap.READ, file, false) ? Expect.ok(200) : Expect.denied(Cap.READ, file, false);
            case HEAD -> g.stat(file, false) ? Expect.ok(200) : Expect.denied(Cap.READ, file, false);
            case PUT_NEW -> g.allows(Cap.CREATE, w.dir + "/new", false) ? Expect.ok(201)
                    : Expect.denied(Cap.CREATE, w.dir + "/new", false);
            case PUT_EXISTING -> g.allows(Cap.MODIFY, file, false) ? Expect.ok(204) : Expect.denied(Cap.MODIFY, file, false);
            case DELETE -> g.allows(Cap.MODIFY, file, false) ? Expect.ok(204) : Expect.denied(Cap.MODIFY, file, false);
            case MKCOL -> g.allows(Cap.CREATE, w.dir + "/newdir", true) ? Expect.ok(201)
                    : Expect.denied(Cap.CREATE, w.dir + "/newdir", true);
            case MOVE -> !g.allows(Cap.MODIFY, file, false) ? Expect.denied(Cap.MODIFY, file, false)
                    : g.allows(Cap.CREATE, w.dir + "/moved", false) ? Expect.ok(201)
                    : Expect.denied(Cap.CREATE, w.dir + "/moved", false);
            case COPY -> !g.allows(Cap.READ, file, false) ? Expect.denied(Cap.READ, file, false)
                    : g.allows(Cap.CREATE, w.dir + "/copied", false) ? Expect.ok(201)
                    : Expect.denied(Cap.CREATE, w.dir + "/copied", false);
            case PROPFIND_0 -> g.stat(file, false) ? Expect.ok(207) : Expect.denied(Cap.READ, file, false);
            case PROPFIND_1 -> g.stat(w.dir + "/dir", true) && g.allows(Cap.READ, w.dir + "/dir", true) ? Expect.ok(207)
                    : Expect.denied(Cap.READ, w.dir + "/dir", true);
        };
    }

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (Method m : Method.values()) {
            for (Grant g : Grant.values()) {
                for (Where w : Where.values()) {
                    cases.add(Arguments.of(m, g, w));
                }
            }
        }
        return cases.stream();
    }

    // ---------------------------------------------------------------- the tree

    static String original(String dir) {
        return "content of " + dir + "/file\n";
    }

    /** Every {@link Where} directory with {@code file} and {@code dir/child}, nothing else. */
    static void resetTree() throws IOException {
        StorageFixture.deleteTree(storage.root().resolve("vo"));
        StorageFixture.deleteTree(storage.root().resolve("elsewhere"));
        for (Where w : Where.values()) {
            Path d = disk(w.dir);
            StorageFixture.write(d.resolve("file"), original(w.dir));
            StorageFixture.write(d.resolve("dir/child"), "child of " + w.dir + "\n");
        }
    }

    static Path disk(String abs) {
        return storage.root().resolve(abs.substring(1));
    }

    /** Path to content ({@code "<dir>"} for directories) of everything served. */
    static Map<String, String> snapshot() throws IOException {
        Map<String, String> tree = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(storage.root())) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                String rel = "/" + storage.root().relativize(p).toString();
                if (p.equals(storage.root()) || rel.startsWith("/.tessera-")) {
                    continue;
                }
                tree.put(rel, Files.isDirectory(p) ? "<dir>" : Files.readString(p));
            }
        }
        return tree;
    }

    // ---------------------------------------------------------------- the matrix

    @ParameterizedTest(name = "{0} with {1} in {2}")
    @MethodSource("cases")
    void matrix(Method method, Grant grant, Where where) throws IOException {
        resetTree();
        Map<String, String> before = snapshot();
        Client client = storage.client();
        String token = TOKENS.get(grant);
        String d = where.dir;
        String body = "new body from " + grant + "\n";
        HttpResponse<byte[]> response = switch (method) {
            case GET -> client.get(d + "/file", token);
            case HEAD -> client.send("HEAD", d + "/file", token, null);
            case PUT_NEW -> client.put(d + "/new", token, body);
            case PUT_EXISTING -> client.put(d + "/file", token, body);
            case DELETE -> client.send("DELETE", d + "/file", token, null);
            case MKCOL -> client.send("MKCOL", d + "/newdir", token, null);
            case MOVE -> client.send("MOVE", d + "/file", token, null, "Destination", storage.url() + d + "/moved");
            case COPY -> client.send("COPY", d + "/file", token, null, "Destination", storage.url() + d + "/copied");
            case PROPFIND_0 -> client.propfind(d + "/file", token, "0");
            case PROPFIND_1 -> client.propfind(d + "/dir/", token, "1");
        };
        Expect expect = expect(method, grant, where);
        assertThat(response.statusCode()).as("status; body %s", text(response)).isEqualTo(expect.status());

        Map<String, String> after = new TreeMap<>(before);
        if (expect.status() == 403) {
            String challenge = response.headers().firstValue("WWW-Authenticate").orElse("");
            assertThat(challenge).startsWith("Bearer realm=").contains("error=\"insufficient_scope\"");
            String rel = relative(expect.neededPath());
            if (rel == null) {
                assertThat(challenge).as("no scope of this issuer reaches outside its base path").doesNotContain("scope=");
            } else {
                String needed = grant.scopeName(expect.needed()) + ":" + rel + (expect.neededDirectory() ? "/" : "");
                assertThat(challenge).contains("scope=\"" + needed + "\"");
            }
        } else {
            String file = d + "/file";
            switch (method) {
                case GET -> assertThat(text(response)).isEqualTo(original(d));
                case HEAD -> {
                    assertThat(response.body()).isEmpty();
                    assertThat(response.headers().firstValueAsLong("Content-Length"))
                            .hasValue(original(d).getBytes(StandardCharsets.UTF_8).length);
                }
                case PUT_NEW -> after.put(d + "/new", body);
                case PUT_EXISTING -> after.put(file, body);
                case DELETE -> after.remove(file);
                case MKCOL -> after.put(d + "/newdir", "<dir>");
                case MOVE -> {
                    after.remove(file);
                    after.put(d + "/moved", original(d));
                }
                case COPY -> after.put(d + "/copied", original(d));
                case PROPFIND_0 -> assertThat(text(response)).contains("<D:href>" + file + "</D:href>")
                        .doesNotContain("/dir/");
                case PROPFIND_1 -> assertThat(text(response)).contains("<D:href>" + d + "/dir/</D:href>")
                        .contains("<D:href>" + d + "/dir/child</D:href>");
            }
        }
        assertThat(snapshot()).as("the tree after the request").isEqualTo(after);
    }

    // ---------------------------------------------------------------- beyond the grid

    @Test
    void createMayMakeTheMissingParentsOfItsOwnPathButNothingElse() throws IOException {
        resetTree();
        StorageFixture.deleteTree(disk("/vo/data/up"));
        Client client = storage.client();
        String token = issuer.wlcg("storage.create:/data/up/deep");
        assertThat(client.send("MKCOL", "/vo/data/up", token, null).statusCode()).isEqualTo(201);
        assertThat(client.send("MKCOL", "/vo/data/up/deep/", token, null).statusCode()).isEqualTo(201);
        assertThat(client.put("/vo/data/up/deep/f", token, "one").statusCode()).isEqualTo(201);
        HttpResponse<byte[]> again = client.put("/vo/data/up/deep/f", token, "two");
        assertThat(again.statusCode()).isEqualTo(403);
        assertThat(again.headers().firstValue("WWW-Authenticate").orElseThrow())
                .contains("scope=\"storage.modify:/data/up/deep/f\"");
        assertThat(Files.readString(disk("/vo/data/up/deep/f"))).isEqualTo("one");
        // a sibling of an ancestor, or a file where the ancestor directory would be, are not on the way
        assertThat(client.send("MKCOL", "/vo/data/other", token, null).statusCode()).isEqualTo(403);
        assertThat(client.send("MKCOL", "/vo/data/up/deeper", token, null).statusCode()).isEqualTo(403);
        assertThat(client.put("/vo/data/up/x", token, "x").statusCode()).isEqualTo(403);
        assertThat(Files.exists(disk("/vo/data/other"))).isFalse();
        // an existing ancestor: allowed to try, but it exists
        assertThat(client.send("MKCOL", "/vo/data", token, null).statusCode()).isEqualTo(405);
    }

    @Test
    void createOnlyNeverReplacesADestinationOfCopyOrMove() throws IOException {
        resetTree();
        Client client = storage.client();
        String token = issuer.wlcg("storage.read:/data storage.create:/data/up");
        HttpResponse<byte[]> copy = client.send("COPY", "/vo/data/upload/file", token, null,
                "Destination", storage.url() + "/vo/data/up/file");
        assertThat(copy.statusCode()).isEqualTo(403);
        assertThat(copy.headers().firstValue("WWW-Authenticate").orElseThrow())
                .contains("scope=\"storage.modify:/data/up/file\"");
        assertThat(Files.readString(disk("/vo/data/up/file"))).isEqualTo(original("/vo/data/up"));
        assertThat(client.send("COPY", "/vo/data/upload/file", token, null,
                "Destination", storage.url() + "/vo/data/up/fresh").statusCode()).isEqualTo(201);
        assertThat(Files.readString(disk("/vo/data/up/fresh"))).isEqualTo(original("/vo/data/upload"));
    }

    @Test
    void aCreateOnlyUploadNeverReplacesAFileThatAppearedWhileItRan() throws Exception {
        resetTree();
        String createOnly = TOKENS.get(Grant.STORAGE_CREATE_UP);
        try (javax.net.ssl.SSLSocket socket = storage.raw().open()) {
            java.io.OutputStream out = socket.getOutputStream();
            out.write(("PUT /vo/data/up/contested HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + createOnly
                    + "\r\nConnection: close\r\nContent-Length: 20\r\n\r\nfirst half").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertThat(StorageFixture.eventually(Duration.ofSeconds(20),
                    () -> !StorageFixture.names(storage.staging()).isEmpty())).as("upload under way").isTrue();
            assertThat(storage.client().put("/vo/data/up/contested", TOKENS.get(Grant.WRITE_ROOT), "the winner")
                    .statusCode()).isEqualTo(201);
            out.write("secondhalf".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            StorageFixture.RawResponse response = StorageFixture.Raw.read(socket.getInputStream());
            assertThat(response.status()).isIn(403, 412);
        }
        assertThat(disk("/vo/data/up/contested")).hasContent("the winner");
        assertThat(StorageFixture.eventually(Duration.ofSeconds(10),
                () -> StorageFixture.names(storage.staging()).isEmpty())).isTrue();
    }

    @Test
    void modifyMayReplaceAMoveDestinationUnlessOverwriteIsF() throws IOException {
        resetTree();
        Client client = storage.client();
        String token = TOKENS.get(Grant.STORAGE_MODIFY_DATA);
        assertThat(client.send("MOVE", "/vo/data/up/file", token, null, "Destination",
                storage.url() + "/vo/data/upload/file", "Overwrite", "F").statusCode()).isEqualTo(412);
        assertThat(Files.readString(disk("/vo/data/up/file"))).isEqualTo(original("/vo/data/up"));
        assertThat(client.send("MOVE", "/vo/data/up/file", token, null, "Destination",
                storage.url() + "/vo/data/upload/file").statusCode()).isEqualTo(204);
        assertThat(Files.readString(disk("/vo/data/upload/file"))).isEqualTo(original("/vo/data/up"));
        assertThat(disk("/vo/data/up/file")).doesNotExist();
    }

    @Test
    void notFoundAndConflictsForThoseAllowedToAsk() throws IOException {
        resetTree();
        Client client = storage.client();
        String read = TOKENS.get(Grant.READ_ROOT);
        String write = TOKENS.get(Grant.WRITE_ROOT);
        assertThat(client.get("/vo/data/missing", read).statusCode()).isEqualTo(404);
        assertThat(client.propfind("/vo/data/missing", read, "0").statusCode()).isEqualTo(404);
        assertThat(client.put("/vo/nowhere/f", write, "x").statusCode()).isEqualTo(409);
        assertThat(client.send("MKCOL", "/vo/nowhere/d", write, null).statusCode()).isEqualTo(409);
        assertThat(client.send("MKCOL", "/vo/data/up/dir", write, null).statusCode()).isEqualTo(405);
        assertThat(client.send("DELETE", "/vo/data/missing", write, null).statusCode()).isEqualTo(404);
        assertThat(client.send("MOVE", "/vo/data/missing", write, null, "Destination",
                storage.url() + "/vo/data/moved").statusCode()).isEqualTo(404);
        assertThat(client.put("/vo/data/up/dir", write, "x").statusCode()).isEqualTo(409);
        assertThat(client.put("/vo/data/up/f/", write, "x").statusCode()).isEqualTo(409);
        assertThat(client.send("MOVE", "/vo/data/up/file", write, null).statusCode()).as("no Destination").isEqualTo(400);
        assertThat(disk("/vo/nowhere")).doesNotExist();
    }

    @Test
    void thoseNotAllowedLearnNothingAboutMissingFiles() throws IOException {
        resetTree();
        Client client = storage.client();
        String token = TOKENS.get(Grant.STORAGE_READ_DATA);
        assertThat(client.get("/vo/database/missing", token).statusCode()).isEqualTo(403);
        assertThat(client.send("DELETE", "/vo/database/missing", token, null).statusCode()).isEqualTo(403);
        assertThat(client.propfind("/vo/database/missing", token, "0").statusCode()).isEqualTo(403);
    }

    @Test
    void putOntoADirectoryIsRefusedByScopeBeforeItsExistenceShows() throws IOException {
        resetTree();
        Client client = storage.client();
        for (Grant grant : List.of(Grant.OPENID_ONLY, Grant.STORAGE_READ_DATA)) {
            HttpResponse<byte[]> existingDir = client.put("/vo/database/dir", TOKENS.get(grant), "x");
            HttpResponse<byte[]> missing = client.put("/vo/database/nothing", TOKENS.get(grant), "x");
            assertThat(missing.statusCode()).isEqualTo(403);
            assertThat(existingDir.statusCode()).as(grant + ": same answer as for a missing path").isEqualTo(403);
        }
    }

    // ---------------------------------------------------------------- credentials and challenges

    @Test
    void noTokenIsA401ChallengeWithoutAnError() throws IOException {
        resetTree();
        for (String method : List.of("GET", "HEAD", "PUT", "DELETE", "MKCOL", "PROPFIND")) {
            HttpResponse<byte[]> response = storage.client().send(method, "/vo/data/up/file", null, null);
            assertThat(response.statusCode()).as(method).isEqualTo(401);
            // Basic first (WebDAV clients answer it with the token as password), then RFC 6750's Bearer
            assertThat(response.headers().allValues("WWW-Authenticate")).as(method)
                    .containsExactly("Basic realm=\"tessera\"", "Bearer realm=\"tessera\"");
        }
        assertThat(Files.readString(disk("/vo/data/up/file"))).isEqualTo(original("/vo/data/up"));
    }

    @Test
    void refusedTokensAreA401InvalidToken() throws IOException {
        resetTree();
        SigningKey unpublished = SigningKey.generate(Algorithm.ES256, "unpublished");
        Clock hourAgo = Clock.fixed(Instant.now().minus(Duration.ofHours(2)), ZoneOffset.UTC);
        Map<String, String> refused = Map.of(
                "garbage", "not.a.token",
                "expired", issuer.builder().scope("read:/").clock(hourAgo).lifetime(Duration.ofMinutes(10)).sign(),
                "wrong audience", TokenBuilder.forKey(issuer.key()).issuer(issuer.url()).audience("https://other.example")
                        .scope("read:/").sign(),
                "unknown signing key", TokenBuilder.forKey(unpublished).issuer(issuer.url()).audience(AUDIENCE)
                        .scope("read:/").sign(),
                "untrusted issuer", TokenBuilder.forKey(issuer.key()).issuer("https://localhost:1/untrusted")
                        .audience(AUDIENCE).scope("read:/").sign(),
                "tampered", tamper(issuer.scitoken("read:/data")));
        for (Map.Entry<String, String> e : refused.entrySet()) {
            HttpResponse<byte[]> response = storage.client().get("/vo/data/up/file", e.getValue());
            assertThat(response.statusCode()).as(e.getKey()).isEqualTo(401);
            assertThat(response.headers().firstValue("WWW-Authenticate").orElseThrow()).as(e.getKey())
                    .startsWith("Bearer realm=").contains("error=\"invalid_token\"");
            assertThat(text(response)).as(e.getKey()).doesNotContain(e.getValue());
        }
    }

    /** The payload's scope widened from {@code read:/data} to {@code read:/}, the signature kept. */
    private static String tamper(String token) {
        String[] parts = token.split("\\.");
        var decoder = java.util.Base64.getUrlDecoder();
        String payload = new String(decoder.decode(parts[1]), StandardCharsets.UTF_8).replace("read:/data", "read:/");
        return parts[0] + "." + java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString(payload.getBytes(StandardCharsets.UTF_8)) + "." + parts[2];
    }

    @Test
    void everyCarrierOfTheTokenWorks() throws IOException {
        resetTree();
        String token = issuer.scitoken("read:/data");
        Client client = storage.client();
        String query = "?authz=" + URLEncoder.encode("Bearer " + token, StandardCharsets.UTF_8).replace("+", "%20");
        Map<String, HttpResponse<byte[]>> carriers = Map.of(
                "Authorization: Bearer", client.get("/vo/data/up/file", null, "Authorization", "Bearer " + token),
                "lower-case bearer", client.get("/vo/data/up/file", null, "Authorization", "bearer " + token),
                "?authz=Bearer%20", client.get("/vo/data/up/file" + query, null),
                "?authz= without the scheme", client.get("/vo/data/up/file?authz=" + token, null),
                "Basic token:x-oauth-basic", client.get("/vo/data/up/file", null, "Authorization", basic(token, "x-oauth-basic")),
                "Basic x-oauth-basic:token", client.get("/vo/data/up/file", null, "Authorization", basic("x-oauth-basic", token)),
                "Basic :token", client.get("/vo/data/up/file", null, "Authorization", basic("", token)));
        for (Map.Entry<String, HttpResponse<byte[]>> e : carriers.entrySet()) {
            assertThat(e.getValue().statusCode()).as(e.getKey()).isEqualTo(200);
            assertThat(text(e.getValue())).as(e.getKey()).isEqualTo(original("/vo/data/up"));
        }
        // the carriers carry the token's limits too
        HttpResponse<byte[]> sibling = client.get("/vo/database/file" + query, null);
        assertThat(sibling.statusCode()).isEqualTo(403);
        assertThat(sibling.headers().firstValue("WWW-Authenticate").orElseThrow())
                .contains("error=\"insufficient_scope\"").contains("scope=\"read:/database/file\"");
        assertThat(client.get("/vo/database/file", null, "Authorization", basic(token, "x-oauth-basic")).statusCode())
                .isEqualTo(403);
        // Basic with a password and no token is no token at all
        HttpResponse<byte[]> password = client.get("/vo/data/up/file", null, "Authorization", basic("alice", "secret"));
        assertThat(password.statusCode()).isEqualTo(401);
        assertThat(password.headers().firstValue("WWW-Authenticate").orElseThrow()).doesNotContain("error=");
    }

    @Test
    void wlcgTokensAreToldTheWlcgScopeAndSciTokensTheSciTokensOne() throws IOException {
        resetTree();
        HttpResponse<byte[]> wlcg = storage.client().put("/vo/data/up/file", issuer.wlcg("storage.read:/"), "x");
        assertThat(wlcg.headers().firstValue("WWW-Authenticate").orElseThrow())
                .contains("scope=\"storage.modify:/data/up/file\"");
        HttpResponse<byte[]> sci = storage.client().put("/vo/data/up/file", issuer.builder().profile(Profile.SCITOKENS_2)
                .scope("read:/").sign(), "x");
        assertThat(sci.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("scope=\"write:/data/up/file\"");
    }
}
