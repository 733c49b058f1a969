package dev.tessera.storage;

import static dev.tessera.storage.StorageFixture.AUDIENCE;
import static dev.tessera.storage.StorageFixture.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tessera.storage.StorageFixture.Client;
import dev.tessera.storage.StorageFixture.Issuer;
import dev.tessera.storage.StorageFixture.Raw;
import dev.tessera.storage.StorageFixture.RawResponse;
import dev.tessera.storage.StorageFixture.Storage;
import dev.tessera.token.Profile;
import dev.tessera.token.TokenBuilder;
import dev.tessera.web.TrustedIssuer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;

/**
 * Paths: traversal and encodings in request paths, names that need encoding, symbolic links, the
 * service's own {@code .tessera-*} names, several issuers with their own base paths, audiences and
 * restricted paths, and the mapfile's owner.
 *
 * <p>Issuers: {@code vo} (base {@code /vo}, the service's audience, a mapfile), {@code a} (base
 * {@code /a}, only audience {@code https://a.tessera.test}), {@code b} (base {@code /b}, the service's
 * audience), {@code r} (base {@code /r}, restricted to {@code /r/frames}), {@code whole} (base {@code /}).
 */
class StoragePathTest {
    static final String AUDIENCE_A = "https://a.tessera.test";

    @TempDir
    static Path dir;
    static Issuer vo;
    static Issuer a;
    static Issuer b;
    static Issuer r;
    static Issuer whole;
    static Storage storage;
    static Path outside;

    @BeforeAll
    static void start() throws IOException {
        vo = Issuer.start("/vo");
        a = Issuer.start("/a");
        b = Issuer.start("/b");
        r = Issuer.start("/r");
        whole = Issuer.start("/whole");
        Path mapfile = Files.writeString(dir.resolve("vo-map.json"),
                "[{\"sub\": \"alice\", \"result\": \"alice_local\"}, {\"group\": \"/vo/prod\", \"result\": \"vo_prod\"}]");
        storage = StorageFixture.start(dir, List.of(AUDIENCE), List.of(
                new TrustedIssuer(vo.url(), "/vo", List.of(), List.of(), mapfile),
                new TrustedIssuer(a.url(), "/a", List.of(AUDIENCE_A), List.of(), null),
                new TrustedIssuer(b.url(), "/b", List.of(), List.of(), null),
                new TrustedIssuer(r.url(), "/r", List.of(), List.of("/r/frames"), null),
                new TrustedIssuer(whole.url(), "/", List.of(), List.of(), null)));
        outside = Files.createDirectories(dir.resolve("outside"));
    }

    @AfterAll
    static void stop() {
        if (storage != null) {
            storage.close();
        }
        for (Issuer issuer : new Issuer[] {vo, a, b, r, whole}) {
            if (issuer != null) {
                issuer.close();
            }
        }
    }

    @BeforeEach
    void resetTree() throws IOException {
        for (String name : StorageFixture.names(storage.root())) {
            if (!name.equals(".tessera-staging")) {
                StorageFixture.deleteTree(storage.root().resolve(name));
            }
        }
        StorageFixture.deleteTree(outside);
        StorageFixture.write(outside.resolve("secret"), "outside the root\n");
        StorageFixture.write(disk("/vo/secret"), "vo secret\n");
        StorageFixture.write(disk("/vo/data/f"), "data f\n");
        StorageFixture.write(disk("/vo/database/f"), "database f\n");
    }

    static Path disk(String abs) {
        return storage.root().resolve(abs.substring(1));
    }

    static Raw raw() {
        return storage.raw();
    }

    // ---------------------------------------------------------------- traversal

