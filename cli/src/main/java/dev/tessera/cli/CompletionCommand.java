package dev.tessera.cli;

import dev.tessera.token.files.PrivateFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tessera completion}: the bash completion script, generated from the command model. */
@Command(name = "completion", mixinStandardHelpOptions = true,
        description = {"Print the bash completion script (also installed as share/bash-completion/completions/tessera).",
                "Use: source <(tessera completion)"},
        footerHeading = "%nExamples:%n",
        footer = {
                "  source <(tessera completion)",
                "  tessera completion --out ~/.local/share/bash-completion/completions/tessera"})
final class CompletionCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the script to FILE instead.")
    Path out;

    @Override
    public Integer call() throws IOException {
        String script = AutoComplete.bash("tessera", Tessera.commandLine());
        if (out == null) {
            spec.commandLine().getOut().print(script);
        } else {
            PrivateFiles.writeAtomically(out, script.getBytes(StandardCharsets.UTF_8), PrivateFiles.WORLD_READABLE);
        }
        return 0;
    }
}
