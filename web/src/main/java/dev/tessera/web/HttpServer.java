package dev.tessera.web;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import org.eclipse.jetty.alpn.server.ALPNServerConnectionFactory;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.http2.HTTP2Cipher;
import org.eclipse.jetty.http2.server.HTTP2ServerConnectionFactory;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.unixdomain.server.UnixDomainServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.ssl.SslContextFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * An HTTPS server (HTTP/2 and HTTP/1.1 by ALPN) around one application handler, with what every
 * Tessera server has: {@code /healthz}, {@code /readyz} and {@code /metrics} (Prometheus), an access log
 * that names tokens only by their {@code jti}, and a graceful stop that lets requests in flight finish.
 */
public final class HttpServer implements AutoCloseable {
    /** Paths the server answers itself, before the application sees the request. */
    public static final String HEALTH = "/healthz";
    public static final String READY = "/readyz";
    public static final String METRICS = "/metrics";

    /*
     * Jetty pads its queues against false sharing by the references per cache line. Unless told, it asks the
     * platform MBean server whether oops are compressed, which builds the whole JMX registry at start-up (about
     * 100 ms, and memory kept for good). Heaps under 32 GiB have compressed oops: 4-byte references, 16 to a
     * 64-byte line. Set before any Jetty class reads it.
     */
    static {
        String property = "org.eclipse.jetty.util.referencesPerCacheLine";
        if (System.getProperty(property) == null) {
            System.setProperty(property, Runtime.getRuntime().maxMemory() < (32L << 30) ? "16" : "8");
        }
    }

    private final Server server;
    private final ServerConnector connector;
    private final Path unixSocket;
    private final PrometheusMeterRegistry metrics;
    private final String name;

    private HttpServer(Builder b) throws IOException {
        this.name = b.name;
        this.metrics = b.metrics;
        QueuedThreadPool threads = new QueuedThreadPool(b.maxThreads, 4);
        threads.setName(b.name);
        server = new Server(threads);

        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendDateHeader(true);
        // the header cache matches each header line against cached ones byte by byte: with a 500-byte
        // Authorization header on every request it costs more than it saves (JFR, wrk on small GETs)
        http.setHeaderCacheSize(0);
        http.setRequestHeaderSize(40 * 1024); // a token may be up to 32 KiB (CompactJws.DEFAULT_MAX_LENGTH)
        // %25 is a literal '%' in a file name: applications decode paths exactly once (ResourcePath), so
        // it is not ambiguous here; the other ambiguous forms (%2F, %2e%2e, //) stay refused by Jetty
        http.setUriCompliance(UriCompliance.DEFAULT.with("tessera",
                UriCompliance.Violation.AMBIGUOUS_PATH_ENCODING));
        http.addCustomizer(new SecureRequestCustomizer(false)); // no SNI host check: clients use IPs too
        HttpConnectionFactory http11 = new HttpConnectionFactory(http);
        HTTP2ServerConnectionFactory h2 = new HTTP2ServerConnectionFactory(http);
        ALPNServerConnectionFactory alpn = new ALPNServerConnectionFactory();
        alpn.setDefaultProtocol(http11.getProtocol());
        SslContextFactory.Server tls = b.tls.sslContextFactory();
        tls.setCipherComparator(HTTP2Cipher.COMPARATOR);
        connector = new ServerConnector(server, new SslConnectionFactory(tls, alpn.getProtocol()), alpn, h2, http11);
        connector.setHost(b.host);
        connector.setPort(b.port);
        connector.setIdleTimeout(b.idleTimeout.toMillis());
        server.addConnector(connector);
        this.unixSocket = b.unixSocket;
        if (unixSocket != null) {
            // local clients only (nginx beside the gateway): the socket file's mode decides who may connect,
            // and nothing crosses a network, so TLS would only cost a handshake and encryption per request
            Files.deleteIfExists(unixSocket); // a stale socket of a killed server
            UnixDomainServerConnector local = new UnixDomainServerConnector(server, new HttpConnectionFactory(http));
            local.setUnixDomainPath(unixSocket);
            local.setIdleTimeout(b.idleTimeout.toMillis());
            server.addConnector(local);
        }

        server.setHandler(new GracefulHandler(new Admin(b.ready, metrics, b.handler)));
        server.setRequestLog(new AccessLog(b.name));
        server.setStopTimeout(b.stopTimeout.toMillis());
        // SIGTERM: stop accepting, finish requests in flight, exit; unless the owner stops the server itself,
        // in order with what it closes after (two hooks stopping one server race each other)
        server.setStopAtShutdown(b.stopAtShutdown);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Starts listening. */
    public HttpServer start() throws IOException {
        try {
            server.start();
            if (unixSocket != null) {
                Files.setPosixFilePermissions(unixSocket, PosixFilePermissions.fromString("rw-rw----"));
            }
            return this;
        } catch (IOException e) {
            throw e;
        } catch (Exception e) {
            throw new IOException("cannot start the " + name + " server on " + connector.getHost() + ":"
                    + connector.getPort() + ": " + e.getMessage(), e);
        }
    }

    /** The port listened on (the actual one when 0 was asked for). */
    public int port() {
        return connector.getLocalPort();
    }

    /** {@code https://HOST:PORT}, with {@code localhost} for a loopback or wildcard bind. */
    public String url() {
        String host = connector.getHost();
        if (host == null || host.equals("0.0.0.0") || host.equals("::") || host.equals("127.0.0.1")) {
            host = "localhost";
        }
        return "https://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port();
    }

    public PrometheusMeterRegistry metrics() {
        return metrics;
    }

    /** Blocks until the server has stopped. */
    public void join() throws InterruptedException {
        server.join();
    }

    /** Stops gracefully: no new connections, requests in flight get the stop timeout to finish. */
    @Override
    public void close() {
        try {
            server.stop();
            AccessLog.flush();
        } catch (Exception e) {
            throw new IllegalStateException("stopping the " + name + " server failed: " + e.getMessage(), e);
        }
    }

    /** Health, readiness and metrics; everything else goes to the application. */
    private static final class Admin extends Handler.Wrapper {
        private final BooleanSupplier ready;
        private final PrometheusMeterRegistry metrics;

        Admin(BooleanSupplier ready, PrometheusMeterRegistry metrics, Handler application) {
            super(application);
            this.ready = ready;
            this.metrics = metrics;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            String path = request.getHttpURI().getPath();
            if (!"GET".equals(request.getMethod()) && !"HEAD".equals(request.getMethod())) {
                return super.handle(request, response, callback);
            }
            switch (path == null ? "" : path) {
                case HEALTH -> Responses.text(response, callback, HttpStatus.OK_200, "ok\n");
                case READY -> {
                    boolean isReady = ready.getAsBoolean();
                    Responses.text(response, callback, isReady ? HttpStatus.OK_200 : HttpStatus.SERVICE_UNAVAILABLE_503,
                            isReady ? "ready\n" : "not ready\n");
                }
                case METRICS -> {
                    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
                    Responses.text(response, callback, HttpStatus.OK_200, metrics.scrape());
                }
                default -> {
                    return super.handle(request, response, callback);
                }
            }
            return true;
        }
    }

    /** Settings of an {@link HttpServer}. */
    public static final class Builder {
        private String name = "tessera";
        private String host = "localhost";
        private int port = 8443;
        private ServerTls tls;
        private Handler handler;
        private BooleanSupplier ready = () -> true;
        private PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        private int maxThreads = 200;
        private Duration idleTimeout = Duration.ofSeconds(60);
        private Duration stopTimeout = Duration.ofSeconds(20);
        private Path unixSocket;
        private boolean stopAtShutdown = true;

        private Builder() {
        }

        /** Names the server in thread names, logs and metrics. */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name);
            return this;
        }

