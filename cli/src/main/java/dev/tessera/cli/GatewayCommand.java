package dev.tessera.cli;

import dev.tessera.gateway.GatewayConfig;
import dev.tessera.gateway.GatewayServer;
import dev.tessera.token.keys.VerificationKey;
import dev.tessera.web.ConfigFiles;
import dev.tessera.web.HttpServer;
import dev.tessera.web.TrustedIssuer;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tessera gateway}: token decisions for nginx {@code auth_request} in front of any web service. */
@Command(name = "gateway", mixinStandardHelpOptions = true,
        description = {
                "Answer nginx auth_request subrequests (GET /auth) with token decisions, so any web service behind nginx",
                "is guarded by capability tokens: named scopes (?scope=read:tap&satisfy=any) or path checks on",
                "X-Original-URI (?authz=read, or from X-Original-Method). 200 carries X-Auth-Request-User, -Email, -Uid,",
                "-Groups and -Scopes; 401 carries the WWW-Authenticate challenge; 403 means not enough scope."},
        footerHeading = "%nExamples:%n",
        footer = {
                "  tessera gateway --trust https://tokens.example.org/rubin --audience https://portal.example.org",
                "  tessera gateway --config /etc/tessera/gateway.yaml --prefix /files",
                "",
                "nginx: auth_request to an internal location that proxies to https://127.0.0.1:8445/auth with",
                "proxy_ssl_verify on, X-Original-URI and X-Original-Method; the complete configuration, tested",
                "against nginx by the interop suite, is in docs/gateway.md."})
final class GatewayCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ServerOptions server;

    @Mixin
    TrustOptions trust;

    @Option(names = "--prefix", paramLabel = "PATH", description = "Removed from X-Original-URI before path checks.")
    String prefix;

    @Option(names = "--unix-socket", paramLabel = "PATH",
            description = "Also answer plain HTTP on this Unix socket (mode 0660): the fast way for nginx on the same host.")
    java.nio.file.Path unixSocket;

    @Option(names = "--pass-token", description = "Also return the caller's token as X-Auth-Request-Token.")
    Boolean passToken;

    @Override
    public Integer call() throws Exception {
        GatewayConfig config = config();
        HttpServer running;
        try {
            running = GatewayServer.start(config);
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage(), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf("Tessera gateway answering auth_request at %s/auth%s%n", running.url(),
                config.unixSocket() == null ? "" : " and on unix:" + config.unixSocket());
        for (TrustedIssuer issuer : config.issuers()) {
            out.printf("  trusting %s, scopes under %s%n", issuer.url(), issuer.basePath());
        }
        out.printf("  signatures verified by %s%n", VerificationKey.verifyingLibrary());
        out.println("Point nginx's auth_request at it: see docs/gateway.md for a complete configuration.");
        out.flush();
        running.join();
        return 0;
    }

    GatewayConfig config() {
        try {
            GatewayConfig file = ConfigFiles.load(server.config, GatewayConfig.class, System.getenv());
            return new GatewayConfig(server.data(file.data(), "gateway"), server.host(file.host()),
                    server.port(file.port()), server.cert(file.tlsCert()), server.key(file.tlsKey()),
                    unixSocket != null ? unixSocket : file.unixSocket(),
                    trust.caFiles(file.caFiles()), trust.audiences(file.audiences()), trust.issuers(file.issuers()),
                    prefix != null ? prefix : file.prefix(), file.userClaim(), file.emailClaim(), file.uidClaim(),
                    file.groupsClaim(), passToken != null ? passToken : file.passToken(), file.delegation()).validate();
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage(), e);
        }
    }
}
