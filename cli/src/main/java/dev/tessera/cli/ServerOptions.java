package dev.tessera.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options every server command takes. */
final class ServerOptions {
    @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration (flags override it).")
    Path config;

    @Option(names = "--data", paramLabel = "DIR",
            description = "State directory (TLS identity, ...); default: $XDG_DATA_HOME/tessera/<server>.")
    Path data;

    @Option(names = "--host", paramLabel = "ADDR", description = "Address to bind (default: localhost; 0.0.0.0 for all).")
    String host;

    @Option(names = "--port", paramLabel = "N", description = "Port to listen on.")
    Integer port;

    @Option(names = "--cert", paramLabel = "PEM", description = "TLS certificate chain (default: self-signed, in the data directory).")
    Path cert;

    @Option(names = "--key", paramLabel = "PEM", description = "TLS private key, with --cert.")
    Path key;

    Path data(Path fromFile, String server) {
        return data != null ? data : fromFile != null ? fromFile : defaultData(server);
    }

    String host(String fromFile) {
        return host != null ? host : fromFile;
    }

    Integer port(Integer fromFile) {
        return port != null ? port : fromFile;
    }

    Path cert(Path fromFile) {
        return cert != null ? cert : fromFile;
    }

    Path key(Path fromFile) {
        return key != null ? key : fromFile;
    }

    /** {@code $XDG_DATA_HOME/tessera/NAME}, else {@code ~/.local/share/tessera/NAME}. */
    static Path defaultData(String name) {
        String xdg = System.getenv("XDG_DATA_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg)
                : Path.of(System.getProperty("user.home"), ".local", "share");
        return base.resolve("tessera").resolve(name);
    }
}