    @Test
    void dotDotIsResolvedBeforeTheCheckSoItCannotLeaveTheGrantedPath() throws IOException {
        String data = vo.scitoken("read:/data");
        for (String target : List.of("/vo/data/../secret", "/vo/data/./../secret",
                "/vo/data/sub/../../secret", "/vo/data/a;b/../../secret")) {
            RawResponse response = raw().request("GET", target, data);
            assertThat(response.status()).as(target).isEqualTo(403);
            assertThat(response.header("WWW-Authenticate")).as(target).contains("scope=\"read:/secret\"");
            assertThat(response.text()).as(target).doesNotContain("vo secret");
        }
        // the path checked is the path opened: with the right scope, the same request reads /vo/secret
        RawResponse allowed = raw().request("GET", "/vo/data/../secret", vo.scitoken("read:/secret"));
        assertThat(allowed.status()).isEqualTo(200);
        assertThat(allowed.text()).isEqualTo("vo secret\n");
        // encoded dots are decoded once, then resolved, or refused outright as ambiguous
        for (String target : List.of("/vo/data/%2e%2e/secret", "/vo/data/%2E%2E/secret", "/vo/data/.%2e/secret",
                "/vo/data/%2e%2e%2fsecret", "/vo/data//../secret", "/vo/data/%252e%252e/secret", "/vo/data/%252e%252e/%252e%252e/vo/secret")) {
            RawResponse response = raw().request("GET", target, data);
            assertThat(response.status()).as(target).isIn(400, 403, 404);
            assertThat(response.text()).as(target).doesNotContain("vo secret");
        }
    }

