package dev.tessera.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server commands refuse unusable settings with exit 2 and a message naming what is wrong. */
class ServerCommandsTest {
    @TempDir
    Path dir;

    private Cli.Result storage(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "storage";
        System.arraycopy(args, 0, all, 1, args.length);
        return Cli.tessera(all);
    }

    @Test
    void storageNeedsARootAnIssuerAndAnAudience() {
        assertThat(storage("--data", dir.toString()).err()).contains("no root directory");
        Cli.Result noIssuer = storage("--root", dir.toString(), "--data", dir.resolve("d").toString(), "--port", "0");
        assertThat(noIssuer.exit()).isEqualTo(2);
        assertThat(noIssuer.err()).contains("no trusted issuer");
        Cli.Result noAudience = storage("--root", dir.toString(), "--data", dir.resolve("d").toString(), "--port", "0",
                "--trust", "https://tokens.example.org");
        assertThat(noAudience.exit()).isEqualTo(2);
        assertThat(noAudience.err()).contains("has no audience");
        Cli.Result http = storage("--root", dir.toString(), "--data", dir.resolve("d").toString(), "--port", "0",
                "--trust", "http://tokens.example.org", "--audience", "https://s.example.org");
        assertThat(http.exit()).isEqualTo(2);
        assertThat(http.err()).contains("https");
    }

    @Test
    void configFileProblemsAreNamed() throws Exception {
        assertThat(storage("--config", dir.resolve("missing.yaml").toString()).err()).contains("not found");
        Path unknown = Files.writeString(dir.resolve("s.yaml"), "root: /srv\nportt: 1\n");
        Cli.Result r = storage("--config", unknown.toString());
        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).contains("portt").doesNotContain("Exception");
    }

    @Test
    void gatewayChecksItsPrefixAndIssuers() {
        Cli.Result prefix = Cli.tessera("gateway", "--data", dir.toString(), "--prefix", "files", "--port", "0",
                "--trust", "https://tokens.example.org", "--audience", "https://p.example.org");
        assertThat(prefix.exit()).isEqualTo(2);
        assertThat(prefix.err()).contains("prefix");
        Cli.Result none = Cli.tessera("gateway", "--data", dir.toString(), "--port", "0");
        assertThat(none.exit()).isEqualTo(2);
        assertThat(none.err()).contains("no trusted issuer");
    }

    @Test
    void helpShowsExamples() {
        for (String command : new String[] {"storage", "gateway"}) {
            Cli.Result help = Cli.tessera(command, "--help");
            assertThat(help.exit()).isZero();
            assertThat(help.out()).contains("Examples:", "--trust", "--audience", "--config");
        }
    }
}
