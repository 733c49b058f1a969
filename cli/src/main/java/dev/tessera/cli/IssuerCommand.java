package dev.tessera.cli;

import dev.tessera.issuer.IssuerConfig;
import dev.tessera.issuer.IssuerServer;
import dev.tessera.issuer.domain.Vo;
import dev.tessera.issuer.service.VoContext;
import dev.tessera.token.keys.SigningKey;
import dev.tessera.web.ConfigFiles;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** {@code tessera issuer}: a VO's OAuth2 token service, and its administration. */
@Command(name = "issuer", mixinStandardHelpOptions = true,
        description = {
                "Run a token issuer for one or more VOs, each its own iss (https://HOST/vo/NAME) with its own keys,",
                "clients, accounts and policy. With no configuration it keeps everything in its data directory",
                "(a SQLite database, a master key, a self-signed TLS certificate) and creates one VO on first start.",
                "The subcommands administer the same data directory or database, also while the server runs."},
        subcommands = {
                IssuerAdminCommands.Info.class,
                IssuerAdminCommands.AdminPassword.class,
                IssuerAdminCommands.VoCommand.class,
                IssuerAdminCommands.ClientCommand.class,
                IssuerAdminCommands.UserCommand.class,
                IssuerAdminCommands.GroupCommand.class,
                IssuerAdminCommands.PolicyCommand.class,
                IssuerAdminCommands.KeysCommand.class},
        footerHeading = "%nExamples:%n",
        footer = {
                "  tessera issuer --data ./issuer",
                "  tessera issuer client add --data ./issuer --name robot --grant client_credentials --scope 'read:/data' --json",
                "  tessera issuer policy add --data ./issuer --group /ligo --scope 'read:/ligo write:/home/{username}'",
                "  tessera issuer --config /etc/tessera/issuer.yaml      # PostgreSQL, real certificates, public_url",
                "",
                "Also /healthz, /readyz and /metrics (Prometheus). Every YAML key can be set as TESSERA_<KEY>."})
final class IssuerCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE", scope = ScopeType.INHERIT,
            description = "YAML configuration (flags override it).")
    Path config;

    @Option(names = "--data", paramLabel = "DIR", scope = ScopeType.INHERIT,
            description = "Data directory (database, master key, TLS identity); default: $XDG_DATA_HOME/tessera/issuer.")
    Path data;

    @Option(names = "--host", paramLabel = "ADDR", description = "Address to bind (default: localhost; 0.0.0.0 for all).")
    String host;

    @Option(names = "--port", paramLabel = "N", description = "Port to listen on (default: 8443).")
    Integer port;

    @Option(names = "--cert", paramLabel = "PEM", description = "TLS certificate chain (default: self-signed, in the data directory).")
    Path cert;

    @Option(names = "--key", paramLabel = "PEM", description = "TLS private key, with --cert.")
    Path key;

    @Option(names = "--public-url", paramLabel = "URL",
            description = "The https URL clients reach this server at; each VO's iss is URL/vo/NAME (default: https://HOST:PORT).")
    String publicUrl;

    @Override
    public Integer call() throws Exception {
        IssuerConfig config = config();
        IssuerServer running;
        try {
            running = IssuerServer.start(config, System.getenv());
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage(), e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(running::close, "issuer-shutdown"));
        PrintWriter out = spec.commandLine().getOut();
        out.printf("Tessera issuer at %s (TLS certificate %s)%n", running.url(), running.tlsCertificate());
        for (VoContext vo : running.vos()) {
            out.printf("  VO %s: iss %s, %s tokens%n", vo.vo().name(), vo.vo().issuer(), vo.vo().profile().displayName());
        }
        out.printf("  signatures by %s%n", SigningKey.signingLibrary());
        String dataOption = "--data " + config.data();
        if (running.created().isPresent()) {
            Vo vo = running.created().get();
            out.printf("%nFirst start: created VO %s. Next, register a client and get a token:%n", vo.name());
            out.printf("  tessera issuer client add %s --name robot --grant client_credentials --scope 'read:/ compute.create' --json%n",
                    dataOption);
            out.printf("  curl --cacert %s -u CLIENT_ID:CLIENT_SECRET -d grant_type=client_credentials %s/token%n",
                    running.tlsCertificate(), vo.issuer());
        }
        running.bootstrapPassword().ifPresent(password -> {
            out.printf("%nAdmin API (%s/admin/api): administrator admin, one-time password %s%n", running.url(), password);
            out.printf("  shown only now; it opens a password change:%n");
            out.printf("  curl --cacert %s -u admin:%s -d new_password=... %s/admin/api/token%n", running.tlsCertificate(),
                    password, running.url());
        });
        out.flush();
        running.join();
        return 0;
    }

    IssuerConfig config() {
        try {
            IssuerConfig file = ConfigFiles.load(config, IssuerConfig.class, System.getenv());
            return new IssuerConfig(data != null ? data : file.data() != null ? file.data() : ServerOptions.defaultData("issuer"),
                    host != null ? host : file.host(), port != null ? port : file.port(),
                    publicUrl != null ? publicUrl : file.publicUrl(), cert != null ? cert : file.tlsCert(),
                    key != null ? key : file.tlsKey(), file.databaseUrl(), file.databaseUser(), file.databasePassword(),
                    file.verifierCacheTime(), file.defaultVo(), file.auditRetention()).validate();
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage(), e);
        }
    }
}
