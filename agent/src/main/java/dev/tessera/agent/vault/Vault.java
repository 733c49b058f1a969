package dev.tessera.agent.vault;

import dev.tessera.token.files.PrivateFiles;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A user's private store of refresh tokens, one per issuer and client: a JSON file (default
 * {@code $XDG_CONFIG_HOME/tessera/vault.json}, else {@code $HOME/.config/tessera/vault.json}), mode 0600
 * in a 0700 directory, replaced atomically and durably on every change, so a crash leaves the old or the
 * new version and never loses a rotated refresh token.
 *
 * <p>With a passphrase the entries are encrypted (AES-256-GCM, key by Argon2id); without one the file is
 * protected by its permissions only. A plain vault is encrypted on its next change once a passphrase is
 * given. A file that cannot be read as a vault, or that others can read, is refused and left as it is
 * ({@link VaultException}); it is never overwritten.
 *
 * <p>Changes go through a {@link VaultSession}, which holds an exclusive lock (between processes and
 * between threads) from reading to the last write, so two clients never spend the same refresh token.
 */
public final class Vault {
    /** The environment variable holding the vault passphrase. */
    public static final String PASSPHRASE_ENV = "TESSERA_VAULT_PASSPHRASE";
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    private static final Set<PosixFilePermission> PRIVATE_DIR = PosixFilePermissions.fromString("rwx------");

    private final Path file;
    private final char[] passphrase;
    /** The key of the file as last read or written, so a session derives it once. */
    private VaultCipher.Key key;

    /**
     * A vault in {@code file}.
     *
     * @param passphrase the passphrase, or {@code null} to keep the vault in clear (permissions only)
     */
    public Vault(Path file, char[] passphrase) {
        this.file = file.toAbsolutePath();
        this.passphrase = passphrase == null ? null : passphrase.clone();
        if (passphrase != null && passphrase.length == 0) {
            throw new IllegalArgumentException("the vault passphrase is empty");
        }
    }

    /**
     * The default vault file: {@code $XDG_CONFIG_HOME/tessera/vault.json}, else
     * {@code $HOME/.config/tessera/vault.json}.
     *
     * @throws IllegalStateException when neither variable is set
     */
    public static Path defaultFile(Map<String, String> env) {
        String config = env.get("XDG_CONFIG_HOME");
        if (config != null && !config.isBlank() && Path.of(config).isAbsolute()) { // XDG: relative values are ignored
            return Path.of(config, "tessera", "vault.json");
        }
        String home = env.get("HOME");
        if (home == null || home.isBlank()) {
            throw new IllegalStateException("neither XDG_CONFIG_HOME nor HOME is set: name the vault file");
        }
        return Path.of(home, ".config", "tessera", "vault.json");
    }

    /** The vault file (absolute). */
    public Path file() {
        return file;
    }

    /** Whether a passphrase was given, so the vault is (or will be, on its next change) encrypted. */
    public boolean encrypts() {
        return passphrase != null;
    }

    /** The entries as they are now, read without locking. */
    public List<VaultEntry> entries() throws IOException {
        return read().entries();
    }

    /** Locks the vault for a read-modify-write; close the session to unlock. */
    public VaultSession lock() throws IOException {
        return VaultSession.open(this);
    }

    Path lockFile() {
        return file.resolveSibling(file.getFileName() + ".lock");
    }

    /** Creates the vault's directory, owner-only, when it does not exist. */
    void createDirectory() throws IOException {
        Path dir = file.getParent();
        if (!Files.isDirectory(dir)) {
            if (POSIX) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PRIVATE_DIR));
                Files.setPosixFilePermissions(dir, PRIVATE_DIR); // the umask may have narrowed it further
            } else {
                Files.createDirectories(dir);
            }
        }
    }

    synchronized VaultFormat.Contents read() throws IOException {
        byte[] content;
        try {
            if (PrivateFiles.isGroupOrWorldAccessible(file)) {
                throw new VaultException(VaultException.Kind.INSECURE_PERMISSIONS, file, "the vault " + file
                        + " can be read or written by other users: make it private (chmod 600 " + file + ")");
            }
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return VaultFormat.Contents.EMPTY;
        }
        try {
            Map<String, Object> outer = VaultFormat.outer(content);
            if (!VaultFormat.isEncrypted(outer)) {
                return new VaultFormat.Contents(VaultFormat.entries(outer), null);
            }
            VaultCipher.Kdf kdf = VaultFormat.kdf(outer);
            byte[] sealed = VaultFormat.ciphertext(outer);
            if (passphrase == null) {
                throw new VaultException(VaultException.Kind.PASSPHRASE_REQUIRED, file, "the vault " + file
                        + " is encrypted: give its passphrase (" + PASSPHRASE_ENV + " or a passphrase file)");
            }
            VaultCipher.Key fileKey = keyFor(kdf);
            byte[] inner = VaultCipher.open(fileKey, sealed);
            if (inner == null) {
                throw new VaultException(VaultException.Kind.WRONG_PASSPHRASE, file, "cannot decrypt the vault " + file
                        + ": wrong passphrase, or the file was altered (it was left as it is)");
            }
            key = fileKey;
            return new VaultFormat.Contents(VaultFormat.entries(inner), kdf);
        } catch (VaultFormat.Malformed e) {
            throw new VaultException(VaultException.Kind.CORRUPT, file, "the vault " + file + " is damaged ("
                    + e.getMessage() + "). It was left as it is: move it aside (mv " + file + " " + file
                    + ".bad) to start a new vault, then log in again");
        }
    }

    synchronized void write(List<VaultEntry> entries) throws IOException {
        createDirectory();
        byte[] content;
        if (passphrase == null) {
            content = VaultFormat.plain(entries);
        } else {
            if (key == null) {
                key = VaultCipher.derive(passphrase, VaultCipher.Kdf.fresh());
            }
            content = VaultFormat.sealed(entries, key);
        }
        PrivateFiles.writeAtomically(file, content);
    }

    private VaultCipher.Key keyFor(VaultCipher.Kdf kdf) {
        VaultCipher.Kdf known = key == null ? null : key.kdf();
        if (known != null && known.memoryKib() == kdf.memoryKib() && known.iterations() == kdf.iterations()
                && known.parallelism() == kdf.parallelism() && Arrays.equals(known.salt(), kdf.salt())) {
            return key;
        }
        return VaultCipher.derive(passphrase, kdf);
    }
}