    @Test
    void dotDotThatStaysInsideTheGrantIsTheSameFileAsWithout() throws IOException {
        RawResponse response = raw().request("GET", "/vo/data/sub/../f", vo.scitoken("read:/data"));
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.text()).isEqualTo("data f\n");
    }

    @Test
    void climbingAboveTheRootIsABadRequest() throws IOException {
        String all = whole.scitoken("read:/");
        for (String target : List.of("/../outside/secret", "/vo/../../outside/secret", "/%2e%2e/outside/secret",
                "/vo/%2e%2e/%2e%2e/outside/secret")) {
            RawResponse response = raw().request("GET", target, all);
            assertThat(response.status()).as(target).isEqualTo(400);
            assertThat(response.text()).as(target).doesNotContain("outside the root");
        }
    }

    @Test
    void encodedSlashesDoNotReachASiblingOrParent() throws IOException {
        String data = vo.scitoken("read:/data");
        for (String target : List.of("/vo/data%2F..%2Fsecret", "/vo/data/..%2Fsecret", "/vo/data%2f..%2fdatabase%2ff",
                "/vo/data/..%5Csecret", "/vo/data%5C..%5Csecret")) {
            RawResponse response = raw().request("GET", target, data);
            assertThat(response.status()).as(target).isIn(400, 403, 404);
            assertThat(response.text()).as(target).doesNotContain("secret\n").doesNotContain("database f");
        }
    }

    @Test
    void doubleEncodingIsDecodedOnceAndIsALiteralName() throws IOException {
        Client client = storage.client();
        String token = vo.scitoken("read:/data write:/data");
        assertThat(client.put("/vo/data/%252e%252e", token, "literal").statusCode()).isEqualTo(201);
        assertThat(Files.readString(disk("/vo/data/%2e%2e"))).isEqualTo("literal");
        assertThat(text(client.get("/vo/data/%252e%252e", token))).isEqualTo("literal");
        assertThat(client.put("/vo/data/100%25%20sure", token, "sure").statusCode()).isEqualTo(201);
        assertThat(disk("/vo/data/100% sure")).hasContent("sure");
        assertThat(Files.readString(disk("/vo/secret"))).isEqualTo("vo secret\n");
        // the listing names them as they are, encoded once more
        List<String> hrefs = hrefs(client.propfind("/vo/data/", token, "1"));
        assertThat(hrefs).contains("/vo/data/%252e%252e", "/vo/data/100%25%20sure");
    }

    // ---------------------------------------------------------------- names

    static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Test
    void namesWithSpacesAndUtf8RoundTripThroughPutGetAndPropfind() throws Exception {
        Client client = storage.client();
        String token = vo.scitoken("read:/data write:/data");
        List<String> names = List.of("hello world.txt", "naïve ünïcødé 日本 ✓.dat", "a+b&c=d;e,f'g(h)@x:y",
                "#hash?query", "<tag>\"quoted\"");
        assertThat(client.send("MKCOL", "/vo/data/" + encode("my dir"), token, null).statusCode()).isEqualTo(201);
        for (String name : names) {
            String path = "/vo/data/" + encode("my dir") + "/" + encode(name);
            assertThat(client.put(path, token, "content of " + name).statusCode()).as(name).isEqualTo(201);
            assertThat(disk("/vo/data/my dir").resolve(name)).as(name).hasContent("content of " + name);
            assertThat(text(client.get(path, token))).as(name).isEqualTo("content of " + name);
            List<String> self = hrefs(client.propfind(path, token, "0"));
            assertThat(self).hasSize(1);
            assertThat(decode(self.get(0))).as(name).isEqualTo("/vo/data/my dir/" + name);
        }
        HttpResponse<byte[]> listing = client.propfind("/vo/data/" + encode("my dir") + "/", token, "1");
        assertThat(listing.statusCode()).isEqualTo(207);
        List<String> decoded = hrefs(listing).stream().map(StoragePathTest::decode).toList();
        assertThat(decoded.get(0)).isEqualTo("/vo/data/my dir/");
        assertThat(decoded.subList(1, decoded.size()))
                .containsExactlyInAnyOrderElementsOf(names.stream().map(n -> "/vo/data/my dir/" + n).toList());
        assertThat(displayNames(listing)).containsAll(names);
        // MOVE to an encoded destination, and the HTML listing links to the encoded names
        String from = "/vo/data/" + encode("my dir") + "/" + encode("hello world.txt");
        assertThat(client.send("MOVE", from, token, null, "Destination",
                storage.url() + "/vo/data/" + encode("my dir") + "/" + encode("bye wörld.txt")).statusCode()).isEqualTo(201);
        assertThat(disk("/vo/data/my dir/bye wörld.txt")).hasContent("content of hello world.txt");
        String html = text(client.get("/vo/data/" + encode("my dir") + "/", token));
        assertThat(html).contains("href=\"bye%20w%C3%B6rld.txt\"").contains("&lt;tag&gt;&quot;quoted&quot;")
                .doesNotContain("<tag>");
    }

    static String decode(String href) {
        return URLDecoder.decode(href.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    static Document xml(HttpResponse<byte[]> response) throws IOException {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            return factory.newDocumentBuilder().parse(new ByteArrayInputStream(response.body()));
        } catch (Exception e) {
            throw new IOException("not XML: " + text(response), e);
        }
    }

    static List<String> hrefs(HttpResponse<byte[]> response) {
        return elements(response, "href");
    }

    static List<String> displayNames(HttpResponse<byte[]> response) {
        return elements(response, "displayname");
    }

    static List<String> elements(HttpResponse<byte[]> response, String name) {
        assertThat(response.statusCode()).as(text(response)).isEqualTo(207);
        try {
            NodeList nodes = xml(response).getElementsByTagNameNS("DAV:", name);
            List<String> values = new ArrayList<>();
            for (int i = 0; i < nodes.getLength(); i++) {
                values.add(nodes.item(i).getTextContent());
            }
            return values;
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    // ---------------------------------------------------------------- symbolic links

    @Test
    void linksLeavingTheRootAreRefused() throws IOException {
        Files.createSymbolicLink(disk("/vo/data/out"), outside);
        Files.createSymbolicLink(disk("/vo/data/outfile"), outside.resolve("secret"));
        Client client = storage.client();
        String token = vo.scitoken("read:/ write:/");
        for (String path : List.of("/vo/data/out/secret", "/vo/data/outfile", "/vo/data/out/")) {
            HttpResponse<byte[]> get = client.get(path, token);
            assertThat(get.statusCode()).as(path).isEqualTo(403);
            assertThat(text(get)).as(path).doesNotContain("outside the root");
            assertThat(client.send("HEAD", path, token, null).statusCode()).as(path).isEqualTo(403);
            assertThat(client.propfind(path, token, "0").statusCode()).as(path).isEqualTo(403);
        }
        assertThat(client.put("/vo/data/out/new", token, "x").statusCode()).isEqualTo(403);
        assertThat(client.put("/vo/data/outfile", token, "x").statusCode()).isEqualTo(403);
        assertThat(client.send("MKCOL", "/vo/data/out/newdir", token, null).statusCode()).isEqualTo(403);
        assertThat(client.send("DELETE", "/vo/data/out/secret", token, null).statusCode()).isEqualTo(403);
        assertThat(client.send("COPY", "/vo/data/outfile", token, null, "Destination",
                storage.url() + "/vo/data/stolen").statusCode()).isEqualTo(403);
        assertThat(client.send("MOVE", "/vo/data/f", token, null, "Destination",
                storage.url() + "/vo/data/out/planted").statusCode()).isEqualTo(403);
        assertThat(client.send("COPY", "/vo/data/f", token, null, "Destination",
                storage.url() + "/vo/data/out/planted").statusCode()).isEqualTo(403);
        assertThat(StorageFixture.names(outside)).containsExactly("secret");
        assertThat(outside.resolve("secret")).hasContent("outside the root");
        assertThat(disk("/vo/data/stolen")).doesNotExist();
        assertThat(disk("/vo/data/f")).hasContent("data f");
    }

    @Test
    void linksStayingInsideTheRootWork() throws IOException {
        StorageFixture.write(disk("/vo/real/g"), "real g\n");
        Files.createSymbolicLink(disk("/vo/data/in"), disk("/vo/real"));
        Files.createSymbolicLink(disk("/vo/data/alias"), Path.of("f")); // relative, same directory
        Client client = storage.client();
        String token = vo.scitoken("read:/data write:/data");
        assertThat(text(client.get("/vo/data/in/g", token))).isEqualTo("real g\n");
        assertThat(text(client.get("/vo/data/alias", token))).isEqualTo("data f\n");
        assertThat(client.put("/vo/data/in/h", token, "through the link").statusCode()).isEqualTo(201);
        assertThat(disk("/vo/real/h")).hasContent("through the link");
        assertThat(hrefs(client.propfind("/vo/data/in/", token, "1"))).contains("/vo/data/in/g", "/vo/data/in/h");
    }

    @Test
    void aBadLinkDoesNotHideTheRestOfItsDirectory() throws IOException {
        Files.createSymbolicLink(disk("/vo/data/out"), outside);
        Files.createSymbolicLink(disk("/vo/data/dangling"), disk("/vo/nothing-here"));
        Client client = storage.client();
        String token = vo.scitoken("read:/data");
        HttpResponse<byte[]> listing = client.propfind("/vo/data/", token, "1");
        assertThat(listing.statusCode()).isEqualTo(207);
        assertThat(hrefs(listing)).contains("/vo/data/f").doesNotContain("/vo/data/out/secret");
        assertThat(text(listing)).doesNotContain("outside the root");
        assertThat(client.get("/vo/data/", token).statusCode()).isEqualTo(200);
    }

    @Test
    void aLinkIntoTheServicesOwnDirectoryIsNotFollowed() throws IOException {
        Files.createSymbolicLink(disk("/vo/data/peek"), storage.staging());
        Path leftover = Files.writeString(storage.staging().resolve("upload-peek.part"), "someone's half upload");
        try {
            Client client = storage.client();
            String token = vo.scitoken("read:/data");
            assertThat(client.get("/vo/data/peek/upload-peek.part", token).statusCode()).isIn(403, 404);
            assertThat(client.get("/vo/data/peek/", token).statusCode()).isIn(403, 404);
            assertThat(client.propfind("/vo/data/peek/", token, "1").statusCode()).isIn(403, 404);
        } finally {
            Files.deleteIfExists(leftover);
        }
    }

    // ---------------------------------------------------------------- the service's own names

    @Test
    void theServicesOwnNamesAreNeverServedOrListed() throws IOException {
        StorageFixture.write(disk("/vo/data/.tessera-private"), "mine\n");
        Files.createDirectories(disk("/vo/data/.tessera-dir"));
        Client client = storage.client();
        String token = whole.scitoken("read:/ write:/");
        for (String path : List.of("/.tessera-staging/", "/.tessera-staging", "/%2Etessera-staging/",
                "/vo/data/.tessera-private", "/vo/data/%2etessera-private", "/vo/data/.tessera-dir/")) {
            assertThat(client.get(path, token).statusCode()).as("GET " + path).isEqualTo(404);
            assertThat(client.send("HEAD", path, token, null).statusCode()).as("HEAD " + path).isEqualTo(404);
            assertThat(client.propfind(path, token, "0").statusCode()).as("PROPFIND " + path).isEqualTo(404);
            assertThat(client.send("DELETE", path, token, null).statusCode()).as("DELETE " + path).isEqualTo(404);
        }
        assertThat(client.put("/.tessera-staging/planted", token, "x").statusCode()).isEqualTo(404);
        assertThat(client.put("/vo/data/.tessera-new", token, "x").statusCode()).isEqualTo(404);
        assertThat(client.send("MKCOL", "/vo/.tessera-dir", token, null).statusCode()).isEqualTo(404);
        assertThat(client.send("MOVE", "/vo/data/f", token, null, "Destination",
                storage.url() + "/.tessera-staging/f").statusCode()).isEqualTo(404);
        assertThat(client.send("COPY", "/vo/data/f", token, null, "Destination",
                storage.url() + "/vo/.tessera-copy").statusCode()).isEqualTo(404);
        assertThat(client.send("MOVE", "/vo/data/.tessera-private", token, null, "Destination",
                storage.url() + "/vo/data/public").statusCode()).isEqualTo(404);
        assertThat(Files.isDirectory(storage.staging())).isTrue();
        assertThat(disk("/vo/data/.tessera-private")).hasContent("mine");
        assertThat(disk("/vo/data/f")).hasContent("data f");
        assertThat(disk("/vo/.tessera-copy")).doesNotExist();

        List<String> rootListing = hrefs(client.propfind("/", token, "1"));
        assertThat(rootListing).noneMatch(h -> h.contains("tessera-"));
        assertThat(hrefs(client.propfind("/vo/data/", token, "1"))).noneMatch(h -> h.contains("tessera-"));
        assertThat(text(client.get("/", token))).doesNotContain("tessera-");
        assertThat(text(client.get("/vo/data/", token))).doesNotContain("tessera-");
    }

    // ---------------------------------------------------------------- several issuers

    @Test
    void twoIssuersWithDifferentBasePathsEachStayInTheirOwnTree() throws IOException {
        StorageFixture.write(disk("/a/x"), "a x\n");
        StorageFixture.write(disk("/b/x"), "b x\n");
        Client client = storage.client();
        String aToken = a.builder().audience(AUDIENCE_A).profile(Profile.WLCG_1)
                .scope("storage.read:/ storage.modify:/").sign();
        String bToken = b.wlcg("storage.read:/x");
        // the same scope path means a different directory for each issuer
        assertThat(text(client.get("/a/x", aToken))).isEqualTo("a x\n");
        assertThat(text(client.get("/b/x", bToken))).isEqualTo("b x\n");
        for (String path : List.of("/b/x", "/vo/secret", "/x", "/ab/x", "/a-b/x")) {
            HttpResponse<byte[]> response = client.get(path, aToken);
            assertThat(response.statusCode()).as(path).isEqualTo(403);
            assertThat(response.headers().firstValue("WWW-Authenticate").orElseThrow()).as(path)
                    .contains("error=\"insufficient_scope\"").doesNotContain("scope=");
        }
        assertThat(client.put("/b/x", aToken, "overwritten by a").statusCode()).isEqualTo(403);
        assertThat(client.send("DELETE", "/b/x", aToken, null).statusCode()).isEqualTo(403);
        assertThat(client.send("MOVE", "/a/x", aToken, null, "Destination", storage.url() + "/b/y").statusCode())
                .isEqualTo(403);
        assertThat(client.send("COPY", "/b/x", aToken, null, "Destination", storage.url() + "/a/y").statusCode())
                .isEqualTo(403);
        assertThat(client.get("/a/x", bToken).statusCode()).isEqualTo(403);
        assertThat(disk("/b/x")).hasContent("b x");
        assertThat(disk("/a/x")).hasContent("a x");
        assertThat(disk("/a/y")).doesNotExist();
        assertThat(disk("/b/y")).doesNotExist();
        // the scope a 403 names is in the issuer's own terms
        HttpResponse<byte[]> needed = client.get("/b/y", bToken);
        assertThat(needed.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("scope=\"storage.read:/y\"");
        // the same relative scope from another issuer is not a key to this tree
        assertThat(client.get("/b/x", vo.wlcg("storage.read:/x")).statusCode()).isEqualTo(403);
    }

    @Test
    void eachIssuerHasItsOwnAudiences() throws IOException {
        StorageFixture.write(disk("/a/x"), "a x\n");
        StorageFixture.write(disk("/b/x"), "b x\n");
        Client client = storage.client();
        String aForA = TokenBuilder.forKey(a.key()).issuer(a.url()).audience(AUDIENCE_A).scope("read:/").sign();
        String aForService = TokenBuilder.forKey(a.key()).issuer(a.url()).audience(AUDIENCE).scope("read:/").sign();
        String bForService = TokenBuilder.forKey(b.key()).issuer(b.url()).audience(AUDIENCE).scope("read:/").sign();
        String bForA = TokenBuilder.forKey(b.key()).issuer(b.url()).audience(AUDIENCE_A).scope("read:/").sign();
        String aForBoth = TokenBuilder.forKey(a.key()).issuer(a.url()).audience("https://elsewhere.example")
                .audience(AUDIENCE_A).scope("read:/").sign();
        assertThat(client.get("/a/x", aForA).statusCode()).isEqualTo(200);
        assertThat(client.get("/a/x", aForBoth).statusCode()).isEqualTo(200);
        assertThat(client.get("/b/x", bForService).statusCode()).isEqualTo(200);
        for (String refused : List.of(aForService, bForA)) {
            HttpResponse<byte[]> response = client.get(refused == aForService ? "/a/x" : "/b/x", refused);
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(response.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("error=\"invalid_token\"");
        }
    }

    @Test
    void restrictedPathsBoundWhatAnIssuerMayGrant() throws IOException {
        StorageFixture.write(disk("/r/frames/f1"), "frame 1\n");
        StorageFixture.write(disk("/r/other/o"), "other\n");
        StorageFixture.write(disk("/r/framesets/s"), "sibling\n");
        Client client = storage.client();
        String token = r.scitoken("read:/ write:/");
        assertThat(text(client.get("/r/frames/f1", token))).isEqualTo("frame 1\n");
        assertThat(client.put("/r/frames/f2", token, "frame 2").statusCode()).isEqualTo(201);
        assertThat(client.get("/r/other/o", token).statusCode()).isEqualTo(403);
        assertThat(client.get("/r/framesets/s", token).statusCode()).isEqualTo(403);
        assertThat(client.put("/r/other/new", token, "x").statusCode()).isEqualTo(403);
        assertThat(client.send("DELETE", "/r/other/o", token, null).statusCode()).isEqualTo(403);
        assertThat(client.send("MOVE", "/r/frames/f1", token, null, "Destination",
                storage.url() + "/r/other/f1").statusCode()).isEqualTo(403);
        assertThat(raw().request("GET", "/r/frames/../other/o", token).status()).isIn(400, 403);
        assertThat(disk("/r/other/new")).doesNotExist();
        assertThat(disk("/r/other/o")).hasContent("other");
        assertThat(disk("/r/frames/f1")).hasContent("frame 1");
    }

    // ---------------------------------------------------------------- the mapfile

    static boolean userXattrs(Path file) {
        UserDefinedFileAttributeView view = Files.getFileAttributeView(file, UserDefinedFileAttributeView.class);
        if (view == null) {
            return false;
        }
        try {
            view.write("tessera.probe", StandardCharsets.UTF_8.encode("1"));
            view.delete("tessera.probe");
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    static String owner(Path file) throws IOException {
        UserDefinedFileAttributeView view = Files.getFileAttributeView(file, UserDefinedFileAttributeView.class);
        if (!view.list().contains("tessera.owner")) {
            return null;
        }
        ByteBuffer buffer = ByteBuffer.allocate(view.size("tessera.owner"));
        view.read("tessera.owner", buffer);
        return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
    }

    @Test
    void theMapfileNamesTheOwnerOfCreatedFiles() throws IOException {
        Client client = storage.client();
        String alice = vo.builder().profile(Profile.WLCG_1).scope("storage.modify:/data").sign();
        String bob = vo.builder().profile(Profile.WLCG_1).subject("bob").group("/vo/prod").scope("storage.modify:/data").sign();
        String carol = vo.builder().profile(Profile.WLCG_1).subject("carol").scope("storage.modify:/data").sign();
        assertThat(client.put("/vo/data/by-alice", alice, "a").statusCode()).isEqualTo(201);
        assertThat(client.put("/vo/data/by-bob", bob, "b").statusCode()).isEqualTo(201);
        assertThat(client.put("/vo/data/by-carol", carol, "c").statusCode()).isEqualTo(201);
        assertThat(client.send("MKCOL", "/vo/data/dir-by-alice", alice, null).statusCode()).isEqualTo(201);
        assumeTrue(userXattrs(disk("/vo/data/by-carol")), "the file system has no user extended attributes");
        assertThat(owner(disk("/vo/data/by-alice"))).isEqualTo("alice_local");
        assertThat(owner(disk("/vo/data/by-bob"))).as("by group").isEqualTo("vo_prod");
        assertThat(owner(disk("/vo/data/by-carol"))).as("no rule matches carol").isNull();
    }

    @Test
    void aReplacedFileStillHasAnOwner() throws IOException {
        Client client = storage.client();
        String alice = vo.builder().profile(Profile.WLCG_1).scope("storage.modify:/data").sign();
        String bob = vo.builder().profile(Profile.WLCG_1).subject("bob").group("/vo/prod").scope("storage.modify:/data").sign();
        assertThat(client.put("/vo/data/by-alice", alice, "a").statusCode()).isEqualTo(201);
        assumeTrue(userXattrs(disk("/vo/data/by-alice")), "the file system has no user extended attributes");
        assertThat(owner(disk("/vo/data/by-alice"))).isEqualTo("alice_local");
        assertThat(client.put("/vo/data/by-alice", bob, "a2").statusCode()).isEqualTo(204);
        assertThat(disk("/vo/data/by-alice")).hasContent("a2");
        assertThat(owner(disk("/vo/data/by-alice"))).isIn("alice_local", "vo_prod");
    }

    @Test
    void theMapfileNameIsWhatTheAccessLogShows() throws Exception {
        List<String> logged = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (AutoCloseable watching = dev.tessera.web.AccessLog.watch(logged::add)) {
            String token = vo.builder().jwtId("jti-mapped-1").scope("read:/data").sign();
            assertThat(storage.client().get("/vo/data/f", token).statusCode()).isEqualTo(200);
            assertThat(StorageFixture.eventually(java.time.Duration.ofSeconds(10),
                    () -> logged.stream().anyMatch(m -> m.contains("jti-mapped-1")))).isTrue();
            String line = logged.stream().filter(m -> m.contains("jti-mapped-1")).collect(Collectors.joining("\n"));
            assertThat(line).contains("sub=alice_local").contains("iss=" + vo.url()).doesNotContain(token);
        }
    }
}
