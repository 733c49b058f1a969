package dev.tessera.token.files;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Writes files atomically, only their owner can read (mode 0600) unless asked otherwise: the content
 * goes to a temporary file in the same directory, created with its final mode from the start, is
 * flushed to disk, and is then renamed over the target. A reader sees the old file or the new one,
 * never a partial one, and a crash leaves the old file intact.
 */
public final class PrivateFiles {
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private PrivateFiles() {
    }

    /** Mode 0644, for files meant to be published (a JWKS, discovery metadata). */
    public static final Set<PosixFilePermission> WORLD_READABLE = PosixFilePermissions.fromString("rw-r--r--");

    /** Replaces {@code target} with {@code content}, mode 0600. */
    public static void writeAtomically(Path target, byte[] content) throws IOException {
        writeAtomically(target, content, OWNER_ONLY);
    }

    /** Replaces {@code target} with {@code content}, with the given mode (ignored off POSIX). */
    public static void writeAtomically(Path target, byte[] content, Set<PosixFilePermission> mode) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        // created owner-only: a read-only final mode (0400) is set once written, so a non-root writer can write it
        FileAttribute<?>[] attributes = POSIX
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)}
                : new FileAttribute<?>[0];
        Path temp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp", attributes);
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            if (POSIX) {
                Files.setPosixFilePermissions(temp, mode); // also undoes what the umask narrowed
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            syncDirectory(dir);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** Whether {@code file} can be read or written by anyone but its owner (always false off POSIX). */
    public static boolean isGroupOrWorldAccessible(Path file) throws IOException {
        if (!POSIX) {
            return false;
        }
        Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
        return !OWNER_ONLY.containsAll(permissions) || permissions.contains(PosixFilePermission.OWNER_EXECUTE);
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true); // makes the rename itself durable
        } catch (IOException e) {
            // some file systems cannot open directories; the rename is still atomic
        }
    }
}
