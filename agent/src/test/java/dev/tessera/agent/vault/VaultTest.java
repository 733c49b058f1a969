package dev.tessera.agent.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The refresh-token vault: where it lives, its modes, encryption at rest, and what it refuses. */
class VaultTest {
    static final String REFRESH_TOKEN = "rt-8GdJz3qk0Lw9Vb2NcX7s1uYhT5eRfPa4";
    static final char[] PASSPHRASE = "tr0ub4dor&3 but longer".toCharArray();

    @TempDir
    Path dir;

    static VaultEntry entry(String issuer, String refreshToken) {
        return new VaultEntry(issuer, "cli", refreshToken, "read:/ligo offline_access", List.of("https://data.example.org"),
                Instant.ofEpochSecond(1_767_225_600L));
    }

    /** Stores {@code entries} in the vault in {@code file}, as one session would. */
    static void store(Path file, char[] passphrase, VaultEntry... entries) throws Exception {
        try (VaultSession session = new Vault(file, passphrase).lock()) {
            for (VaultEntry entry : entries) {
                session.put(entry);
            }
        }
    }

    static String mode(Path path) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    @Test
    void theDefaultFileFollowsXdgConfigHomeElseHome() {
        assertThat(Vault.defaultFile(Map.of("XDG_CONFIG_HOME", "/cfg", "HOME", "/home/a")))
                .isEqualTo(Path.of("/cfg/tessera/vault.json"));
        assertThat(Vault.defaultFile(Map.of("XDG_CONFIG_HOME", "relative", "HOME", "/home/a")))
                .isEqualTo(Path.of("/home/a/.config/tessera/vault.json"));
        assertThat(Vault.defaultFile(Map.of("HOME", "/home/a"))).isEqualTo(Path.of("/home/a/.config/tessera/vault.json"));
        assertThatThrownBy(() -> Vault.defaultFile(Map.of())).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aPlainVaultIsAnOwnerOnlyFileInAnOwnerOnlyDirectory() throws Exception {
        Path file = dir.resolve("config/tessera/vault.json");
        store(file, null, entry("https://a.example/vo/x", REFRESH_TOKEN));
        assertThat(mode(file)).isEqualTo("rw-------");
        assertThat(mode(file.getParent())).isEqualTo("rwx------");
        assertThat(Files.readString(file)).contains(REFRESH_TOKEN); // protected by permissions only
        assertThat(new Vault(file, null).entries()).containsExactly(entry("https://a.example/vo/x", REFRESH_TOKEN));
        try (var files = Files.list(file.getParent())) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("vault.json", "vault.json.lock");
        }
    }

    @Test
    void withAPassphraseTheRefreshTokenIsNotInTheFile() throws Exception {
        Path file = dir.resolve("vault.json");
        store(file, PASSPHRASE, entry("https://a.example/vo/x", REFRESH_TOKEN),
                entry("https://b.example/vo/y", REFRESH_TOKEN + "-b"));
        String content = Files.readString(file);
        assertThat(content).doesNotContain(REFRESH_TOKEN).doesNotContain("a.example").contains("\"A256GCM\"", "argon2id");
        assertThat(mode(file)).isEqualTo("rw-------");

        List<VaultEntry> read = new Vault(file, PASSPHRASE).entries();
        assertThat(read).extracting(VaultEntry::refreshToken).containsExactly(REFRESH_TOKEN, REFRESH_TOKEN + "-b");

        assertThatThrownBy(() -> new Vault(file, null).entries()).isInstanceOfSatisfying(VaultException.class,
                e -> assertThat(e.kind()).isEqualTo(VaultException.Kind.PASSPHRASE_REQUIRED));
        assertThatThrownBy(() -> new Vault(file, "wrong".toCharArray()).lock()).isInstanceOfSatisfying(VaultException.class,
                e -> assertThat(e.kind()).isEqualTo(VaultException.Kind.WRONG_PASSPHRASE));
        assertThat(Files.readString(file)).isEqualTo(content);
    }

