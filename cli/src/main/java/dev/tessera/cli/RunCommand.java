package dev.tessera.cli;

import dev.tessera.agent.manager.MintRequest;
import dev.tessera.agent.manager.Minted;
import dev.tessera.agent.run.JobToken;
import dev.tessera.agent.shell.PrivateTokenFile;
import dev.tessera.agent.shell.TokenRenewer;
import dev.tessera.agent.shell.TokenShell;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tessera run}: the job wrapper, with the token the agent mints for the job. */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
                "Run a job's command with an access token from the agent (tessera agent), narrowed to --scopes and",
                "--audience: the token goes to a private file (0600, in a 0700 directory under $XDG_RUNTIME_DIR or",
                "the temporary directory), BEARER_TOKEN_FILE names it (BEARER_TOKEN is unset), it is renewed through",
                "the agent at two thirds of its lifetime (or before less than --min-lifetime is left) while the",
                "command runs, and it is deleted when the command ends. The agent knows who you are from the socket,",
                "so you only ever get tokens of your own grants. SIGTERM and SIGHUP are passed on to the command.",
                "Exit status: the command's; 1 when no token could be had (no agent, no grant, refused);",
                "2 usage error; 127 command not found."},
        footerHeading = "%nExamples:%n",
        footer = {
                "  tessera run --scopes 'read:/ligo/O4' --audience https://data.example.org -- ./analyse frames.lst",
                "  tessera run --socket /run/tessera/agent.sock --min-lifetime 10m -- sh -c 'cat \"$BEARER_TOKEN_FILE\"'"})
final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    AgentOptions.Socket socket;

    @Mixin
    AgentOptions.Request request;

    @Option(names = {"-q", "--quiet"}, description = "Print nothing but errors.")
    boolean quiet;

    @Parameters(arity = "1..*", paramLabel = "CMD [ARGS]", description = "The command to run (after -- if it starts with a dash).")
    List<String> command = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        Map<String, String> env = System.getenv();
        MintRequest mint = request.mintRequest();
        PrintWriter err = spec.commandLine().getErr();
        return AgentOptions.run("run", err, () -> {
            try (PrivateTokenFile file = PrivateTokenFile.create(ShCommand.privateParent(env))) {
                JobToken job = new JobToken(socket.path(env), mint, file.path());
                Minted first = job.fetch();
                if (!quiet) {
                    err.println("tessera run: BEARER_TOKEN_FILE=" + file.path() + " (" + GetCommand.summary(first.token(),
                            Instant.now()) + "), kept fresh while " + command.get(0) + " runs");
                    err.flush();
                }
                TokenRenewer renewer = new TokenRenewer(job, first.token(), mint.access().minLifetime(), Clock.systemUTC(),
                        message -> {
                            err.println("tessera run: " + message);
                            err.flush();
                        });
                return TokenShell.run(new ProcessBuilder(command).inheritIO(), file, renewer);
            } catch (TokenShell.NotStarted e) {
                err.println("tessera run: " + e.getMessage());
                return ShCommand.NOT_STARTED;
            }
        });
    }
}
