package dev.tessera.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Properties;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code tessera} command. Exit status: 0 success (valid, allowed), 1 invalid or denied,
 * 2 usage or configuration error.
 */
@Command(name = "tessera",
        mixinStandardHelpOptions = true,
        versionProvider = Tessera.Version.class,
        description = {
                "SciTokens and WLCG capability tokens: keys, tokens, verification.",
                ""},
        subcommands = {
                KeygenCommand.class,
                CreateCommand.class,
                DecodeCommand.class,
                VerifyCommand.class,
                DiscoverCommand.class,
                StorageCommand.class,
                GatewayCommand.class,
                IssuerCommand.class,
                GetCommand.class,
                ShCommand.class,
                AgentCommand.class,
                RunCommand.class,
                DemoCommand.class,
                CompletionCommand.class,
                CommandLine.HelpCommand.class},
        footerHeading = "%nExamples:%n",
        footer = {
                "  tessera keygen --alg ES256 --out ./keys --issuer https://tokens.example.org",
                "  tessera create --key ./keys/es256-1a2b3c4d.pem --issuer https://tokens.example.org \\",
                "                 --sub alice --scope 'read:/data' --aud https://storage.example.org",
                "  tessera decode -H",
                "  tessera verify --explain --audience https://storage.example.org --test read:/data/x",
                "  tessera get --issuer https://tokens.example.org/vo/ligo --client-id ID --scopes 'read:/ligo'",
                "  tessera run --scopes 'read:/ligo/O4' -- ./job.sh     # with the token tessera agent mints for it",
                "",
                "Exit status: 0 success / valid / allowed, 1 invalid / denied, 2 usage or configuration error."})
public final class Tessera implements Runnable {
    /** Exit status of a refused token or a denied request. */
    public static final int INVALID = 1;
    /** Exit status of a usage or configuration error. */
    public static final int USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        int status = run(args, out, err);
        out.flush(); // autoflush only covers println
        err.flush();
        System.exit(status);
    }

    /** Runs the command with the given output streams and returns its exit status (for tests and embedding). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = commandLine();
        cli.setOut(out);
        cli.setErr(err);
        return cli.execute(args);
    }

    /** The command model, with Tessera's error handling. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Tessera());
        cli.setUsageHelpWidth(120); // examples are printed as written, not split mid-URL
        cli.getSubcommands().get("sh").setStopAtPositional(true); // the command's own options are not tessera's
        cli.getSubcommands().get("run").setStopAtPositional(true);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            String name = "tessera " + commandLine.getCommandName() + ": ";
            if (e instanceof UsageError usage) {
                err.println(name + usage.getMessage());
            } else if (e instanceof IOException io) {
                err.println(name + FileErrors.describe(io));
            } else {
                err.println(name + "unexpected error: " + e);
            }
            return USAGE;
        });
        return cli;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Reads the version the build wrote into {@code version.properties}. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties properties = new Properties();
            try (InputStream in = Tessera.class.getResourceAsStream("version.properties")) {
                if (in != null) {
                    properties.load(in);
                }
            }
            return new String[] {"tessera " + properties.getProperty("version", "unknown"),
                    "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ")"};
        }
    }
}
