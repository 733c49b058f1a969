package dev.tessera.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tessera demo --exit}: the README's first command, end to end (issuer, storage, token manager, a
 * device-flow login approved on the pages, two jobs under {@code tessera run} as processes).
 */
class DemoCommandTest {
    @TempDir
    Path dir;

    @Test
    void theDemoTellsTheWholeStoryAndEndsWell() throws Exception {
        Path data = dir.resolve("demo");
        Cli.Result demo = Cli.tessera("demo", "--exit", "--data", data.toString());
        assertThat(demo.exit()).as(demo.toString()).isZero();
        assertThat(demo.out()).contains(
                "1. Issuer    https://localhost:", "/vo/demo",
                "2. Storage   https://localhost:",
                "3. Agent     the token manager listens on " + data.resolve("agent/agent.sock"),
                "4. alice logs in with the device flow: open https://localhost:",
                "   granted: read:/data/public write:/data/scratch/alice offline_access",
                "5. The token manager keeps alice's refresh token",
                "   job: GET /data/public/events.csv -> 200",
                "   job: PUT /data/scratch/alice/summary.csv -> 20",
                "wrote " + data.resolve("storage/root/data/scratch/alice/summary.csv") + ": rows,3",
                "   job: GET /data/private/embargoed.csv -> 403",
                "insufficient_scope",
                "refused by the storage service");
        assertThat(data.resolve("storage/root/data/scratch/alice/stolen.csv")).doesNotExist();
        assertThat(Files.readString(data.resolve("storage/root/data/scratch/alice/summary.csv"))).isEqualTo("rows,3\n");
        assertThat(demo.out()).as("no token is ever printed").doesNotContainPattern("eyJ[A-Za-z0-9_-]{20,}\\.");
    }

    @Test
    void aUsedDirectoryIsRefused() throws Exception {
        Files.writeString(dir.resolve("something"), "x");
        Cli.Result demo = Cli.tessera("demo", "--exit", "--data", dir.toString());
        assertThat(demo.exit()).isEqualTo(2);
        assertThat(demo.err()).contains("new or empty directory");
    }
}
