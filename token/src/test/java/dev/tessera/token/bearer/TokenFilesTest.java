package dev.tessera.token.bearer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bearer-token files: 0600, token plus newline, replaced atomically, no temporary files left behind. */
class TokenFilesTest {
    @TempDir
    Path dir;

    static Set<String> listing(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return Set.copyOf(files.map(p -> p.getFileName().toString()).toList());
        }
    }

    static String mode(Path file) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void writesTokenAndNewlineWithMode0600() throws Exception {
        Path file = dir.resolve("bt_u1000");

        TokenFiles.write(file, "eyJ.abc.def");

        assertThat(Files.readString(file)).isEqualTo("eyJ.abc.def\n");
        assertThat(mode(file)).isEqualTo("rw-------");
        assertThat(listing(dir)).containsExactly("bt_u1000");
    }

    @Test
    void replacesAnExistingFileAndItsMode() throws Exception {
        Path file = Files.writeString(dir.resolve("bt_u1000"), "old-token-that-is-longer\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        Object inodeBefore = Files.getAttribute(file, "unix:ino");

        TokenFiles.write(file, "new");

        assertThat(Files.readString(file)).isEqualTo("new\n");
        assertThat(mode(file)).isEqualTo("rw-------");
        assertThat(Files.getAttribute(file, "unix:ino")).as("replaced by rename, not rewritten in place")
                .isNotEqualTo(inodeBefore);
        assertThat(listing(dir)).containsExactly("bt_u1000");
    }

    @Test
    void createsParentDirectories() throws Exception {
        Path file = dir.resolve("a/b/c/bt_u1000");

        TokenFiles.write(file, "tok");

        assertThat(Files.readString(file)).isEqualTo("tok\n");
        assertThat(mode(file)).isEqualTo("rw-------");
    }

    @Test
    void relativePathWorks() throws Exception {
        Path relative = Path.of("").toAbsolutePath().relativize(dir.resolve("rel/bt_u1"));

        TokenFiles.write(relative, "tok");

        assertThat(Files.readString(dir.resolve("rel/bt_u1"))).isEqualTo("tok\n");
    }

    @Test
    void writtenFileIsReadBackByDiscovery() throws Exception {
        Path file = dir.resolve("token");
        TokenFiles.write(file, "abc.def-ghi");

        BearerTokenDiscovery.Result result = new BearerTokenDiscovery(
                java.util.Map.of("BEARER_TOKEN_FILE", file.toString()), 1000, dir).discover();

        assertThat(result.token()).isEqualTo("abc.def-ghi");
    }

    @Test
    void writingIntoAFileThatIsADirectoryFailsAndLeavesNoTemporaryFile() throws Exception {
        Path target = Files.createDirectory(dir.resolve("bt_u1000"));
        Files.writeString(target.resolve("inside"), "x");

        assertThatThrownBy(() -> TokenFiles.write(target, "tok")).isInstanceOf(IOException.class);
        assertThat(listing(dir)).containsExactly("bt_u1000");
    }

    /**
     * A reader polling the file while it is rewritten 500 times must always see one complete token:
     * never a missing file, an empty file or a mix of two tokens.
     */
    @Test
    void concurrentReaderNeverSeesAPartialOrEmptyToken() throws Exception {
        Path file = dir.resolve("bt_u1000");
        List<String> tokens = List.of("A".repeat(6000), "b".repeat(9000), "C".repeat(3000), "d".repeat(12000));
        Set<String> valid = Set.copyOf(tokens.stream().map(t -> t + "\n").toList());
        TokenFiles.write(file, tokens.get(0));

        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<String> bad = new AtomicReference<>();
        AtomicInteger reads = new AtomicInteger();
        Set<String> seen = ConcurrentHashMap.newKeySet();
        CountDownLatch readerRunning = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            readerRunning.countDown();
            while (!done.get() || reads.get() == 0) {
                try {
                    String content = Files.readString(file, StandardCharsets.US_ASCII);
                    reads.incrementAndGet();
                    seen.add(content);
                    if (!valid.contains(content)) {
                        bad.compareAndSet(null, content.length() + " chars: "
                                + content.substring(0, Math.min(40, content.length())));
                    }
                } catch (NoSuchFileException e) {
                    bad.compareAndSet(null, "file missing during a rewrite");
                } catch (IOException e) {
                    bad.compareAndSet(null, e.toString());
                }
            }
        }, "token-file-reader");
        reader.start();
        readerRunning.await();
        try {
            for (int i = 1; i <= 500; i++) {
                TokenFiles.write(file, tokens.get(i % tokens.size()));
            }
        } finally {
            done.set(true);
            reader.join(60_000);
        }

        assertThat(bad.get()).as("what the reader saw").isNull();
        assertThat(reads.get()).isPositive();
        assertThat(Files.readString(file)).isEqualTo(tokens.get(0) + "\n"); // 500 % 4 == 0
        assertThat(listing(dir)).as("no temporary files left behind").containsExactly("bt_u1000");
    }

    /** Bearer tokens are ASCII (RFC 6750); anything else must be refused, not silently altered. */
    @Test
    void nonAsciiTokenIsRefusedNotAltered() throws Exception {
        Path file = dir.resolve("bt_u1000");

        assertThatThrownBy(() -> TokenFiles.write(file, "t\u00f6ken"))
                .isInstanceOfAny(IOException.class, IllegalArgumentException.class);
        assertThat(file).doesNotExist();
    }

    @Test
    void uidIsTheOwnerOfAFreshlyCreatedFile() throws Exception {
        Path probe = Files.createTempFile(dir, "uid", null);

        assertThat(Uid.effective()).isEqualTo(((Number) Files.getAttribute(probe, "unix:uid")).longValue());
    }
}