        /** Address to bind (default {@code localhost}); {@code 0.0.0.0} for every interface. */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host);
            return this;
        }

        /** Port (default 8443; 0 picks a free one). */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0-65535");
            }
            this.port = port;
            return this;
        }

        public Builder tls(ServerTls tls) {
            this.tls = Objects.requireNonNull(tls);
            return this;
        }

        /** The application. */
        public Builder handler(Handler handler) {
            this.handler = Objects.requireNonNull(handler);
            return this;
        }

        /** What {@code /readyz} reports (default: ready once started). */
        public Builder ready(BooleanSupplier ready) {
            this.ready = Objects.requireNonNull(ready);
            return this;
        }

        /** The registry {@code /metrics} exposes; the application records into the same one. */
        public Builder metrics(PrometheusMeterRegistry metrics) {
            this.metrics = Objects.requireNonNull(metrics);
            return this;
        }

        public Builder maxThreads(int maxThreads) {
            this.maxThreads = maxThreads;
            return this;
        }

        /** How long a stop waits for requests in flight (default 20 s). */
        public Builder stopTimeout(Duration stopTimeout) {
            this.stopTimeout = Objects.requireNonNull(stopTimeout);
            return this;
        }

        /**
         * Also serve plain HTTP/1.1 on this Unix domain socket (mode 0660), for a proxy on the same host:
         * the file's owner and group decide who may connect.
         */
        public Builder unixSocket(Path socket) {
            this.unixSocket = socket;
            return this;
        }

        /** Whether the server stops itself when the JVM shuts down (default); off when its owner does it. */
        public Builder stopAtShutdown(boolean stopAtShutdown) {
            this.stopAtShutdown = stopAtShutdown;
            return this;
        }

        public HttpServer build() throws IOException {
            if (tls == null || handler == null) {
                throw new IllegalStateException("a server needs TLS and a handler");
            }
            return new HttpServer(this);
        }
    }
}
