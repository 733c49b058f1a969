package dev.tessera.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code --ca-file}: extra CAs for https fetches, besides the JDK trust store (also {@code TESSERA_CA_FILE}). */
final class CaOptions {
    @Option(names = "--ca-file", paramLabel = "PEM|DIR",
            description = "Also trust the CA certificates in this PEM bundle or CA directory (e.g. "
                    + "/etc/grid-security/certificates) for https; repeatable. Default: $TESSERA_CA_FILE.")
    List<Path> caFiles = new ArrayList<>();

    /** The CA files or directories given, or {@code TESSERA_CA_FILE} (colon-separated) when none was. */
    List<Path> paths() {
        List<Path> paths = new ArrayList<>(caFiles);
        String env = System.getenv("TESSERA_CA_FILE");
        if (paths.isEmpty() && env != null && !env.isBlank()) {
            for (String part : env.split(":")) {
                if (!part.isBlank()) {
                    paths.add(Path.of(part));
                }
            }
        }
        for (Path path : paths) {
            if (!Files.exists(path)) {
                throw new UsageError("CA file or directory not found: " + path);
            }
        }
        return paths;
    }
}
