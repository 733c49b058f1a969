package dev.tessera.storage.service;

import dev.tessera.token.scope.ResourcePath;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.List;

/**
 * The served directory tree. Every path stays inside the root, symbolic links included; names starting
 * with {@code .tessera-} are the service's own and never served. Writes never leave a partial file
 * visible: an upload streams into {@code ROOT/.tessera-staging/}, is flushed to disk, and is then
 * renamed (or, when it must not overwrite, hard-linked) into place; staging leftovers from a killed
 * server are removed at start. The root must be one file system.
 */
public final class FileTree {
    /** Names the service keeps for itself. */
    public static final String RESERVED_PREFIX = ".tessera-";
    private static final int BUFFER = 256 * 1024;

    /** Opens upload files; tests substitute one that fails, to play a full disk. */
    @FunctionalInterface
    public interface ChannelOpener {
        FileChannel open(Path file, OpenOption... options) throws IOException;
    }

    /** Size, modification time (ms) and kind of an entry. */
    public record Info(String name, long size, long modified, boolean directory) {
    }

    /** How a PUT ended. */
    public enum Written { CREATED, REPLACED }

    private final Path root;
    private final Path staging;
    private final ChannelOpener opener;

    public FileTree(Path root) throws IOException {
        this(root, FileChannel::open);
    }

    public FileTree(Path root, ChannelOpener opener) throws IOException {
        if (!Files.isDirectory(root)) {
            throw new IOException("root is not a directory: " + root);
        }
        this.root = root.toRealPath();
        this.staging = this.root.resolve(RESERVED_PREFIX + "staging");
        this.opener = opener;
        Files.createDirectories(staging);
        try (DirectoryStream<Path> leftovers = Files.newDirectoryStream(staging)) {
            for (Path leftover : leftovers) {
                Files.deleteIfExists(leftover); // uploads a killed server never finished
            }
        }
    }

    public Path root() {
        return root;
    }

    /** The file for a tree path (it may not exist); refuses the service's own names. */
    public Path resolve(ResourcePath path) throws TreeException {
        String value = path.value(); // normalized: no empty, '.' or '..' segments
        if (value.startsWith("/" + RESERVED_PREFIX) || value.contains("/" + RESERVED_PREFIX)) {
            throw new TreeException(404, "not found");
        }
        return value.length() == 1 ? root : root.resolve(value.substring(1));
    }

    /** The entry's metadata, or {@code null} when it does not exist. */
    public Info stat(Path file) throws TreeException {
        confine(file);
        return attributes(file);
    }

