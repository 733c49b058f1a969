package dev.tessera.storage;

import static dev.tessera.storage.StorageFixture.AUDIENCE;
import static dev.tessera.storage.StorageFixture.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.storage.StorageFixture.Client;
import dev.tessera.storage.StorageFixture.Issuer;
import dev.tessera.storage.StorageFixture.RawResponse;
import dev.tessera.storage.StorageFixture.Storage;
import dev.tessera.token.TokenBuilder;
import dev.tessera.web.TrustedIssuer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLSocket;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/** HTTP and WebDAV details: ranges, validators and conditionals, PROPFIND XML, OPTIONS, admin endpoints, HTTP/2, the access log. */
class StorageHttpTest {
    static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz";

    @TempDir
    static Path dir;
    static Issuer issuer;
    static Storage storage;
    static String token;

    @BeforeAll
    static void start() throws IOException {
        issuer = Issuer.start("/vo");
        storage = StorageFixture.start(dir, List.of(AUDIENCE), List.of(
                new TrustedIssuer(issuer.url(), "/vo", List.of(), List.of(), null)));
        token = issuer.scitoken("read:/ write:/");
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

    @BeforeEach
    void resetTree() throws IOException {
        StorageFixture.deleteTree(storage.root().resolve("vo"));
        StorageFixture.write(disk("/vo/abc"), ALPHABET);
        Files.createDirectories(disk("/vo/dir/sub"));
        StorageFixture.write(disk("/vo/dir/one"), "1");
    }

    static Path disk(String abs) {
        return storage.root().resolve(abs.substring(1));
    }

    static Client client() {
        return storage.client();
    }

    static HttpResponse<byte[]> get(String path, String... headers) {
        return client().get(path, token, headers);
    }

    // ---------------------------------------------------------------- ranges

    @Test
    void rangesSingleSuffixOpenEnded() {
        Map<String, String[]> cases = Map.of(
                "bytes=2-5", new String[] {"cdef", "bytes 2-5/26"},
                "bytes=-3", new String[] {"xyz", "bytes 23-25/26"},
                "bytes=20-", new String[] {"uvwxyz", "bytes 20-25/26"},
                "bytes=24-1000", new String[] {"yz", "bytes 24-25/26"},
                "bytes=0-0", new String[] {"a", "bytes 0-0/26"},
                "bytes=-100", new String[] {ALPHABET, "bytes 0-25/26"});
        for (Map.Entry<String, String[]> c : cases.entrySet()) {
            HttpResponse<byte[]> response = get("/vo/abc", "Range", c.getKey());
            assertThat(response.statusCode()).as(c.getKey()).isEqualTo(206);
            assertThat(text(response)).as(c.getKey()).isEqualTo(c.getValue()[0]);
            assertThat(response.headers().firstValue("Content-Range")).as(c.getKey()).hasValue(c.getValue()[1]);
            assertThat(response.headers().firstValueAsLong("Content-Length")).as(c.getKey())
                    .hasValue(c.getValue()[0].length());
        }
    }

    @Test
    void unsatisfiableRangeIs416WithTheSize() {
        for (String range : List.of("bytes=26-", "bytes=100-200", "bytes=-0")) {
            HttpResponse<byte[]> response = get("/vo/abc", "Range", range);
            assertThat(response.statusCode()).as(range).isEqualTo(416);
            assertThat(response.headers().firstValue("Content-Range")).as(range).hasValue("bytes */26");
            assertThat(response.body()).as(range).isEmpty();
        }
        // last before first is invalid: RFC 9110 §14.2 lets a server ignore or reject it, never serve a part
        assertThat(get("/vo/abc", "Range", "bytes=5-2").statusCode()).isIn(200, 416);
    }

    @Test
    void severalRangesOrOtherUnitsOrNonsenseGetTheWholeFile() {
        for (String range : List.of("bytes=0-1,4-5", "items=0-1", "bytes=x-y", "bytes=3")) {
            HttpResponse<byte[]> response = get("/vo/abc", "Range", range);
            assertThat(response.statusCode()).as(range).isEqualTo(200);
            assertThat(text(response)).as(range).isEqualTo(ALPHABET);
            assertThat(response.headers().firstValue("Content-Range")).as(range).isEmpty();
        }
        assertThat(get("/vo/abc").headers().firstValue("Accept-Ranges")).hasValue("bytes");
    }

    // ---------------------------------------------------------------- validators and conditionals

    @Test
    void etagAndLastModifiedDescribeTheCurrentContent() throws Exception {
        HttpResponse<byte[]> first = get("/vo/abc");
        String etag = first.headers().firstValue("ETag").orElseThrow();
        String lastModified = first.headers().firstValue("Last-Modified").orElseThrow();
        assertThat(etag).startsWith("\"").endsWith("\"");
        ZonedDateTime modified = ZonedDateTime.parse(lastModified, DateTimeFormatter.RFC_1123_DATE_TIME);
        assertThat(modified.toEpochSecond()).isEqualTo(Files.getLastModifiedTime(disk("/vo/abc")).toMillis() / 1000);
        HttpResponse<byte[]> head = client().send("HEAD", "/vo/abc", token, null);
        assertThat(head.headers().firstValue("ETag")).hasValue(etag);
        assertThat(head.headers().firstValue("Last-Modified")).hasValue(lastModified);

        HttpResponse<byte[]> put = client().put("/vo/abc", token, "replaced");
        assertThat(put.statusCode()).isEqualTo(204);
        String newEtag = get("/vo/abc").headers().firstValue("ETag").orElseThrow();
        assertThat(newEtag).isNotEqualTo(etag);
        assertThat(put.headers().firstValue("ETag")).hasValue(newEtag);
    }

    @Test
    void ifNoneMatchAndIfModifiedSinceGive304() {
        HttpResponse<byte[]> first = get("/vo/abc");
        String etag = first.headers().firstValue("ETag").orElseThrow();
        String lastModified = first.headers().firstValue("Last-Modified").orElseThrow();
        for (String[] headers : List.of(new String[] {"If-None-Match", etag}, new String[] {"If-None-Match", "\"x\", " + etag},
                new String[] {"If-None-Match", "W/" + etag}, new String[] {"If-None-Match", "*"},
                new String[] {"If-Modified-Since", lastModified})) {
            HttpResponse<byte[]> response = get("/vo/abc", headers);
            assertThat(response.statusCode()).as(String.join(": ", headers)).isEqualTo(304);
            assertThat(response.body()).isEmpty();
            assertThat(response.headers().firstValue("ETag")).hasValue(etag);
        }
        assertThat(get("/vo/abc", "If-None-Match", "\"other\"").statusCode()).isEqualTo(200);
        assertThat(get("/vo/abc", "If-Modified-Since", "Sun, 06 Nov 1994 08:49:37 GMT").statusCode()).isEqualTo(200);
        assertThat(get("/vo/abc", "If-Modified-Since", "not a date").statusCode()).isEqualTo(200);
        // If-None-Match wins over If-Modified-Since (RFC 9110 §13.1.3)
        assertThat(get("/vo/abc", "If-None-Match", "\"other\"", "If-Modified-Since", lastModified).statusCode())
                .isEqualTo(200);
        // a failed If-Match beats everything for a GET too
        assertThat(get("/vo/abc", "If-Match", "\"other\"").statusCode()).isEqualTo(412);
    }

    @Test
    void ifMatchGuardsPutAndDelete() throws IOException {
        String etag = get("/vo/abc").headers().firstValue("ETag").orElseThrow();
        assertThat(client().put("/vo/abc", token, "lost update", "If-Match", "\"stale\"").statusCode()).isEqualTo(412);
        assertThat(client().send("DELETE", "/vo/abc", token, null, "If-Match", "\"stale\"").statusCode()).isEqualTo(412);
        assertThat(client().put("/vo/abc", token, "lost update", "If-Unmodified-Since", "Sun, 06 Nov 1994 08:49:37 GMT")
                .statusCode()).isEqualTo(412);
        assertThat(disk("/vo/abc")).hasContent(ALPHABET);
        HttpResponse<byte[]> put = client().put("/vo/abc", token, "my update", "If-Match", etag);
        assertThat(put.statusCode()).isEqualTo(204);
        assertThat(disk("/vo/abc")).hasContent("my update");
        String newEtag = put.headers().firstValue("ETag").orElseThrow();
        assertThat(client().send("DELETE", "/vo/abc", token, null, "If-Match", etag).statusCode()).isEqualTo(412);
        assertThat(client().send("DELETE", "/vo/abc", token, null, "If-Match", newEtag).statusCode()).isEqualTo(204);
        assertThat(disk("/vo/abc")).doesNotExist();
    }

    @Test
    void putIfNoneMatchStarCreatesButNeverReplaces() throws IOException {
        HttpResponse<byte[]> existing = client().put("/vo/abc", token, "clobber", "If-None-Match", "*");
        assertThat(existing.statusCode()).isEqualTo(412);
        assertThat(disk("/vo/abc")).hasContent(ALPHABET);
        assertThat(client().put("/vo/fresh", token, "fresh", "If-None-Match", "*").statusCode()).isEqualTo(201);
        assertThat(disk("/vo/fresh")).hasContent("fresh");
    }

    @Test
    void ifRangeServesTheRangeOnlyForTheSameRepresentation() {
        HttpResponse<byte[]> first = get("/vo/abc");
        String etag = first.headers().firstValue("ETag").orElseThrow();
        String lastModified = first.headers().firstValue("Last-Modified").orElseThrow();
        HttpResponse<byte[]> same = get("/vo/abc", "Range", "bytes=0-2", "If-Range", etag);
        assertThat(same.statusCode()).isEqualTo(206);
        assertThat(text(same)).isEqualTo("abc");
        HttpResponse<byte[]> sameDate = get("/vo/abc", "Range", "bytes=0-2", "If-Range", lastModified);
        assertThat(sameDate.statusCode()).isEqualTo(206);
        HttpResponse<byte[]> changed = get("/vo/abc", "Range", "bytes=0-2", "If-Range", "\"older\"");
        assertThat(changed.statusCode()).isEqualTo(200);
        assertThat(text(changed)).isEqualTo(ALPHABET);
        HttpResponse<byte[]> oldDate = get("/vo/abc", "Range", "bytes=0-2", "If-Range", "Sun, 06 Nov 1994 08:49:37 GMT");
        assertThat(oldDate.statusCode()).isEqualTo(200);
    }

    // ---------------------------------------------------------------- uploads

    @Test
    void chunkedUploadsOfUnknownLengthAreStoredWhole() throws Exception {
        byte[] content = new byte[700_000];
        new java.util.Random(7).nextBytes(content);
        HttpRequest request = HttpRequest.newBuilder(URI.create(storage.url() + "/vo/chunked"))
                .header("Authorization", "Bearer " + token)
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(content))).build();
        HttpResponse<String> response = storage.http1().send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(Files.readAllBytes(disk("/vo/chunked"))).isEqualTo(content);
    }

    @Test
    void aBodyShorterThanItsContentLengthStoresNothing() throws Exception {
        for (String target : List.of("/vo/short-new", "/vo/abc")) {
            try (SSLSocket socket = storage.raw().open()) {
                OutputStream out = socket.getOutputStream();
                out.write(("PUT " + target + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
                        + "\r\nContent-Length: 100\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write("x".repeat(50).getBytes(StandardCharsets.US_ASCII));
                out.flush();
                socket.shutdownOutput();
                try {
                    RawResponse response = StorageFixture.Raw.read(socket.getInputStream());
                    assertThat(response.status()).as(target).isNotIn(200, 201, 204);
                } catch (IOException e) {
                    // the server may just close: the point is what is on disk
                }
            }
            assertThat(StorageFixture.eventually(Duration.ofSeconds(10),
                    () -> StorageFixture.names(storage.staging()).isEmpty())).as("staging emptied").isTrue();
        }
        assertThat(disk("/vo/short-new")).doesNotExist();
        assertThat(disk("/vo/abc")).hasContent(ALPHABET);
        assertThat(StorageFixture.names(disk("/vo"))).containsExactly("abc", "dir");
    }

    @Test
    void mkcolWithABodyIsRefused() {
        assertThat(client().send("MKCOL", "/vo/newdir", token, "<x/>".getBytes(StandardCharsets.UTF_8)).statusCode())
                .isEqualTo(415);
        assertThat(disk("/vo/newdir")).doesNotExist();
    }

    /** COPY or MOVE of {@code /vo/dir/} to a place inside it: refused (a client error when {@code strict}), nothing made. */
    void intoItself(String method, boolean strict) throws IOException {
        HttpResponse<byte[]> response = client().send(method, "/vo/dir/", token, null,
                "Destination", storage.url() + "/vo/dir/sub/inside/");
        long left;
        try (java.util.stream.Stream<Path> walk = Files.walk(disk("/vo/dir/sub"))) {
            left = walk.count() - 1;
        }
        assertThat(response.statusCode()).as(method + " (" + left + " entries made under /vo/dir/sub)")
                .isGreaterThanOrEqualTo(400);
        if (strict) {
            assertThat(response.statusCode()).as(method).isIn(403, 409);
        }
        assertThat(StorageFixture.names(disk("/vo/dir"))).as(method).containsExactly("one", "sub");
        assertThat(left).as(method).isZero();
    }

    @Test
    void aCollectionCannotBeCopiedIntoItself() throws IOException {
        intoItself("COPY", false);
    }

    @Test
    void aCollectionMovedIntoItselfIsRefusedWithoutDamage() throws IOException {
        intoItself("MOVE", false);
    }

    @Test
    void aCollectionMovedIntoItselfIsAClientError() throws IOException {
        intoItself("MOVE", true);
    }

    @Test
    void unknownMethodsAre405WithAllow() {
        HttpResponse<byte[]> response = client().send("PATCH", "/vo/abc", token, "x".getBytes(StandardCharsets.UTF_8));
        assertThat(response.statusCode()).isEqualTo(405);
        assertThat(response.headers().firstValue("Allow").orElseThrow()).contains("GET", "PUT", "PROPFIND");
        assertThat(disk("/vo/abc")).hasContent(ALPHABET);
    }

    @Test
    void aRefusedUploadLeavesTheConnectionUsableOrSaysClose() throws Exception {
        String readOnly = issuer.scitoken("read:/");
        try (SSLSocket socket = storage.raw().open()) {
            OutputStream out = socket.getOutputStream();
            out.write(("PUT /vo/refused HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + readOnly
                    + "\r\nContent-Length: 5\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String head = readHead(in);
            assertThat(head).startsWith("HTTP/1.1 403");
            in.readNBytes(contentLength(head));
            if (head.toLowerCase(java.util.Locale.ROOT).contains("connection: close")) {
                return; // announced: fine
            }
            out.write(("hello" + "GET /vo/abc HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + readOnly
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            RawResponse next = StorageFixture.Raw.read(in);
            assertThat(next.status()).isEqualTo(200);
            assertThat(next.text()).isEqualTo(ALPHABET);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("closed after " + head);
            }
            head.append((char) c);
        }
        return head.toString();
    }

    private static int contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                return Integer.parseInt(line.substring(15).strip());
            }
        }
        return 0;
    }

    // ---------------------------------------------------------------- PROPFIND

    static Document xml(HttpResponse<byte[]> response) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        return factory.newDocumentBuilder().parse(new ByteArrayInputStream(response.body()));
    }

    /** The DAV: child elements of {@code parent} named {@code name}. */
    static List<Element> children(Node parent, String name) {
        List<Element> found = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            if (nodes.item(i) instanceof Element e && "DAV:".equals(e.getNamespaceURI()) && name.equals(e.getLocalName())) {
                found.add(e);
            }
        }
        return found;
    }

    static Element one(Node parent, String... path) {
        Node node = parent;
        for (String name : path) {
            List<Element> found = children(node, name);
            assertThat(found).as(name + " in " + node.getNodeName()).hasSize(1);
            node = found.get(0);
        }
        return (Element) node;
    }

    /** href to the response's {@code prop} element. */
    static Map<String, Element> props(Document doc) {
        Element multistatus = doc.getDocumentElement();
        assertThat(multistatus.getNamespaceURI()).isEqualTo("DAV:");
        assertThat(multistatus.getLocalName()).isEqualTo("multistatus");
        Map<String, Element> props = new java.util.LinkedHashMap<>();
        for (Element response : children(multistatus, "response")) {
            Element propstat = one(response, "propstat");
            assertThat(one(propstat, "status").getTextContent()).isEqualTo("HTTP/1.1 200 OK");
            props.put(one(response, "href").getTextContent(), one(propstat, "prop"));
        }
        return props;
    }

    @Test
    void propfindDepth0OfAFileHasTheLiveProperties() throws Exception {
        HttpResponse<byte[]> get = get("/vo/abc");
        HttpResponse<byte[]> response = client().propfind("/vo/abc", token, "0");
        assertThat(response.statusCode()).isEqualTo(207);
        assertThat(response.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/xml");
        Map<String, Element> props = props(xml(response));
        assertThat(props).containsOnlyKeys("/vo/abc");
        Element prop = props.get("/vo/abc");
        assertThat(children(one(prop, "resourcetype"), "collection")).isEmpty();
        assertThat(one(prop, "getcontentlength").getTextContent()).isEqualTo("26");
        assertThat(one(prop, "getetag").getTextContent()).isEqualTo(get.headers().firstValue("ETag").orElseThrow());
        assertThat(one(prop, "getlastmodified").getTextContent())
                .isEqualTo(get.headers().firstValue("Last-Modified").orElseThrow());
        assertThat(one(prop, "displayname").getTextContent()).isEqualTo("abc");
    }

    @Test
    void propfindDepth1OfADirectoryListsItsChildren() throws Exception {
        for (String depthHeader : new String[] {"1", null}) {
            HttpResponse<byte[]> response = depthHeader == null
                    ? client().send("PROPFIND", "/vo/dir/", token, null)
                    : client().propfind("/vo/dir", token, depthHeader);
            assertThat(response.statusCode()).isEqualTo(207);
            Map<String, Element> props = props(xml(response));
            assertThat(props).containsOnlyKeys("/vo/dir/", "/vo/dir/one", "/vo/dir/sub/");
            assertThat(children(one(props.get("/vo/dir/"), "resourcetype"), "collection")).hasSize(1);
            assertThat(children(one(props.get("/vo/dir/sub/"), "resourcetype"), "collection")).hasSize(1);
            assertThat(children(props.get("/vo/dir/sub/"), "getcontentlength")).isEmpty();
            assertThat(one(props.get("/vo/dir/one"), "getcontentlength").getTextContent()).isEqualTo("1");
        }
        // a request body (allprop) is accepted and changes nothing
        byte[] allprop = "<?xml version=\"1.0\"?><D:propfind xmlns:D=\"DAV:\"><D:allprop/></D:propfind>"
                .getBytes(StandardCharsets.UTF_8);
        HttpResponse<byte[]> withBody = client().send("PROPFIND", "/vo/dir/", token, allprop, "Depth", "1");
        assertThat(props(xml(withBody))).containsOnlyKeys("/vo/dir/", "/vo/dir/one", "/vo/dir/sub/");
    }

    @Test
    void propfindDepthInfinityIsRefusedAndOtherDepthsAreBad() throws Exception {
        HttpResponse<byte[]> infinity = client().propfind("/vo/dir/", token, "infinity");
        assertThat(infinity.statusCode()).isEqualTo(403);
        Element error = xml(infinity).getDocumentElement();
        assertThat(error.getNamespaceURI()).isEqualTo("DAV:");
        assertThat(error.getLocalName()).isEqualTo("error");
        assertThat(children(error, "propfind-finite-depth")).hasSize(1);
        assertThat(client().propfind("/vo/dir/", token, "2").statusCode()).isEqualTo(400);
    }

    // ---------------------------------------------------------------- OPTIONS, admin, HTTP/2

    @Test
    void optionsNeedsNoTokenAndNamesTheMethods() {
        for (String path : List.of("/", "/vo/abc", "/anything/at/all")) {
            HttpResponse<byte[]> response = client().send("OPTIONS", path, null, null);
            assertThat(response.statusCode()).as(path).isEqualTo(200);
            assertThat(response.headers().firstValue("Allow").orElseThrow()).as(path)
                    .contains("OPTIONS", "GET", "HEAD", "PUT", "DELETE", "MKCOL", "MOVE", "COPY", "PROPFIND");
            assertThat(response.headers().firstValue("DAV").orElseThrow()).as(path).contains("1");
        }
    }

    @Test
    void healthReadinessAndMetricsPerMethodAndOutcome() {
        get("/vo/abc");
        client().get("/vo/abc", issuer.scitoken("read:/dir"));
        client().get("/vo/abc", null);
        client().put("/vo/metered", token, "m");
        assertThat(text(client().get("/healthz", null))).isEqualTo("ok\n");
        assertThat(client().get("/readyz", null).statusCode()).isEqualTo(200);
        HttpResponse<byte[]> metrics = client().get("/metrics", null);
        assertThat(metrics.statusCode()).isEqualTo(200);
        List<String> lines = text(metrics).lines().filter(l -> l.startsWith("tessera_storage_requests")).toList();
        assertThat(lines).anyMatch(l -> l.contains("method=\"GET\"") && l.contains("outcome=\"ok\""))
                .anyMatch(l -> l.contains("method=\"GET\"") && l.contains("outcome=\"forbidden\""))
                .anyMatch(l -> l.contains("method=\"GET\"") && l.contains("outcome=\"unauthenticated\""))
                .anyMatch(l -> l.contains("method=\"PUT\"") && l.contains("outcome=\"ok\""));
        assertThat(text(metrics)).doesNotContain(token);
    }

    @Test
    void http2Works() throws Exception {
        Client h2 = storage.client(HttpClient.Version.HTTP_2);
        HttpResponse<byte[]> put = h2.put("/vo/over-h2", token, "over h2");
        assertThat(put.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(put.statusCode()).isEqualTo(201);
        HttpResponse<byte[]> get = h2.get("/vo/over-h2", token, "Range", "bytes=5-");
        assertThat(get.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(get.statusCode()).isEqualTo(206);
        assertThat(text(get)).isEqualTo("h2");
        HttpResponse<byte[]> propfind = h2.propfind("/vo/", token, "1");
        assertThat(propfind.statusCode()).isEqualTo(207);
        assertThat(props(xml(propfind))).containsKey("/vo/over-h2");
        HttpResponse<byte[]> denied = h2.send("DELETE", "/vo/over-h2", issuer.scitoken("read:/"), null);
        assertThat(denied.statusCode()).isEqualTo(403);
        assertThat(denied.headers().firstValue("WWW-Authenticate").orElseThrow()).contains("insufficient_scope");
        assertThat(h2.send("DELETE", "/vo/over-h2", token, null).statusCode()).isEqualTo(204);
    }

    // ---------------------------------------------------------------- the access log

    @Test
    void theAccessLogNamesTheTokenByJtiAndSubButNeverContainsIt() throws Exception {
        List<String> logged = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (AutoCloseable watching = dev.tessera.web.AccessLog.watch(logged::add)) {
            String header = TokenBuilder.forKey(issuer.key()).issuer(issuer.url()).audience(AUDIENCE)
                    .subject("log-subject").jwtId("jti-header-1").scope("read:/").sign();
            String query = TokenBuilder.forKey(issuer.key()).issuer(issuer.url()).audience(AUDIENCE)
                    .subject("log-subject").jwtId("jti-query-2").scope("read:/").sign();
            String refused = TokenBuilder.forKey(issuer.key()).issuer(issuer.url()).audience("https://not.us")
                    .subject("log-subject").jwtId("jti-refused-3").scope("read:/").sign();
            assertThat(client().get("/vo/abc", header).statusCode()).isEqualTo(200);
            String authz = URLEncoder.encode("Bearer " + query, StandardCharsets.UTF_8).replace("+", "%20");
            assertThat(client().get("/vo/abc?authz=" + authz, null).statusCode()).isEqualTo(200);
            assertThat(client().get("/vo/abc", refused).statusCode()).isEqualTo(401);
            assertThat(client().get("/vo/abc", null, "Authorization", StorageFixture.basic(header, "x-oauth-basic"))
                    .statusCode()).isEqualTo(200);
            assertThat(StorageFixture.eventually(Duration.ofSeconds(10), () -> logged.size() >= 4)).isTrue();
            String lines = String.join("", logged);
            assertThat(lines).contains("jti=jti-header-1").contains("jti=jti-query-2").contains("sub=log-subject")
                    .contains("GET /vo/abc 200").contains("GET /vo/abc 401");
            for (String secret : List.of(header, query, refused, authz, "authz", header.substring(header.lastIndexOf('.') + 1))) {
                assertThat(lines).doesNotContain(secret);
            }
        }
    }
}
