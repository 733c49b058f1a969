package dev.tessera.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.token.testing.StaticHttpsServer;
import dev.tessera.token.testing.TestCa;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The packaged distribution ({@code cli/target/tessera}, system property {@code tessera.home}) run as a
 * user would, through {@code bin/tessera}: help, version, exit codes, the lib/ layout, bash completion,
 * a keygen/create/decode/verify round trip, and the class-data-sharing archive of the launcher.
 */
class DistributionIT {
    static final List<String> SUBCOMMANDS = List.of("keygen", "create", "decode", "verify", "discover", "completion");

    static Path home;
    static Path launcher;

    @TempDir
    Path dir;
    Path cache;
    final Map<String, String> env = new HashMap<>();

    record Run(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout ---\n" + out + "--- stderr ---\n" + err;
        }
    }

    @BeforeAll
    static void distribution() {
        String property = System.getProperty("tessera.home");
        assertThat(property).as("system property tessera.home").isNotBlank();
        home = Path.of(property);
        launcher = home.resolve("bin/tessera");
        assertThat(launcher).isRegularFile();
    }

    @BeforeEach
    void environment() throws IOException {
        cache = dir.resolve("cache");
        env.put("XDG_CACHE_HOME", cache.toString()); // never the user's ~/.cache
        env.put("TESSERA_CDS", "off");
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.put("XDG_RUNTIME_DIR", Files.createDirectories(dir.resolve("runtime")).toString());
    }

    Run tesseraWithInput(String stdin, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(launcher.toString()));
        command.addAll(List.of(args));
        Cli.Result r = Cli.process(command, env, stdin, dir);
        return new Run(r.exit(), r.out(), r.err());
    }

    Run tessera(String... args) throws Exception {
        return tesseraWithInput(null, args);
    }

    @Test
    void launcherIsExecutable() throws IOException {
        assertThat(Files.getPosixFilePermissions(launcher)).contains(PosixFilePermission.OWNER_EXECUTE,
                PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_EXECUTE);
    }

    @Test
    void version() throws Exception {
        Run r = tessera("--version");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).containsPattern("(?m)^tessera \\d+\\.\\d+\\.\\d+\\S*$").doesNotContain("unknown")
                .contains("Java " + System.getProperty("java.version"));
        assertThat(r.err()).isEmpty();
    }

    @Test
    void help() throws Exception {
        Run r = tessera("help");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("Usage: tessera").contains("Examples:").contains("Exit status");
        for (String sub : SUBCOMMANDS) {
            assertThat(r.out()).containsPattern("(?m)^  " + sub + " ");
        }
    }

    @Test
    void noArgumentsPrintsTheUsage() throws Exception {
        Run r = tessera();

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("Usage: tessera");
    }

    @ParameterizedTest
    @ValueSource(strings = {"keygen", "create", "decode", "verify", "discover", "completion"})
    void subcommandHelp(String sub) throws Exception {
        Run r = tessera(sub, "--help");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).contains("Usage: tessera " + sub);
        assertThat(r.err()).isEmpty();

        Run viaHelp = tessera("help", sub);
        assertThat(viaHelp.exit()).as(viaHelp.toString()).isZero();
        assertThat(viaHelp.out()).isEqualTo(r.out());
    }

    @ParameterizedTest
    @ValueSource(strings = {"keygen", "create", "decode", "verify"})
    void subcommandHelpHasExamples(String sub) throws Exception {
        Run r = tessera(sub, "--help");

        assertThat(r.out()).contains("Examples:").contains("tessera " + sub);
    }

    @Test
    void discoverAndCompletionHelpHaveExamples() throws Exception {
        for (String sub : List.of("discover", "completion")) {
            Run r = tessera(sub, "--help");
            assertThat(r.out()).as(sub).contains("Examples:");
        }
    }

    @Test
    void helpExamplesArePrintedAsWritten() throws Exception {
        for (String sub : List.of("", "keygen", "create", "decode", "verify")) {
            Run r = sub.isEmpty() ? tessera("--help") : tessera(sub, "--help");
            var spec = sub.isEmpty() ? Tessera.commandLine().getCommandSpec()
                    : Tessera.commandLine().getSubcommands().get(sub).getCommandSpec();
            for (String line : spec.usageMessage().footer()) {
                assertThat(r.out()).as("tessera %s --help", sub).contains(line.stripTrailing());
            }
        }
    }

    @Test
    void unknownOptionIsAUsageError() throws Exception {
        Run r = tessera("--frobnicate");

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("Unknown option").contains("--frobnicate");
    }

    @Test
    void unknownSubcommandOptionIsAUsageError() throws Exception {
        Run r = tessera("decode", "--frobnicate", "x.y.z");

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("--frobnicate").contains("Usage: tessera decode");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void unknownSubcommandIsAUsageError() throws Exception {
        Run r = tessera("frobnicate");

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("frobnicate");
    }

    @Test
    void bouncyCastleProviderIsItsOwnSignedJar() throws Exception {
        Path lib = home.resolve("lib");
        List<Path> jars;
        try (Stream<Path> files = Files.list(lib)) {
            jars = files.filter(p -> p.toString().endsWith(".jar")).toList();
        }
        List<Path> bcprov = jars.stream().filter(p -> p.getFileName().toString().matches("bcprov-jdk18on-.*\\.jar")).toList();
        assertThat(bcprov).hasSize(1);
        try (JarFile jar = new JarFile(bcprov.get(0).toFile())) {
            assertThat(jar.getEntry("org/bouncycastle/jce/provider/BouncyCastleProvider.class")).isNotNull();
            assertThat(jar.stream().map(e -> e.getName()))
                    .anyMatch(n -> n.startsWith("META-INF/") && n.endsWith(".SF")); // the signature JCE needs
        }
        assertThat(jars).anyMatch(p -> p.getFileName().toString().startsWith("tessera-cli-"))
                .anyMatch(p -> p.getFileName().toString().startsWith("tessera-token-"))
                .anyMatch(p -> p.getFileName().toString().startsWith("picocli-"));
        for (Path jar : jars) {
            if (jar.getFileName().toString().startsWith("bc")) {
                continue;
            }
            try (JarFile j = new JarFile(jar.toFile())) {
                assertThat(j.stream().map(e -> e.getName())).as("%s is not shaded", jar.getFileName())
                        .noneMatch(n -> n.startsWith("org/bouncycastle/"));
            }
        }
    }

    @Test
    void bashCompletionIsInstalled() throws Exception {
        Path completion = home.resolve("share/bash-completion/completions/tessera");

        assertThat(completion).isRegularFile();
        String script = Files.readString(completion);
        for (String sub : SUBCOMMANDS) {
            assertThat(script).contains(sub);
        }
    }

    @Test
    void completionCommandPrintsTheScript() throws Exception {
        Run r = tessera("completion");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).startsWith("#!").contains("complete -F");
        for (String sub : SUBCOMMANDS) {
            assertThat(r.out()).contains(sub);
        }
        assertThat(r.out()).contains("--explain").contains("--issuer");
    }

    @Test
    void completionCommandWritesAFile() throws Exception {
        Path out = dir.resolve("completion/tessera");

        Run r = tessera("completion", "--out", out.toString());

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(Files.readString(out)).contains("keygen").contains("complete -F");
    }

    @Test
    void keygenCreateDecodeVerifyRoundTrip() throws Exception {
        TestCa ca = TestCa.create("distribution test CA");
        Path caPem = ca.writeCaPem(dir.resolve("ca.pem"));
        Path keys = dir.resolve("keys");
        try (StaticHttpsServer server = StaticHttpsServer.serve(ca, "/vo", keys.resolve("public"))) {
            String issuer = server.url();

            Run keygen = tessera("keygen", "--out", keys.toString(), "--kid", "k1", "--issuer", issuer);
            assertThat(keygen.exit()).as(keygen.toString()).isZero();
            assertThat(keys.resolve("k1.pem")).isRegularFile();
            assertThat(keys.resolve("public/.well-known/openid-configuration")).isRegularFile();

            Path tokenFile = dir.resolve("bt_u1000");
            Run create = tessera("create", "--key", keys.resolve("k1.pem").toString(), "--issuer", issuer, "--sub", "alice",
                    "--scope", "read:/data", "--aud", "https://storage.example.org", "--out", tokenFile.toString());
            assertThat(create.exit()).as(create.toString()).isZero();
            String token = Files.readString(tokenFile).strip();

            Run decode = tesseraWithInput(token + "\n", "decode", "-H", "-");
            assertThat(decode.exit()).as(decode.toString()).isZero();
            assertThat(decode.out()).contains("NOT VERIFIED").contains("\"sub\": \"alice\"").contains("\"kid\": \"k1\"")
                    .contains("Remaining lifetime");

            env.put("BEARER_TOKEN_FILE", tokenFile.toString());
            Run verify = tessera("verify", "--ca-file", caPem.toString(), "--audience", "https://storage.example.org",
                    "--test", "read:/data/x", "--explain");
            assertThat(verify.exit()).as(verify.toString()).isZero();
            assertThat(verify.out()).contains("from bearer token discovery: BEARER_TOKEN_FILE=" + tokenFile)
                    .contains("VALID: SciTokens 2.0 token from " + issuer + " for alice")
                    .contains("ALLOWED: read:/data/x");
        }
    }

    static List<Path> archives(Path cache) throws IOException {
        Path dir = cache.resolve("tessera");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().matches("cds-.*\\.jsa")).toList();
        }
    }

    @Test
    void firstRunWritesAClassDataSharingArchiveThatLaterRunsUse() throws Exception {
        env.remove("TESSERA_CDS");
        assertThat(archives(cache)).isEmpty();

        Run first = tessera("--version");

        assertThat(first.exit()).as(first.toString()).isZero();
        assertThat(first.err()).isEmpty();
        List<Path> written = archives(cache);
        assertThat(written).hasSize(1);
        assertThat(Files.size(written.get(0))).isPositive();

        Run second = tessera("--version");

        assertThat(second.exit()).as(second.toString()).isZero();
        assertThat(second.out()).isEqualTo(first.out());
        assertThat(second.err()).isEmpty();
        assertThat(archives(cache)).isEqualTo(written);

        Run work = tessera("decode", "--json", "e30.eyJzdWIiOiJib2IifQ.c2ln");
        assertThat(work.exit()).as(work.toString()).isZero();
        assertThat(work.out()).contains("\"sub\":\"bob\"");
        assertThat(work.err()).isEmpty();
    }

    @Test
    void classDataSharingOff() throws Exception {
        env.put("TESSERA_CDS", "off");

        Run r = tessera("--version");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).startsWith("tessera ");
        assertThat(cache).doesNotExist();
    }

    @Test
    void unwritableCacheStillRuns() throws Exception {
        env.remove("TESSERA_CDS");
        Files.writeString(cache, "a file where the cache directory would be");

        Run r = tessera("--version");

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.out()).startsWith("tessera ");
    }
}