    /** The entry's metadata without the confinement check (the caller did it). */
    private Info attributes(Path file) throws TreeException {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return new Info(file.equals(root) ? "" : file.getFileName().toString(), a.isDirectory() ? 0 : a.size(),
                    a.lastModifiedTime().toMillis(), a.isDirectory());
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new TreeException(500, "cannot read " + relative(file) + ": " + e.getMessage(), e);
        }
    }

    /** The entries of a directory, without the service's own, sorted by name. */
    public List<Info> list(Path dir) throws TreeException {
        confine(dir);
        List<Info> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            for (Path child : stream) {
                if (!child.getFileName().toString().startsWith(RESERVED_PREFIX)) {
                    try {
                        Info info = stat(child);
                        if (info != null) {
                            entries.add(info);
                        }
                    } catch (TreeException e) {
                        // a link leaving the tree, or dangling: not listed, and no reason to hide the rest
                    }
                }
            }
        } catch (IOException e) {
            throw new TreeException(500, "cannot list " + relative(dir) + ": " + e.getMessage(), e);
        }
        entries.sort((a, b) -> a.name().compareTo(b.name()));
        return entries;
    }

    /** An entry opened for reading: the channel (none for a directory) and the metadata of that version. */
    public record Opened(FileChannel channel, Info info) {
    }

    /**
     * Opens an entry. The size comes from the open file, so it always matches the content served even
     * when the path is replaced meanwhile; the modification time is re-read until it belongs to it.
     */
    public Opened open(Path file) throws TreeException {
        confineExisting(file);
        for (int attempt = 0; ; attempt++) {
            FileChannel channel;
            try {
                channel = FileChannel.open(file, StandardOpenOption.READ); // a directory opens too
            } catch (NoSuchFileException e) {
                throw new TreeException(404, "not found");
            } catch (IOException e) {
                throw new TreeException(500, "cannot read " + relative(file) + ": " + e.getMessage(), e);
            }
            try {
                Info info = attributes(file);
                if (info != null && info.directory()) {
                    channel.close();
                    return new Opened(null, info);
                }
                long size = channel.size(); // of the file opened, whatever the path names now
                if (info != null && info.size() == size || attempt >= 3) {
                    return new Opened(channel, new Info(file.getFileName().toString(), size,
                            info == null ? 0 : info.modified(), false));
                }
                channel.close(); // replaced between opening and looking: open the new one
            } catch (IOException | TreeException e) {
                closeQuietly(channel);
                throw e instanceof TreeException t ? t
                        : new TreeException(500, "cannot read " + relative(file) + ": " + e.getMessage(), e);
            }
        }
    }

    private static void closeQuietly(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            // nothing more to do
        }
    }

    /**
     * Stores {@code body} as {@code target}: all of it or nothing. With {@code overwrite} false an
     * existing target is never touched, even one created by a concurrent request.
     *
     * @param length the announced length, or -1 when unknown (chunked)
     */
    public Written write(Path target, InputStream body, long length, boolean overwrite) throws TreeException {
        Path parent = target.getParent();
        confine(parent);
        if (!Files.isDirectory(parent)) {
            throw new TreeException(409, "the parent directory does not exist");
        }
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new TreeException(409, "a directory exists at this path");
        }
        Path temp = null;
        try {
            temp = Files.createTempFile(staging, "upload-", ".part");
            long received = copy(body, temp);
            if (length >= 0 && received != length) {
                throw new TreeException(400, "received " + received + " bytes, Content-Length said " + length);
            }
            Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-r--r--"));
            Written written;
            if (overwrite) {
                boolean existed = Files.exists(target, LinkOption.NOFOLLOW_LINKS);
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                written = existed ? Written.REPLACED : Written.CREATED;
            } else {
                Files.createLink(target, temp); // link(2) fails if the target exists: no race, no overwrite
                Files.delete(temp);
                written = Written.CREATED;
            }
            syncDirectory(parent);
            return written;
        } catch (FileAlreadyExistsException e) {
            throw new TreeException(412, "the file exists and may not be overwritten");
        } catch (AtomicMoveNotSupportedException e) {
            throw new TreeException(500, "the target is on another file system than the root", e);
        } catch (IOException e) {
            boolean full = e.getMessage() != null && e.getMessage().contains("No space left");
            throw new TreeException(full ? 507 : 500, full ? "no space left on the storage"
                    : "upload failed: " + e.getMessage(), e);
        } finally {
            deleteQuietly(temp);
        }
    }

    /** Records the local owner of a file the caller created (extended attribute, where the file system has them). */
    public void recordOwner(Path file, String owner) {
        UserDefinedFileAttributeView view = Files.getFileAttributeView(file, UserDefinedFileAttributeView.class);
        if (owner == null || view == null) {
            return;
        }
        try {
            view.write("tessera.owner", java.nio.charset.StandardCharsets.UTF_8.encode(owner));
        } catch (IOException | UnsupportedOperationException e) {
            // not every file system stores user attributes; ownership metadata is best effort
        }
    }

    public void mkcol(Path dir) throws TreeException {
        confine(dir.getParent());
        if (!Files.isDirectory(dir.getParent())) {
            throw new TreeException(409, "the parent directory does not exist");
        }
        try {
            Files.createDirectory(dir);
        } catch (FileAlreadyExistsException e) {
            throw new TreeException(405, "something exists at this path");
        } catch (IOException e) {
            throw new TreeException(500, "cannot create the directory: " + e.getMessage(), e);
        }
    }

    /** Deletes a file, or a directory with everything in it. */
    public void delete(Path file) throws TreeException {
        if (file.equals(root)) {
            throw new TreeException(403, "the root cannot be deleted");
        }
        confine(file);
        try {
            if (Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
                Files.walkFileTree(file, new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                        Files.delete(f);
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                        if (e != null) {
                            throw e;
                        }
                        Files.delete(d);
                        return FileVisitResult.CONTINUE;
                    }
                });
            } else {
                Files.delete(file);
            }
            syncDirectory(file.getParent());
        } catch (NoSuchFileException e) {
            throw new TreeException(404, "not found");
        } catch (IOException e) {
            throw new TreeException(500, "cannot delete: " + e.getMessage(), e);
        }
    }

    /** Renames {@code source} to {@code target} atomically. */
    public Written move(Path source, Path target, boolean overwrite) throws TreeException {
        refuseInto(source, target);
        confine(source);
        confine(target.getParent());
        if (!Files.isDirectory(target.getParent())) {
            throw new TreeException(409, "the destination's parent directory does not exist");
        }
        boolean existed = Files.exists(target, LinkOption.NOFOLLOW_LINKS);
        if (existed && !overwrite) {
            throw new TreeException(412, "the destination exists and Overwrite is F");
        }
        try {
            if (existed && Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                delete(target);
            }
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            syncDirectory(target.getParent());
            return existed ? Written.REPLACED : Written.CREATED;
        } catch (NoSuchFileException e) {
            throw new TreeException(404, "not found");
        } catch (IOException e) {
            throw new TreeException(500, "cannot move: " + e.getMessage(), e);
        }
    }

    /** Copies a file (through staging, so the copy appears whole) or a directory tree. */
    public Written copy(Path source, Path target, boolean overwrite) throws TreeException {
        refuseInto(source, target);
        confine(source);
        Info info = stat(source);
        if (info == null) {
            throw new TreeException(404, "not found");
        }
        boolean existed = Files.exists(target, LinkOption.NOFOLLOW_LINKS);
        if (existed && !overwrite) {
            throw new TreeException(412, "the destination exists and Overwrite is F");
        }
        if (!info.directory()) {
            try (InputStream in = Files.newInputStream(source)) {
                return write(target, in, info.size(), true);
            } catch (IOException e) {
                throw new TreeException(500, "cannot copy: " + e.getMessage(), e);
            }
        }
        if (existed) {
            delete(target);
        }
        mkcol(target);
        for (Info child : list(source)) {
            copy(source.resolve(child.name()), target.resolve(child.name()), true);
        }
        return existed ? Written.REPLACED : Written.CREATED;
    }

    /** A directory cannot be copied or moved into itself (the copy would contain itself). */
    private static void refuseInto(Path source, Path target) throws TreeException {
        if (target.equals(source)) {
            throw new TreeException(403, "source and destination are the same");
        }
        if (target.startsWith(source)) {
            throw new TreeException(409, "a directory cannot be copied or moved into itself");
        }
    }

    /** The tree path of a file, for messages. */
    public String relative(Path file) {
        return "/" + root.relativize(file);
    }

    /** {@link #confine} for a path expected to exist: one realpath, no existence walk. */
    private void confineExisting(Path file) throws TreeException {
        try {
            Path real = file.toRealPath();
            if (!real.startsWith(root)) {
                throw new TreeException(403, "the path leaves the served tree");
            }
            if (real.startsWith(staging)) {
                throw new TreeException(404, "not found");
            }
        } catch (NoSuchFileException e) {
            throw new TreeException(404, "not found");
        } catch (IOException e) {
            throw new TreeException(500, "cannot resolve the path: " + e.getMessage(), e);
        }
    }

    /** Refuses paths whose real location (symbolic links resolved) is outside the root. */
    private void confine(Path file) throws TreeException {
        Path existing = file;
        while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            existing = existing.getParent();
        }
        try {
            Path real = existing == null ? null : existing.toRealPath();
            if (real == null || !real.startsWith(root)) {
                throw new TreeException(403, "the path leaves the served tree");
            }
            if (real.startsWith(staging)) {
                throw new TreeException(404, "not found"); // a link into the service's own uploads
            }
        } catch (NoSuchFileException e) {
            throw new TreeException(404, "not found"); // a dangling link
        } catch (IOException e) {
            throw new TreeException(500, "cannot resolve the path: " + e.getMessage(), e);
        }
    }

    private long copy(InputStream body, Path temp) throws IOException {
        long total = 0;
        byte[] buffer = new byte[BUFFER];
        try (FileChannel out = opener.open(temp, StandardOpenOption.WRITE)) {
            for (int n; (n = body.read(buffer)) >= 0; ) {
                ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, n);
                while (chunk.hasRemaining()) {
                    out.write(chunk);
                }
                total += n;
            }
            out.force(true);
        }
        return total;
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // the rename is atomic either way; fsync of directories is not available everywhere
        }
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                // a leftover in staging is removed at the next start
            }
        }
    }
}
