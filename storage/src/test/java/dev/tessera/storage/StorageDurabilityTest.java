package dev.tessera.storage;

import static dev.tessera.storage.StorageFixture.AUDIENCE;
import static dev.tessera.storage.StorageFixture.eventually;
import static dev.tessera.storage.StorageFixture.names;
import static dev.tessera.storage.StorageFixture.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.storage.StorageFixture.Client;
import dev.tessera.storage.StorageFixture.Issuer;
import dev.tessera.storage.StorageFixture.RawResponse;
import dev.tessera.storage.StorageFixture.Storage;
import dev.tessera.storage.http.StorageHandler;
import dev.tessera.storage.service.Access;
import dev.tessera.storage.service.FileTree;
import dev.tessera.web.HttpServer;
import dev.tessera.web.ServerTls;
import dev.tessera.web.TokenTrust;
import dev.tessera.web.TrustedIssuer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing partial is ever visible or left behind: a client that disconnects mid-upload, a full disk,
 * a server killed with an upload in staging, and readers racing an overwrite.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class StorageDurabilityTest {
    @TempDir
    Path dir;
    static Issuer issuer;
    static String token;
    Storage storage;

    @BeforeAll
    static void startIssuer() {
        issuer = Issuer.start("/vo");
        token = issuer.scitoken("read:/ write:/");
    }

    @AfterAll
    static void stopIssuer() {
        if (issuer != null) {
            issuer.close();
        }
    }

    @AfterEach
    void stop() {
        if (storage != null) {
            storage.close();
        }
    }

    List<TrustedIssuer> trusted() {
        return List.of(new TrustedIssuer(issuer.url(), "/vo", List.of(), List.of(), null));
    }

    Storage startReal() throws IOException {
        storage = StorageFixture.start(dir, List.of(AUDIENCE), trusted());
        Files.createDirectories(storage.root().resolve("vo"));
        return storage;
    }

    Path disk(String abs) {
        return storage.root().resolve(abs.substring(1));
    }

    // ---------------------------------------------------------------- client disconnects

    /** Sends the head of a 10 MB PUT and 1 MB of it, waits until the upload is in staging, and hangs up. */
    void abandonUpload(String target) throws Exception {
        try (SSLSocket socket = storage.raw().open()) {
            OutputStream out = socket.getOutputStream();
            out.write(("PUT " + target + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
                    + "\r\nContent-Length: " + (10 << 20) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = new byte[64 << 10];
            java.util.Arrays.fill(chunk, (byte) 'p');
            for (int i = 0; i < 16; i++) {
                out.write(chunk);
            }
            out.flush();
            assertThat(eventually(Duration.ofSeconds(20), () -> !names(storage.staging()).isEmpty()))
                    .as("the upload reached staging").isTrue();
            // while it runs, nothing of it is visible at the target
            HttpResponse<byte[]> during = storage.client().get(target, token);
            assertThat(during.statusCode() == 404 || !text(during).contains("ppp")).as("partial upload visible").isTrue();
        } // closed mid-body
        assertThat(eventually(Duration.ofSeconds(30), () -> names(storage.staging()).isEmpty()))
                .as("staging emptied after the disconnect").isTrue();
    }

    @Test
    void aClientThatHangsUpMidUploadLeavesNothing() throws Exception {
        startReal();
        abandonUpload("/vo/abandoned");
        assertThat(disk("/vo/abandoned")).doesNotExist();
        assertThat(names(disk("/vo"))).isEmpty();
        assertThat(storage.client().get("/vo/abandoned", token).statusCode()).isEqualTo(404);
        // and the service goes on
        assertThat(storage.client().put("/vo/abandoned", token, "complete").statusCode()).isEqualTo(201);
        assertThat(disk("/vo/abandoned")).hasContent("complete");
    }

    @Test
    void aClientThatHangsUpMidOverwriteLeavesTheOldContent() throws Exception {
        startReal();
        StorageFixture.write(disk("/vo/kept"), "the old content\n");
        abandonUpload("/vo/kept");
        assertThat(disk("/vo/kept")).hasContent("the old content");
        assertThat(text(storage.client().get("/vo/kept", token))).isEqualTo("the old content\n");
    }

    // ---------------------------------------------------------------- full disk

    /** A file channel that runs out of space after {@code budget} bytes, or when flushed. */
    static final class FullDisk implements FileTree.ChannelOpener {
        final AtomicLong budget = new AtomicLong(Long.MAX_VALUE);
        final AtomicBoolean failOnForce = new AtomicBoolean();
        final AtomicInteger opened = new AtomicInteger();

        @Override
        public FileChannel open(Path file, OpenOption... options) throws IOException {
            opened.incrementAndGet();
            return new Failing(FileChannel.open(file, options), budget.get(), failOnForce.get());
        }

        static final class Failing extends FileChannel {
            private final FileChannel delegate;
            private long left;
            private final boolean failOnForce;

            Failing(FileChannel delegate, long budget, boolean failOnForce) {
                this.delegate = delegate;
                this.left = budget;
                this.failOnForce = failOnForce;
            }

            private static IOException full() {
                return new IOException("No space left on device");
            }

            @Override
            public int write(ByteBuffer src) throws IOException {
                if (left <= 0) {
                    throw full();
                }
                if (src.remaining() > left) {
                    ByteBuffer part = src.duplicate();
                    part.limit(part.position() + (int) left);
                    int n = delegate.write(part);
                    src.position(src.position() + n);
                    left -= n;
                    return n; // a short write; the next one fails
                }
                int n = delegate.write(src);
                left -= n;
                return n;
            }

            @Override
            public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
                long total = 0;
                for (int i = offset; i < offset + length; i++) {
                    total += write(srcs[i]);
                }
                return total;
            }

            @Override
            public int write(ByteBuffer src, long position) throws IOException {
                throw full();
            }

            @Override
            public void force(boolean metaData) throws IOException {
                if (failOnForce) {
                    throw full();
                }
                delegate.force(metaData);
            }

            @Override
            public int read(ByteBuffer dst) throws IOException {
                return delegate.read(dst);
            }

            @Override
            public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
                return delegate.read(dsts, offset, length);
            }

            @Override
            public int read(ByteBuffer dst, long position) throws IOException {
                return delegate.read(dst, position);
            }

            @Override
            public long position() throws IOException {
                return delegate.position();
            }

            @Override
            public FileChannel position(long newPosition) throws IOException {
                delegate.position(newPosition);
                return this;
            }

            @Override
            public long size() throws IOException {
                return delegate.size();
            }

            @Override
            public FileChannel truncate(long size) throws IOException {
                delegate.truncate(size);
                return this;
            }

            @Override
            public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
                return delegate.transferTo(position, count, target);
            }

            @Override
            public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
                throw full();
            }

            @Override
            public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
                return delegate.map(mode, position, size);
            }

            @Override
            public FileLock lock(long position, long size, boolean shared) throws IOException {
                return delegate.lock(position, size, shared);
            }

            @Override
            public FileLock tryLock(long position, long size, boolean shared) throws IOException {
                return delegate.tryLock(position, size, shared);
            }

            @Override
            protected void implCloseChannel() throws IOException {
                delegate.close();
            }
        }
    }

    Storage startFull(FullDisk opener, PrometheusMeterRegistry registry) throws IOException {
        Path root = Files.createDirectories(dir.resolve("root"));
        Path data = Files.createDirectories(dir.resolve("data"));
        Files.createDirectories(root.resolve("vo"));
        TokenTrust trust = new TokenTrust(trusted(), List.of(AUDIENCE),
                List.of(StorageFixture.CA.writeCaPem(dir.resolve("ca.pem"))));
        StorageHandler handler = new StorageHandler(new Access(trust), new FileTree(root, opener), registry);
        HttpServer server = HttpServer.builder().name("storage").host("localhost").port(0)
                .tls(ServerTls.selfSigned(data)).metrics(registry).handler(handler).build().start();
        storage = StorageFixture.wrap(server, root, data);
        return storage;
    }

    /** A PUT written in full before the answer is read. */
    RawResponse rawPut(String target, byte[] body) throws IOException {
        return storage.raw().exchange("PUT " + target + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
                + "\r\nContent-Length: " + body.length, body);
    }

    @Test
    void aFullDiskIs507AndLeavesNothingPartial() throws Exception {
        FullDisk opener = new FullDisk();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        startFull(opener, registry);
        byte[] big = new byte[300_000];
        new Random(1).nextBytes(big);
        StorageFixture.write(disk("/vo/existing"), "the old content\n");
        Files.write(disk("/vo/source"), big);

        opener.budget.set(200_000);
        RawResponse created = rawPut("/vo/new", big);
        assertThat(created.status()).isEqualTo(507);
        assertThat(created.text()).contains("no space left");
        RawResponse replaced = rawPut("/vo/existing", big);
        assertThat(replaced.status()).isEqualTo(507);
        HttpResponse<byte[]> copied = storage.client().send("COPY", "/vo/source", token, null,
                "Destination", storage.url() + "/vo/copy");
        assertThat(copied.statusCode()).isEqualTo(507);

        opener.budget.set(Long.MAX_VALUE);
        opener.failOnForce.set(true); // the data fitted, the flush did not
        assertThat(rawPut("/vo/new", big).status()).isEqualTo(507);
        assertThat(rawPut("/vo/existing", big).status()).isEqualTo(507);
        assertThat(opener.opened.get()).isEqualTo(5);

        assertThat(disk("/vo/new")).doesNotExist();
        assertThat(disk("/vo/copy")).doesNotExist();
        assertThat(disk("/vo/existing")).hasContent("the old content");
        assertThat(names(storage.staging())).isEmpty();
        assertThat(names(disk("/vo"))).containsExactly("existing", "source");

        // space again: the same requests succeed
        opener.failOnForce.set(false);
        assertThat(rawPut("/vo/new", big).status()).isEqualTo(201);
        assertThat(Files.readAllBytes(disk("/vo/new"))).isEqualTo(big);
        assertThat(names(storage.staging())).isEmpty();
        assertThat(registry.scrape()).containsPattern(
                "tessera_storage_requests_seconds_count\\{[^}]*method=\"PUT\"[^}]*outcome=\"insufficient_storage\"");
    }

    // ---------------------------------------------------------------- a killed server

    @Test
    void leftoversOfAKilledServerAreRemovedAtStart() throws Exception {
        Path root = Files.createDirectories(dir.resolve("root"));
        Path staging = Files.createDirectories(root.resolve(FileTree.RESERVED_PREFIX + "staging"));
        Files.writeString(staging.resolve("upload-123.part"), "half an upload");
        Files.writeString(staging.resolve("upload-456.part"), "");
        new FileTree(root);
        assertThat(names(staging)).isEmpty();
    }

    @Test
    void aServerKilledMidUploadRestartsWithNothingPartial() throws Exception {
        startReal();
        StorageFixture.write(disk("/vo/kept"), "the old content\n");
        Path kill = Files.createDirectories(dir.resolve("what-a-kill-leaves"));
        for (String target : List.of("/vo/killed", "/vo/kept")) {
            try (SSLSocket socket = storage.raw().open()) {
                OutputStream out = socket.getOutputStream();
                out.write(("PUT " + target + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + token
                        + "\r\nContent-Length: " + (10 << 20) + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(new byte[1 << 20]);
                out.flush();
                assertThat(eventually(Duration.ofSeconds(20), () -> !names(storage.staging()).isEmpty())).isTrue();
                // what SIGKILL would leave: the staged part, exactly as it is now
                for (String name : names(storage.staging())) {
                    Files.copy(storage.staging().resolve(name), kill.resolve(name));
                }
            }
            assertThat(eventually(Duration.ofSeconds(30), () -> names(storage.staging()).isEmpty())).isTrue();
        }
        storage.close();
        storage = null;
        for (String name : names(kill)) {
            Files.copy(kill.resolve(name), dir.resolve("root/.tessera-staging").resolve(name));
        }
        assertThat(names(dir.resolve("root/.tessera-staging"))).hasSize(2);

        startReal(); // the same root and data
        assertThat(names(storage.staging())).isEmpty();
        assertThat(disk("/vo/killed")).doesNotExist();
        assertThat(disk("/vo/kept")).hasContent("the old content");
        assertThat(names(disk("/vo"))).containsExactly("kept");
    }

    // ---------------------------------------------------------------- overwrite under readers

    /** What readers saw while a file was replaced {@code writes} times. */
    record Race(List<String> bad, int reads) {
    }

    /**
     * Replaces {@code /vo/hot} {@code writes} times (version {@code i} of {@code size(i)} bytes) while two
     * readers read it, over HTTP/2 or straight from the disk, until the last write is done.
     */
    Race race(int writes, java.util.function.IntUnaryOperator size, boolean http) throws Exception {
        Random random = new Random(42);
        List<byte[]> contents = new ArrayList<>();
        for (int i = 0; i <= writes; i++) {
            contents.add(StorageFixture.selfChecking(random, size.applyAsInt(i) - 32));
        }
        Set<String> versions = Collections.synchronizedSet(new HashSet<>());
        versions.add(hex(contents.get(0)));
        Files.write(disk("/vo/hot"), contents.get(0));
        Client writer = storage.client();
        Client reader = storage.client(java.net.http.HttpClient.Version.HTTP_2);
        AtomicBoolean writing = new AtomicBoolean(true);
        List<String> bad = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger reads = new AtomicInteger();
        Runnable read = () -> {
            do {
                byte[] body;
                try {
                    if (http) {
                        HttpResponse<byte[]> response = reader.get("/vo/hot", token);
                        if (response.statusCode() != 200) {
                            bad.add("status " + response.statusCode());
                            continue;
                        }
                        body = response.body();
                    } else {
                        body = Files.readAllBytes(disk("/vo/hot"));
                    }
                } catch (RuntimeException | IOException e) {
                    bad.add(e.toString());
                    continue;
                } finally {
                    reads.incrementAndGet();
                }
                if (!StorageFixture.isWhole(body) || !versions.contains(hex(body))) {
                    bad.add(describe(body, contents));
                }
            } while (writing.get());
        };
        CompletableFuture<Void> readers = CompletableFuture.allOf(CompletableFuture.runAsync(read),
                CompletableFuture.runAsync(read));
        try {
            for (byte[] content : contents.subList(1, contents.size())) {
                versions.add(hex(content)); // before it can be seen
                assertThat(writer.put("/vo/hot", token, content).statusCode()).isEqualTo(204);
                int seen = reads.get();
                assertThat(eventually(Duration.ofSeconds(30), () -> reads.get() > seen)).isTrue();
            }
        } finally {
            writing.set(false);
        }
        readers.get(2, TimeUnit.MINUTES);
        assertThat(Files.readAllBytes(disk("/vo/hot"))).isEqualTo(contents.get(writes));
        assertThat(names(storage.staging())).isEmpty();
        return new Race(bad, reads.get());
    }

    static String describe(byte[] body, List<byte[]> contents) {
        for (int i = 0; i < contents.size(); i++) {
            byte[] c = contents.get(i);
            if (body.length < c.length && java.util.Arrays.equals(body, 0, body.length, c, 0, body.length)) {
                return "a body of " + body.length + " bytes: the first bytes of version " + i + " (" + c.length + " bytes)";
            }
        }
        return "a body of " + body.length + " bytes that is no version written";
    }

    @Test
    void anOverwriteIsAtomicOnDisk() throws Exception {
        startReal();
        Race race = race(24, i -> 64 * 1024 * (1 + i % 8), false); // 64 KB to 512 KB
        assertThat(race.bad()).isEmpty();
        assertThat(race.reads()).isPositive();
    }

    @Test
    void httpReadersOfAFileReplacedBySameSizeVersionsSeeWholeVersions() throws Exception {
        startReal();
        Race race = race(24, i -> 256 * 1024, true);
        assertThat(race.bad()).isEmpty();
        assertThat(race.reads()).isPositive();
    }

    @Test
    void httpReadersOfAFileBeingReplacedSeeTheOldOrTheNewContentNeverAMix() throws Exception {
        startReal();
        Race race = race(120, i -> 64 * 1024 * (1 + i % 8), true); // 64 KB to 512 KB; a race: not hit in every run
        assertThat(race.bad()).isEmpty();
        assertThat(race.reads()).isPositive();
    }

    static String hex(byte[] content) {
        return HexFormat.of().formatHex(StorageFixture.sha256(content));
    }
}
