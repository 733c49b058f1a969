package dev.tessera.agent.vault;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Exclusive use of a vault, from reading it to the last change: other processes wait on a lock file
 * next to the vault ({@code vault.json.lock}), other threads of this one on an in-process lock (a file
 * lock is held per process, so it alone would not keep two threads apart). Every change is written
 * durably before the method returns.
 */
public final class VaultSession implements AutoCloseable {
    private static final ConcurrentHashMap<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");

    private final Vault vault;
    private final ReentrantLock threadLock;
    private final FileChannel lockChannel;
    private final FileLock fileLock;
    private final List<VaultEntry> entries;

    private VaultSession(Vault vault, ReentrantLock threadLock, FileChannel lockChannel, FileLock fileLock,
                         List<VaultEntry> entries) {
        this.vault = vault;
        this.threadLock = threadLock;
        this.lockChannel = lockChannel;
        this.fileLock = fileLock;
        this.entries = new ArrayList<>(entries);
    }

    static VaultSession open(Vault vault) throws IOException {
        ReentrantLock threadLock = IN_PROCESS.computeIfAbsent(vault.file(), f -> new ReentrantLock());
        threadLock.lock();
        FileChannel channel = null;
        try {
            vault.createDirectory();
            FileAttribute<?>[] mode = POSIX
                    ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                    : new FileAttribute<?>[0];
            channel = FileChannel.open(vault.lockFile(), java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                    mode);
            FileLock lock = channel.lock();
            try {
                return new VaultSession(vault, threadLock, channel, lock, vault.read().entries());
            } catch (IOException | RuntimeException e) {
                lock.release();
                throw e;
            }
        } catch (IOException | RuntimeException e) {
            if (channel != null) {
                channel.close();
            }
            threadLock.unlock();
            throw e;
        }
    }

    /** The entries, in the order they were stored. */
    public List<VaultEntry> entries() {
        return List.copyOf(entries);
    }

    /** The entry of {@code issuer} and {@code clientId}. */
    public Optional<VaultEntry> find(String issuer, String clientId) {
        return entries.stream().filter(e -> e.isFor(issuer, clientId)).findFirst();
    }

    /** Stores {@code entry}, replacing the one of the same issuer and client; durable on return. */
    public void put(VaultEntry entry) throws IOException {
        List<VaultEntry> changed = new ArrayList<>(entries);
        int at = indexOf(entry.issuer(), entry.clientId());
        if (at >= 0) {
            changed.set(at, entry);
        } else {
            changed.add(entry);
        }
        save(changed);
    }

    /** Removes the entry of {@code issuer} and {@code clientId}; durable on return. False if there was none. */
    public boolean remove(String issuer, String clientId) throws IOException {
        int at = indexOf(issuer, clientId);
        if (at < 0) {
            return false;
        }
        List<VaultEntry> changed = new ArrayList<>(entries);
        changed.remove(at);
        save(changed);
        return true;
    }

    private void save(List<VaultEntry> changed) throws IOException {
        vault.write(changed); // only then is the in-memory view changed: a failed write changes nothing
        entries.clear();
        entries.addAll(changed);
    }

    private int indexOf(String issuer, String clientId) {
        for (int i = 0; i < entries.size(); i++) {
            if (entries.get(i).isFor(issuer, clientId)) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public void close() throws IOException {
        try {
            fileLock.release();
            lockChannel.close();
        } finally {
            threadLock.unlock();
        }
    }
}
