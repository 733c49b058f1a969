package dev.tessera.cli;

import dev.tessera.storage.StorageConfig;
import dev.tessera.token.keys.VerificationKey;
import dev.tessera.storage.StorageServer;
import dev.tessera.web.ConfigFiles;
import dev.tessera.web.HttpServer;
import dev.tessera.web.TrustedIssuer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tessera storage}: the token-aware HTTP/WebDAV data service. */
@Command(name = "storage", mixinStandardHelpOptions = true,
        description = {
                "Serve a directory over HTTPS (HTTP/1.1 and HTTP/2) and WebDAV to holders of tokens from trusted issuers.",
                "Reading needs read or storage.read; creating needs storage.create; replacing and deleting need",
                "write or storage.modify. Scope paths are relative to each issuer's base path. Stops gracefully on SIGTERM."},
        footerHeading = "%nExamples:%n",
        footer = {
                "  tessera storage --root /srv/data --trust https://cilogon.org/igwn=/igwn --audience https://data.example.org",
                "  tessera storage --config /etc/tessera/storage.yaml",
                "  curl -H \"Authorization: Bearer $(cat $BEARER_TOKEN_FILE)\" https://localhost:8444/igwn/frames/H1.gwf",
                "",
                "Also /healthz, /readyz and /metrics (Prometheus). Every YAML key can be set as TESSERA_<KEY>."})
final class StorageCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ServerOptions server;

    @Option(names = "--root", paramLabel = "DIR", description = "The directory to serve.")
    Path root;

    @Mixin
    TrustOptions trust;

    @Override
    public Integer call() throws Exception {
        StorageConfig config = config();
        HttpServer running;
        try {
            running = StorageServer.start(config);
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage(), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf("Tessera storage serving %s at %s%n", config.root().toAbsolutePath(), running.url());
        for (TrustedIssuer issuer : config.issuers()) {
            out.printf("  trusting %s, scopes under %s%n", issuer.url(), issuer.basePath());
        }
        Path cert = config.tlsCert() != null ? config.tlsCert() : config.data().resolve("tls/server.pem");
        out.printf("  audiences %s; TLS certificate %s%s%n", String.join(", ", config.audiences()), cert,
                config.tlsCert() != null ? "" : " (self-signed)");
        out.printf("  signatures verified by %s%n", VerificationKey.verifyingLibrary());
        out.printf("Try: curl --cacert %s -H \"Authorization: Bearer $TOKEN\" %s/<path>%n", cert, running.url());
        out.flush();
        running.join();
        return 0;
    }

    StorageConfig config() {
        StorageConfig file;
        try {
            file = ConfigFiles.load(server.config, StorageConfig.class, System.getenv());
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage(), e);
        }
        StorageConfig merged = new StorageConfig(root != null ? root : file.root(), server.data(file.data(), "storage"),
                server.host(file.host()), server.port(file.port()), server.cert(file.tlsCert()), server.key(file.tlsKey()),
                trust.caFiles(file.caFiles()), trust.audiences(file.audiences()), trust.issuers(file.issuers()));
        try {
            return merged.validate();
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage(), e);
        }
    }
}
