package dev.tessera.agent.manager;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.agent.vault.Vault;
import dev.tessera.agent.vault.VaultEntry;
import dev.tessera.agent.vault.VaultSession;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An agent killed while it writes a user's grants: the store holds the old refresh token or the new one,
 * never a damaged file, and never an older one than the last it reported durable.
 */
class CrashSafetyTest {
    static final char[] KEY = TokenManagerTest.KEY;

    @TempDir
    Path data;

    @Test
    void aWriteCutShortBeforeTheRenameLeavesTheOldRefreshTokenReadable() throws Exception {
        Vault vault = new GrantStore(data, KEY).vault("alice");
        try (VaultSession session = vault.lock()) {
            session.put(new VaultEntry("https://issuer.example/vo/x", "cli", "rt-old", "read:/x", List.of(),
                    Instant.EPOCH));
        }
        // what a crash between writing the new file and renaming it leaves: a partial temporary file beside it
        Path file = data.resolve("users/alice/grants.json");
        Path partial = file.resolveSibling(".grants.json.1234567890.tmp");
        Files.write(partial, Files.readAllBytes(file), java.nio.file.StandardOpenOption.CREATE_NEW);
        Files.write(partial, new byte[] {'{', '"', 't'}, java.nio.file.StandardOpenOption.TRUNCATE_EXISTING);

        Vault reopened = new GrantStore(data, KEY).vault("alice");
        assertThat(reopened.entries()).singleElement().satisfies(e -> assertThat(e.refreshToken()).isEqualTo("rt-old"));
        try (VaultSession session = reopened.lock()) {
            session.put(session.find("https://issuer.example/vo/x", "cli").orElseThrow().rotated("rt-new", Instant.EPOCH));
        }
        assertThat(new GrantStore(data, KEY).vault("alice").entries().get(0).refreshToken()).isEqualTo("rt-new");
    }

    @Test
    void anAgentKilledWhileRotatingLosesNoRefreshTokenItReportedStored() throws Exception {
        Process writer = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), RotatingWriter.class.getName(),
                data.toString(), new String(KEY)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        long lastDurable = -1;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                lastDurable = Long.parseLong(line.strip());
                if (lastDurable >= 40) {
                    writer.destroyForcibly(); // SIGKILL, mid-way through whatever write comes next
                    break;
                }
            }
        } finally {
            writer.destroyForcibly();
            assertThat(writer.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(lastDurable).isGreaterThanOrEqualTo(40);
        List<VaultEntry> entries = new GrantStore(data, KEY).vault("alice").entries();
        assertThat(entries).hasSize(1);
        long stored = Long.parseLong(entries.get(0).refreshToken().substring("rt-".length()));
        assertThat(stored).as("the last rotation reported durable, or the one after it").isBetween(lastDurable,
                lastDurable + 1);
    }
}
