package dev.tessera.agent.shell;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A bearer-token file of one command's own: {@code token} in a fresh directory only its owner can enter
 * (0700), so no other user can read it or guess its name, removed with its directory on {@link #close}
 * and, should the JVM be stopped first, at its shutdown.
 */
public final class PrivateTokenFile implements AutoCloseable {
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    private final Path dir;
    private final Path file;
    private final Thread cleanup;

    private PrivateTokenFile(Path dir) {
        this.dir = dir;
        this.file = dir.resolve("token");
        this.cleanup = new Thread(this::delete, "tessera-token-file-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
    }

    /**
     * Creates the directory in {@code parent}: usually {@code $XDG_RUNTIME_DIR} (private, in memory),
     * else the system's temporary directory.
     */
    public static PrivateTokenFile create(Path parent) throws IOException {
        FileAttribute<?>[] mode = POSIX
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))}
                : new FileAttribute<?>[0];
        return new PrivateTokenFile(Files.createTempDirectory(parent, "tessera-", mode));
    }

    /** The token file (it exists once a token was written to it). */
    public Path path() {
        return file;
    }

    /** Deletes the file and its directory. */
    @Override
    public void close() {
        delete();
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException e) {
            // already shutting down: the hook runs anyway
        }
    }

    private void delete() {
        try (var leftovers = Files.list(dir)) {
            for (Path p : (Iterable<Path>) leftovers::iterator) {
                Files.deleteIfExists(p); // the token, and a temporary file of a write cut short
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // already gone, or not ours to remove any more
        }
    }
}
