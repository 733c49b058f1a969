package dev.tessera.cli.demo;

import dev.tessera.token.bearer.BearerTokenDiscovery;
import dev.tessera.token.discovery.TrustMaterial;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.List;

/**
 * The demo's batch job: what a physicist's analysis does with data, reduced to one read and one write over
 * HTTPS with the token it finds the WLCG way ({@code BEARER_TOKEN_FILE}, set by {@code tessera run}). It
 * needs nothing but a JDK, so the demo runs anywhere.
 */
public final class DemoJob {
    private final HttpClient http;
    private final String storage;
    private final PrintWriter out;

    public DemoJob(String storage, Path caFile, PrintWriter out) throws GeneralSecurityException, IOException {
        this.http = HttpClient.newBuilder().sslContext(TrustMaterial.sslContext(List.of(caFile)))
                .connectTimeout(Duration.ofSeconds(10)).build();
        this.storage = storage;
        this.out = out;
    }

    /**
     * Reads {@code input}, counts its lines, and writes the count to {@code output}.
     *
     * @return 0 when both worked, 1 when the storage refused either (the refusal is printed)
     */
    public int run(String input, String output) throws IOException, InterruptedException {
        BearerTokenDiscovery.Result found = BearerTokenDiscovery.fromEnvironment().discover();
        if (!found.found()) {
            out.printf("job: no token (%s)%n", found.error());
            return 1;
        }
        out.printf("job: token from %s%n", found.source());
        HttpResponse<String> read = http.send(request(input, found.token()).GET().build(), HttpResponse.BodyHandlers.ofString());
        out.printf("job: GET %s -> %d%n", input, read.statusCode());
        if (read.statusCode() != 200) {
            out.printf("job:   %s%n", read.headers().firstValue("WWW-Authenticate").orElse(read.body().strip()));
            return 1;
        }
        long rows = read.body().lines().count() - 1;
        HttpResponse<String> write = http.send(request(output, found.token())
                .PUT(HttpRequest.BodyPublishers.ofString("rows," + rows + "\n")).build(), HttpResponse.BodyHandlers.ofString());
        out.printf("job: PUT %s -> %d%n", output, write.statusCode());
        if (write.statusCode() >= 300) {
            out.printf("job:   %s%n", write.headers().firstValue("WWW-Authenticate").orElse(write.body().strip()));
            return 1;
        }
        return 0;
    }

    private HttpRequest.Builder request(String path, String token) {
        return HttpRequest.newBuilder(URI.create(storage + path)).timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + token);
    }
}
