package dev.tessera.cli;

import dev.tessera.cli.demo.Demo;
import dev.tessera.cli.demo.DemoJob;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tessera demo}: the seed architecture on this machine, with nothing to configure. */
@Command(name = "demo", mixinStandardHelpOptions = true, subcommands = DemoCommand.Job.class,
        description = {
                "Bring up a VO's token issuer, a storage service that trusts it, and a token manager on loopback,",
                "then play what a collaboration does: a person logs in once (device flow, approved on the issuer's",
                "pages), the token manager keeps her refresh token, a job under 'tessera run' reads and writes its",
                "data with a token narrowed to its request, and a second job reading outside its capability is",
                "refused. Prints each step and where to look, then keeps everything up until Ctrl-C.",
                "Exit status (with --exit): 0 when every step went as described, 1 otherwise."},
        footerHeading = "%nExamples:%n",
        footer = {"  tessera demo", "  tessera demo --exit            # for scripts and CI"})
final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--exit", description = "Stop when the steps are done instead of waiting for Ctrl-C.")
    boolean exit;

    @Option(names = "--data", paramLabel = "DIR",
            description = "Where to keep the demo's state (a new directory; default: a temporary one, removed at the end).")
    Path data;

    @Override
    public Integer call() throws Exception {
        if (System.getenv("TESSERA_LOG_LEVEL") == null) {
            // the servers' access and audit lines would bury the story; read before logging starts
            System.setProperty("TESSERA_LOG_LEVEL", "WARN");
        }
        PrintWriter out = spec.commandLine().getOut();
        boolean temporary = data == null;
        Path dir = temporary ? Files.createTempDirectory("tessera-demo") : data;
        if (!temporary && Files.exists(dir) && !isEmpty(dir)) {
            throw new UsageError("--data must name a new or empty directory: " + dir);
        }
        Files.createDirectories(dir);
        boolean ok;
        try (Demo demo = new Demo(dir, out, thisCommand())) {
            ok = demo.run(!exit);
            if (!exit) {
                out.printf("%nRunning until Ctrl-C.%n");
                out.flush();
                CountDownLatch stopped = new CountDownLatch(1);
                Runtime.getRuntime().addShutdownHook(new Thread(stopped::countDown, "demo-stop"));
                stopped.await();
            }
        } finally {
            if (temporary) {
                delete(dir);
            }
        }
        return ok ? 0 : Tessera.INVALID;
    }

    /** This JVM's way of running {@code tessera}: the same java and classpath, tuned for a short command. */
    static List<String> thisCommand() {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString()));
        command.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                Tessera.class.getName()));
        return command;
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** The demo's job: reads one file and writes a summary with the token {@code tessera run} gave it. */
    @Command(name = "job", hidden = true, mixinStandardHelpOptions = true,
            description = "The demo's batch job: GET --read, PUT a summary to --write, with the WLCG-discovered token.")
    static final class Job implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--storage", required = true, paramLabel = "URL")
        String storage;

        @Option(names = "--ca-file", required = true, paramLabel = "PEM")
        Path caFile;

        @Option(names = "--read", required = true, paramLabel = "PATH")
        String read;

        @Option(names = "--write", required = true, paramLabel = "PATH")
        String write;

        @Override
        public Integer call() throws Exception {
            PrintWriter out = spec.commandLine().getOut();
            int status = new DemoJob(storage, caFile, out).run(read, write);
            out.flush();
            return status;
        }
    }
}
