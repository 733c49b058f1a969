package dev.tessera.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.issuer.service.Administration;
import dev.tessera.token.Profile;
import dev.tessera.token.keys.Algorithm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * XRootD 5.5.3 with its SciTokens plugin, configured to trust one VO of Tessera's issuer ({@code [Issuer]}
 * section: the VO's {@code iss}, {@code base_path = /data}), serving files as the scopes of tokens that
 * issuer grants over its HTTPS token endpoint say: with curl over HTTPS (XrdHttp) and with xrdcp over
 * {@code roots://} (token authentication, ztn).
 */
class IssuerXrootdIT {
    private static final String AUDIENCE = "https://storage.example.org";
    private static final String VO = "cms";

    @TempDir
    static Path work;
    private static TesseraIssuer issuer;
    private static Xrootd xrootd;
    private static Administration.NewClient robot;
    private static Path data;
    private static Path certDir;

    @BeforeAll
    static void start() throws Exception {
        Xrootd.require();
        Peers.require("xrdcp", "openssl");
        issuer = TesseraIssuer.start(work.resolve("issuer"));
        String iss = issuer.addVo(VO, Profile.SCITOKENS_2, Algorithm.ES256);
        robot = issuer.client(VO, "read:/public read:/uploads write:/uploads");

        Path tls = Files.createDirectories(work.resolve("tls"));
        Peers.trustedCa().writeServerPem(tls);
        // XrdCl reads CAs from a hashed directory (X509_CERT_DIR), not from a bundle
        certDir = Files.createDirectories(work.resolve("certdir"));
        Files.copy(Peers.CA_PEM, certDir.resolve("tessera-interop-ca.pem"));
        Peers.Result rehash = Peers.run(Map.of(), "openssl", "rehash", certDir.toString());
        assertThat(rehash.exit()).as(rehash.output()).isZero();

        Path state = work.resolve("xrootd");
        data = Files.createDirectories(state.resolve("root/data"));
        Files.createDirectories(data.resolve("public"));
        Files.createDirectories(data.resolve("private"));
        Files.createDirectories(data.resolve("uploads"));
        Files.writeString(data.resolve("public/hello.txt"), "hello\n");
        Files.writeString(data.resolve("private/secret.txt"), "secret\n");
        xrootd = Xrootd.start(state, iss, AUDIENCE, "/data", tls);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (xrootd != null) {
                xrootd.close();
            }
        } finally {
            if (issuer != null) {
                issuer.close();
            }
        }
    }

    private static String token(String scope) throws Exception {
        return issuer.token(VO, robot, scope, AUDIENCE);
    }

    private static Curl.Reply get(String path, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add(xrootd.httpsUrl() + path);
        return Curl.request(all.toArray(String[]::new));
    }

    private static Curl.Reply put(String path, String content, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("-X", "PUT", "--data-binary", content, xrootd.httpsUrl() + path));
        return Curl.request(all.toArray(String[]::new));
    }

    @Test
    void httpsReadsWhatAReadTokenGrantsAndNothingElse() throws Exception {
        String read = token("read:/public");
        Curl.Reply ok = get("/data/public/hello.txt", Curl.bearer(read));
        assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo("hello\n");
        assertThat(get(Curl.withAuthz("/data/public/hello.txt", read)).status()).isEqualTo(200);

        // XRootD answers every refusal with 403 (never 401: pitfall X5)
        assertThat(get("/data/public/hello.txt").status()).as("no token").isEqualTo(403);
        assertThat(get("/data/private/secret.txt", Curl.bearer(read)).status()).as("outside the scope").isEqualTo(403);
        String writeOnly = token("write:/uploads");
        assertThat(get("/data/public/hello.txt", Curl.bearer(writeOnly)).status()).as("no read scope").isEqualTo(403);
        String otherAudience = issuer.token(VO, robot, "read:/public", "https://other.example.org");
        assertThat(get("/data/public/hello.txt", Curl.bearer(otherAudience)).status()).as("another audience")
                .isEqualTo(403);
    }

    @Test
    void httpsWritesWithAWriteTokenOnlyWhereItGrants() throws Exception {
        String write = token("write:/uploads");
        Curl.Reply created = put("/data/uploads/https.txt", "written over https\n", Curl.bearer(write));
        assertThat(created.status()).as(created.toString()).isEqualTo(200); // XRootD: 200 ":-)", not 201
        assertThat(data.resolve("uploads/https.txt")).hasContent("written over https\n");

        assertThat(put("/data/public/evil.txt", "x\n", Curl.bearer(write)).status()).as("outside the scope").isEqualTo(403);
        assertThat(put("/data/uploads/read.txt", "x\n", Curl.bearer(token("read:/public"))).status()).as("read only")
                .isEqualTo(403);
        assertThat(put("/data/uploads/anonymous.txt", "x\n").status()).as("no token").isEqualTo(403);
        assertThat(data.resolve("public/evil.txt")).doesNotExist();
        assertThat(data.resolve("uploads/read.txt")).doesNotExist();
        assertThat(data.resolve("uploads/anonymous.txt")).doesNotExist();
    }

    /** xrdcp over roots:// presenting the token from {@code BEARER_TOKEN} (WLCG bearer token discovery). */
    private static Peers.Result xrdcp(String token, String... args) {
        Map<String, String> env = new HashMap<>(Map.of("X509_CERT_DIR", certDir.toString(), "XRD_LOGLEVEL", "Error",
                // keep token discovery away from this account's files (XDG_RUNTIME_DIR/bt_u$UID, /tmp/bt_u$UID)
                "XDG_RUNTIME_DIR", work.toString(), "BEARER_TOKEN_FILE", work.resolve("no-such-token").toString()));
        List<String> command = new ArrayList<>();
        if (token != null) {
            env.put("BEARER_TOKEN", token);
        } else {
            command.addAll(List.of("env", "-u", "BEARER_TOKEN")); // not even one this JVM inherited
        }
        command.addAll(List.of("xrdcp", "-f", "-s"));
        command.addAll(List.of(args));
        return Peers.run(env, command.toArray(String[]::new));
    }

    @Test
    void xrdcpReadsAndWritesAsTheTokensScopesSay() throws Exception {
        String read = token("read:/public");
        Path copy = work.resolve("hello-copy.txt");
        Peers.Result got = xrdcp(read, xrootd.rootsUrl() + "//data/public/hello.txt", copy.toString());
        assertThat(got.exit()).as(got.output()).isZero();
        assertThat(copy).hasContent("hello\n");

        Peers.Result outside = xrdcp(read, xrootd.rootsUrl() + "//data/private/secret.txt", work.resolve("s").toString());
        assertThat(outside.exit()).as(outside.output()).isNotZero();
        assertThat(outside.output()).contains("[3010] Unable to open /data/private/secret.txt; permission denied");
        Peers.Result anonymous = xrdcp(null, xrootd.rootsUrl() + "//data/public/hello.txt", work.resolve("a").toString());
        assertThat(anonymous.exit()).as(anonymous.output()).isNotZero();
        // ztn is the only protocol the server offers, and without a token the client cannot use it
        assertThat(anonymous.output()).contains("No protocols left to try");

        Path local = Files.writeString(work.resolve("upload.txt"), "written with xrdcp\n");
        Peers.Result written = xrdcp(token("read:/uploads write:/uploads"), local.toString(),
                xrootd.rootsUrl() + "//data/uploads/xrdcp.txt");
        assertThat(written.exit()).as(written.output()).isZero();
        assertThat(data.resolve("uploads/xrdcp.txt")).hasContent("written with xrdcp\n");

        // XrdCl locates (stats) the destination before it opens it, and the plugin maps write: to
        // create/update/delete but not to stat (pitfall X7): xrdcp needs read: too where it writes
        Peers.Result writeOnly = xrdcp(token("write:/uploads"), local.toString(),
                xrootd.rootsUrl() + "//data/uploads/w.txt");
        assertThat(writeOnly.exit()).as(writeOnly.output()).isNotZero();
        assertThat(writeOnly.output()).contains("Unable to locate /data/uploads/w.txt; permission denied");
        assertThat(data.resolve("uploads/w.txt")).doesNotExist();

        Peers.Result refused = xrdcp(read, local.toString(), xrootd.rootsUrl() + "//data/uploads/refused.txt");
        assertThat(refused.exit()).as(refused.output()).isNotZero();
        assertThat(refused.output()).contains("permission denied");
        assertThat(data.resolve("uploads/refused.txt")).doesNotExist();
    }
}
