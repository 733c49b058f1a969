package dev.tessera.cli;

import dev.tessera.agent.get.GetRequest;
import dev.tessera.agent.get.Outcome;
import dev.tessera.agent.get.TokenGetter;
import dev.tessera.agent.shell.PrivateTokenFile;
import dev.tessera.agent.shell.TokenRenewer;
import dev.tessera.agent.shell.TokenShell;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tessera sh}: a command or shell with a token kept fresh in its own BEARER_TOKEN_FILE (httokensh). */
@Command(name = "sh", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
                "Run a command (default: $SHELL) with a token kept fresh for it: the token is got as tessera get",
                "gets it (reused, refreshed, or after a device-flow login) into a private file (0600, in a 0700",
                "directory under $XDG_RUNTIME_DIR or the temporary directory), BEARER_TOKEN_FILE names it, it is",
                "renewed from the vault at two thirds of its lifetime (or when less than --minsecs would be left),",
                "and it is deleted when the command ends. SIGTERM and SIGHUP are passed on to the command.",
                "The options are tessera get's (also from $TESSERA_GET_OPTS; --outfile is not used); the command",
                "follows them, after -- if it starts with a dash.",
                "Exit status: the command's; 1 when no token could be had; 2 usage error; 127 command not found."},
        footerHeading = "%nExamples:%n",
        footer = {
                "  tessera sh -i https://tokens.example.org/vo/ligo --scopes 'read:/ligo'",
                "  tessera sh --scopes 'storage.create:/user/alice' -- gfal-copy file.dat davs://data.example.org/user/alice/",
                "  tessera sh -- sh -c 'curl -H \"Authorization: Bearer $(cat $BEARER_TOKEN_FILE)\" https://data.example.org/x'"})
final class ShCommand implements Callable<Integer> {
    /** Shells' status for a command that cannot be found or run. */
    static final int NOT_STARTED = 127;

    @Spec
    CommandSpec spec;

    @Mixin
    GetOptions options;

    @Parameters(arity = "0..*", paramLabel = "CMD [ARGS]", description = "The command to run (default: $SHELL).")
    List<String> command = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Map<String, String> env = System.getenv();
        GetOptions.applyDefaults(spec, env);
        GetRequest request = options.request(env);
        PrintWriter err = spec.commandLine().getErr();
        TokenGetter getter = options.getter(options.vault(env), env, err);
        List<String> argv = command.isEmpty() ? List.of(env.getOrDefault("SHELL", "/bin/sh")) : command;
        return GetFailures.run("sh", err, () -> {
            try (PrivateTokenFile file = PrivateTokenFile.create(privateParent(env))) {
                GetRequest own = request.withTokenFile(file.path());
                Outcome first = getter.get(own);
                if (!options.quiet) {
                    err.println("tessera sh: BEARER_TOKEN_FILE=" + file.path() + " ("
                            + GetCommand.summary(first.token(), Instant.now()) + "), kept fresh while " + argv.get(0) + " runs");
                    err.flush();
                }
                TokenRenewer renewer = new TokenRenewer(() -> getter.renew(own.nonInteractive()).token(), first.token(),
                        request.access().minLifetime(), Clock.systemUTC(), message -> {
                            err.println("tessera sh: " + message);
                            err.flush();
                        });
                return TokenShell.run(new ProcessBuilder(argv).inheritIO(), file, renewer);
            } catch (TokenShell.NotStarted e) {
                err.println("tessera sh: " + e.getMessage());
                return NOT_STARTED;
            }
        });
    }

    /** {@code $XDG_RUNTIME_DIR} (private to the user, in memory) when it exists, else the temporary directory. */
    static Path privateParent(Map<String, String> env) {
        String runtime = env.get("XDG_RUNTIME_DIR");
        if (runtime != null && !runtime.isBlank() && Files.isDirectory(Path.of(runtime))) {
            return Path.of(runtime);
        }
        return Path.of(System.getProperty("java.io.tmpdir"));
    }
}
