package dev.tessera.storage;

import dev.tessera.storage.http.StorageHandler;
import dev.tessera.storage.service.Access;
import dev.tessera.storage.service.FileTree;
import dev.tessera.web.HttpServer;
import dev.tessera.web.ServerTls;
import dev.tessera.web.TokenTrust;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;

/** The storage service: a validated {@link StorageConfig} served over HTTPS. */
public final class StorageServer {
    private StorageServer() {
    }

    /** Starts serving; the returned server is stopped with {@code close()}. */
    public static HttpServer start(StorageConfig config) throws IOException {
        config.validate();
        ServerTls tls = ServerTls.configuredOrSelfSigned(config.tlsCert(), config.tlsKey(), config.data());
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        TokenTrust trust = new TokenTrust(config.issuers(), config.audiences(), config.caFiles());
        StorageHandler handler = new StorageHandler(new Access(trust), new FileTree(config.root()), metrics);
        return HttpServer.builder().name("storage").host(config.host()).port(config.port()).tls(tls)
                .metrics(metrics).handler(handler).build().start();
    }
}
