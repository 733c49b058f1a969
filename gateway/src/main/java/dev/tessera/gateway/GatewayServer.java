package dev.tessera.gateway;

import dev.tessera.gateway.http.AuthHandler;
import dev.tessera.gateway.service.Delegation;
import dev.tessera.web.HttpServer;
import dev.tessera.web.ServerTls;
import dev.tessera.web.TokenTrust;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;

/** The gateway: a validated {@link GatewayConfig} served over HTTPS. */
public final class GatewayServer {
    private GatewayServer() {
    }

    public static HttpServer start(GatewayConfig config) throws IOException {
        config.validate();
        ServerTls tls = ServerTls.configuredOrSelfSigned(config.tlsCert(), config.tlsKey(), config.data());
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        TokenTrust trust = new TokenTrust(config.issuers(), config.audiences(), config.caFiles());
        Delegation delegation = null;
        if (config.delegation() != null) {
            GatewayConfig.DelegationConfig d = config.delegation();
            String secret = Files.readString(d.clientSecretFile()).strip();
            delegation = new Delegation(new Delegation.Settings(d.tokenEndpoint(), d.clientId(), secret, d.audience()),
                    config.caFiles());
        }
        return HttpServer.builder().name("gateway").host(config.host()).port(config.port()).tls(tls)
                .unixSocket(config.unixSocket()).metrics(metrics).handler(new AuthHandler(trust, config, delegation, metrics)).build().start();
    }
}
