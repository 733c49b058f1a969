package dev.tessera.storage;

import static dev.tessera.storage.StorageFixture.AUDIENCE;
import static dev.tessera.storage.StorageFixture.names;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.storage.StorageFixture.Client;
import dev.tessera.storage.StorageFixture.Issuer;
import dev.tessera.storage.StorageFixture.Storage;
import dev.tessera.web.TrustedIssuer;
import java.io.ByteArrayInputStream;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * A bounded load run on loopback: writers upload (create and replace) and delete while readers GET and
 * PROPFIND, a fixed number of operations each. Every upload proves itself whole (its first 32 bytes are
 * the SHA-256 of the rest). Afterwards every file is complete or absent and staging is empty; during the
 * run no reader got a partial body and no listing showed a partial size.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class StorageLoadTest {
    static final int NAMES = 12;
    static final int WRITERS = 4;
    static final int WRITES_EACH = 60;
    static final int READERS = 4;
    static final int READS_EACH = 120;

    @TempDir
    Path dir;
    Issuer issuer;
    Storage storage;
    String token;

    @BeforeEach
    void start() throws Exception {
        issuer = Issuer.start("/vo");
        storage = StorageFixture.start(dir, List.of(AUDIENCE), List.of(
                new TrustedIssuer(issuer.url(), "/vo", List.of(), List.of(), null)));
        token = issuer.scitoken("read:/ write:/");
        Files.createDirectories(storage.root().resolve("vo/load"));
    }

    @AfterEach
    void stop() {
        if (storage != null) {
            storage.close();
        }
        if (issuer != null) {
            issuer.close();
        }
    }

    /** What the run counted. */
    record Run(List<String> failures, AtomicInteger created, AtomicInteger replaced, AtomicInteger deleted,
               AtomicInteger wholeReads, AtomicInteger listings) {
    }

    /**
     * The run. With {@code fixedSizePerName} every version of a name has the same size (random per name);
     * otherwise every upload has a random size.
     */
    Run run(boolean fixedSizePerName, int names, int readsEach) throws Exception {
        Random sizes = new Random(5);
        int[] size = new int[names];
        for (int i = 0; i < names; i++) {
            size[i] = 32 + sizes.nextInt(200_000);
        }
        Run run = new Run(Collections.synchronizedList(new ArrayList<>()), new AtomicInteger(), new AtomicInteger(),
                new AtomicInteger(), new AtomicInteger(), new AtomicInteger());
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS + READERS);
        List<Future<?>> work = new ArrayList<>();
        try {
            for (int w = 0; w < WRITERS; w++) {
                long seed = 100 + w;
                Client client = storage.client(w % 2 == 0 ? HttpClient.Version.HTTP_1_1 : HttpClient.Version.HTTP_2);
                work.add(pool.submit(() -> write(client, new Random(seed), size, fixedSizePerName, run)));
            }
            for (int r = 0; r < READERS; r++) {
                long seed = 200 + r;
                Client client = storage.client(r % 2 == 0 ? HttpClient.Version.HTTP_2 : HttpClient.Version.HTTP_1_1);
                work.add(pool.submit(() -> read(client, new Random(seed), size, fixedSizePerName, readsEach, run)));
            }
            for (Future<?> f : work) {
                f.get(4, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }

        // afterwards: every file is complete or absent, nothing else is there, staging is empty
        Path load = storage.root().resolve("vo/load");
        for (String name : names(load)) {
            assertThat(name).matches("f[0-9]+");
            byte[] content = Files.readAllBytes(load.resolve(name));
            assertThat(StorageFixture.isWhole(content)).as(name + " on disk is whole").isTrue();
            if (fixedSizePerName) {
                assertThat(content).as(name).hasSize(size[Integer.parseInt(name.substring(1))]);
            }
            HttpResponse<byte[]> served = storage.client().get("/vo/load/" + name, token);
            assertThat(served.body()).as(name + " served").isEqualTo(content);
        }
        assertThat(names(storage.staging())).isEmpty();
        return run;
    }

    private void write(Client client, Random random, int[] size, boolean fixed, Run run) {
        for (int op = 0; op < WRITES_EACH; op++) {
            int n = random.nextInt(size.length);
            String path = "/vo/load/f" + n;
            if (random.nextInt(10) < 7) {
                int length = fixed ? size[n] : 32 + random.nextInt(200_000);
                byte[] content = StorageFixture.selfChecking(random, length - 32);
                int status = client.put(path, token, content).statusCode();
                switch (status) {
                    case 201 -> run.created().incrementAndGet();
                    case 204 -> run.replaced().incrementAndGet();
                    default -> run.failures().add("PUT " + path + ": " + status);
                }
            } else {
                int status = client.send("DELETE", path, token, null).statusCode();
                if (status == 204) {
                    run.deleted().incrementAndGet();
                } else if (status != 404) {
                    run.failures().add("DELETE " + path + ": " + status);
                }
            }
        }
    }

    private void read(Client client, Random random, int[] size, boolean fixed, int readsEach, Run run) {
        for (int op = 0; op < readsEach; op++) {
            try {
                if (random.nextInt(5) > 0) {
                    String path = "/vo/load/f" + random.nextInt(size.length);
                    HttpResponse<byte[]> response = client.get(path, token);
                    if (response.statusCode() == 200) {
                        if (StorageFixture.isWhole(response.body())) {
                            run.wholeReads().incrementAndGet();
                        } else {
                            run.failures().add("GET " + path + ": a partial body of " + response.body().length + " bytes");
                        }
                    } else if (response.statusCode() != 404) {
                        run.failures().add("GET " + path + ": " + response.statusCode());
                    }
                } else {
                    HttpResponse<byte[]> response = client.propfind("/vo/load/", token, "1");
                    if (response.statusCode() != 207) {
                        run.failures().add("PROPFIND: " + response.statusCode());
                        continue;
                    }
                    run.listings().incrementAndGet();
                    checkListing(response, size, fixed, run);
                }
            } catch (RuntimeException e) {
                run.failures().add(e.toString());
            }
        }
    }

    /** A listed file never has a size no version of it has. */
    private static void checkListing(HttpResponse<byte[]> response, int[] size, boolean fixed, Run run) {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            factory.setNamespaceAware(true);
            NodeList responses = factory.newDocumentBuilder().parse(new ByteArrayInputStream(response.body()))
                    .getElementsByTagNameNS("DAV:", "response");
            for (int i = 0; i < responses.getLength(); i++) {
                Element r = (Element) responses.item(i);
                String href = r.getElementsByTagNameNS("DAV:", "href").item(0).getTextContent();
                NodeList length = r.getElementsByTagNameNS("DAV:", "getcontentlength");
                if (href.equals("/vo/load/")) {
                    continue;
                }
                if (!href.matches("/vo/load/f[0-9]+") || length.getLength() != 1) {
                    run.failures().add("listed " + href);
                    continue;
                }
                long listed = Long.parseLong(length.item(0).getTextContent());
                long expected = size[Integer.parseInt(href.substring("/vo/load/f".length()))];
                if (fixed ? listed != expected : listed < 32 || listed > 32 + 200_000) {
                    run.failures().add("listed " + href + " with " + listed + " bytes");
                }
            }
        } catch (Exception e) {
            run.failures().add("PROPFIND body: " + e);
        }
    }

    @Test
    void uploadsAndDeletesInterleavedWithReadsLeaveEveryFileCompleteOrAbsent() throws Exception {
        Run run = run(true, NAMES, READS_EACH);
        assertThat(run.failures()).isEmpty();
        // the run did what it was for
        assertThat(run.created().get() + run.replaced().get() + run.failures().size()).isGreaterThan(WRITERS * WRITES_EACH / 2);
        assertThat(run.replaced().get()).isPositive();
        assertThat(run.deleted().get()).isPositive();
        assertThat(run.wholeReads().get()).isPositive();
        assertThat(run.listings().get()).isPositive();
    }

    @Test
    void uploadsOfRandomSizesInterleavedWithReadsNeverServeAPartialBody() throws Exception {
        Run run = run(false, 2, 4 * READS_EACH); // few names, many reads: hit in about one run of three here
        assertThat(run.failures()).isEmpty();
        assertThat(run.wholeReads().get()).isPositive();
    }
}
