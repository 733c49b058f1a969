package dev.tessera.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.token.discovery.TrustMaterial;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HttpServerTest {
    @TempDir
    Path data;
    private HttpServer server;

    private HttpServer start(Handler handler) throws Exception {
        server = HttpServer.builder().name("test").port(0).tls(ServerTls.selfSigned(data)).handler(handler).build().start();
        return server;
    }

    private HttpClient client(HttpClient.Version version) throws Exception {
        return HttpClient.newBuilder().version(version)
                .sslContext(TrustMaterial.sslContext(List.of(data.resolve("tls/server.pem")))).build();
    }

    private HttpResponse<String> get(String path, HttpClient.Version version) throws Exception {
        return client(version).send(HttpRequest.newBuilder(URI.create(server.url() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void healthReadinessMetricsAndTheApplication() throws Exception {
        start(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                Responses.text(response, callback, 200, "app " + request.getHttpURI().getPath());
                return true;
            }
        });
        assertThat(get("/healthz", HttpClient.Version.HTTP_1_1).body()).isEqualTo("ok\n");
        assertThat(get("/readyz", HttpClient.Version.HTTP_1_1).statusCode()).isEqualTo(200);
        assertThat(get("/data/x", HttpClient.Version.HTTP_1_1).body()).isEqualTo("app /data/x");
        HttpResponse<String> h2 = get("/data/y", HttpClient.Version.HTTP_2);
        assertThat(h2.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(h2.body()).isEqualTo("app /data/y");
        HttpResponse<String> metrics = get("/metrics", HttpClient.Version.HTTP_1_1);
        assertThat(metrics.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
        assertThat(server.url()).startsWith("https://localhost:");
    }

    @Test
    void selfSignedIdentityIsCreatedOnceWithAPrivateKey() throws Exception {
        ServerTls first = ServerTls.selfSigned(data);
        String cert = Files.readString(first.certificate());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(first.key()))).isEqualTo("rw-------");
        assertThat(TrustMaterial.loadCertificates(first.certificate()).get(0).getSubjectAlternativeNames())
                .anySatisfy(name -> assertThat(name.get(1)).isEqualTo("localhost"));
        ServerTls second = ServerTls.selfSigned(data);
        assertThat(Files.readString(second.certificate())).isEqualTo(cert);
    }

    @Test
    void stoppingLetsARequestInFlightFinish() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        start(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                entered.countDown();
                Thread.sleep(500);
                Responses.text(response, callback, 200, "finished");
                return true;
            }
        });
        HttpClient client = client(HttpClient.Version.HTTP_1_1);
        CompletableFuture<HttpResponse<String>> slow = client.sendAsync(
                HttpRequest.newBuilder(URI.create(server.url() + "/slow")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        server.close();
        assertThat(slow.get(10, TimeUnit.SECONDS).body()).isEqualTo("finished");
        server = null;
    }
}