    @Test
    void anEditedCiphertextOrKdfParameterIsRefused() throws Exception {
        Path file = dir.resolve("vault.json");
        store(file, PASSPHRASE, entry("https://a.example/vo/x", REFRESH_TOKEN));
        String content = Files.readString(file);
        Files.writeString(file, content.replace("\"t\":3", "\"t\":2")); // lowering the cost breaks the binding
        assertThatThrownBy(() -> new Vault(file, PASSPHRASE).entries()).isInstanceOfSatisfying(VaultException.class,
                e -> assertThat(e.kind()).isEqualTo(VaultException.Kind.WRONG_PASSPHRASE));
    }

    @Test
    void aPlainVaultIsEncryptedOnItsNextChangeOnceAPassphraseIsGiven() throws Exception {
        Path file = dir.resolve("vault.json");
        store(file, null, entry("https://a.example/vo/x", REFRESH_TOKEN));
        store(file, PASSPHRASE, entry("https://a.example/vo/x", REFRESH_TOKEN + "-rotated"));
        assertThat(Files.readString(file)).doesNotContain(REFRESH_TOKEN);
        assertThat(new Vault(file, PASSPHRASE).entries()).extracting(VaultEntry::refreshToken)
                .containsExactly(REFRESH_TOKEN + "-rotated");
    }

    @Test
    void aDamagedVaultIsReportedAndNeverOverwritten() throws Exception {
        Path file = dir.resolve("vault.json");
        for (String damaged : List.of("", "{\"tessera_vault\": 1, \"encryption\": \"none\", \"entries\": [{\"issuer\": ",
                "[]", "{\"tessera_vault\": 7}", "{\"tessera_vault\": 1, \"encryption\": \"none\", \"entries\": [{}]}")) {
            Files.writeString(file, damaged);
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            assertThatThrownBy(() -> new Vault(file, null).lock()).isInstanceOfSatisfying(VaultException.class, e -> {
                assertThat(e.kind()).isEqualTo(VaultException.Kind.CORRUPT);
                assertThat(e.getMessage()).contains(file.toString(), "left as it is", "move it aside");
            });
            assertThat(Files.readString(file)).isEqualTo(damaged);
        }
    }

    @Test
    void aVaultOthersCanReadIsRefused() throws Exception {
        Path file = dir.resolve("vault.json");
        store(file, null, entry("https://a.example/vo/x", REFRESH_TOKEN));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> new Vault(file, null).entries()).isInstanceOfSatisfying(VaultException.class, e -> {
            assertThat(e.kind()).isEqualTo(VaultException.Kind.INSECURE_PERMISSIONS);
            assertThat(e.getMessage()).contains("chmod 600");
        });
    }

    @Test
    void entriesAreKeptPerIssuerAndClientAndRemoved() throws Exception {
        Vault vault = new Vault(dir.resolve("vault.json"), null);
        try (VaultSession session = vault.lock()) {
            session.put(entry("https://a.example/vo/x", "one"));
            session.put(new VaultEntry("https://a.example/vo/x", "other-client", "two", null, List.of(), Instant.EPOCH));
            session.put(entry("https://a.example/vo/x", "three")); // replaces "one"
            assertThat(session.find("https://a.example/vo/x", "cli")).map(VaultEntry::refreshToken).hasValue("three");
            assertThat(session.remove("https://a.example/vo/x", "cli")).isTrue();
            assertThat(session.remove("https://a.example/vo/x", "cli")).isFalse();
        }
        assertThat(vault.entries()).extracting(VaultEntry::refreshToken).containsExactly("two");
        assertThat(vault.entries().get(0).toString()).doesNotContain("two");
    }

    @Test
    void sessionsExcludeEachOtherSoNoChangeIsLost() throws Exception {
        Path file = dir.resolve("vault.json");
        int threads = 4;
        int rounds = 25;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    for (int i = 0; i < rounds; i++) {
                        // each session reads a counter and writes it back incremented: a lost update would show
                        try (VaultSession session = new Vault(file, null).lock()) {
                            int n = session.find("https://a.example/vo/x", "cli")
                                    .map(e -> Integer.parseInt(e.refreshToken().substring(1))).orElse(0);
                            session.put(entry("https://a.example/vo/x", "n" + (n + 1)));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(new Vault(file, null).entries().get(0).refreshToken()).isEqualTo("n" + threads * rounds);
        assertThat(new String(Files.readAllBytes(file), StandardCharsets.UTF_8)).startsWith("{\"tessera_vault\":1");
    }
}
