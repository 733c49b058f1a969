package dev.tessera.issuer;

import dev.tessera.issuer.domain.Vo;
import dev.tessera.issuer.http.IssuerHandler;
import dev.tessera.issuer.service.Administration;
import dev.tessera.issuer.service.AuditTrail;
import dev.tessera.issuer.service.IssuerState;
import dev.tessera.issuer.service.Maintenance;
import dev.tessera.issuer.service.RateLimit;
import dev.tessera.issuer.service.VoContext;
import dev.tessera.issuer.service.admin.Administrators;
import dev.tessera.issuer.service.authorize.AuthorizationFlow;
import dev.tessera.issuer.service.clients.ClientAssertions;
import dev.tessera.issuer.service.clients.ClientAuthenticator;
import dev.tessera.issuer.service.clients.Registration;
import dev.tessera.issuer.service.keys.Keys;
import dev.tessera.issuer.service.keys.MasterKey;
import dev.tessera.issuer.service.device.DeviceFlow;
import dev.tessera.issuer.service.login.Login;
import dev.tessera.issuer.service.login.LoginThrottle;
import dev.tessera.issuer.service.tokens.AccessTokens;
import dev.tessera.issuer.service.tokens.IdTokens;
import dev.tessera.issuer.service.tokens.RefreshTokens;
import dev.tessera.issuer.service.tokens.UserInfo;
import dev.tessera.issuer.service.tokens.TokenService;
import dev.tessera.issuer.service.tokens.TokenStatus;
import dev.tessera.issuer.store.Database;
import dev.tessera.issuer.store.Stores;
import dev.tessera.web.HttpServer;
import dev.tessera.web.ServerTls;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A running issuer: the database (created and migrated on first start), the master key, every VO's keys,
 * and the HTTPS endpoints. On first start with an empty database it creates one VO.
 */
public final class IssuerServer implements AutoCloseable {
    private final Database database;
    private final IssuerState state;
    private final AuditTrail audit;
    private final Maintenance maintenance;
    private final HttpServer http;
    private final ServerTls tls;
    private final Vo created;
    private final Optional<String> bootstrapPassword;

    /** How often a server tries to do the periodic work (one of several on a database does it). */
    static final Duration MAINTENANCE_PERIOD = Duration.ofMinutes(5);

    private IssuerServer(Database database, IssuerState state, AuditTrail audit, Maintenance maintenance, HttpServer http,
                         ServerTls tls, Vo created, Optional<String> bootstrapPassword) {
        this.bootstrapPassword = bootstrapPassword;
        this.database = database;
        this.state = state;
        this.audit = audit;
        this.maintenance = maintenance;
        this.http = http;
        this.tls = tls;
        this.created = created;
    }

    /** The database and administration of {@code config}, for the CLI's admin commands and the server. */
    public static final class Admin implements AutoCloseable {
        private final Database database;
        private final Stores stores;
        private final Keys keys;
        private final Administration administration;

        private Admin(Database database, MasterKey masterKey, Clock clock) {
            this.database = database;
            this.stores = Stores.of(database);
            this.keys = new Keys(stores.keys(), masterKey, clock);
            this.administration = new Administration(stores, keys, clock);
        }

        /** Opens (creating on first use) the database and master key of {@code config}. */
        public static Admin open(IssuerConfig config, Map<String, String> env) throws IOException {
            return open(config, env, Clock.systemUTC());
        }

        /** As above, deciding times (key activation, creation) by {@code clock}. */
        static Admin open(IssuerConfig config, Map<String, String> env, Clock clock) throws IOException {
            config.validate();
            Database database = config.databaseUrl() == null ? Database.sqlite(config.data())
                    : Database.open(config.databaseUrl(), config.databaseUser(), config.databasePassword());
            try {
                return new Admin(database, MasterKey.load(config.data(), env, true), clock);
            } catch (IOException | RuntimeException e) {
                database.close();
                throw e;
            }
        }

        public Administration administration() {
            return administration;
        }

        public Stores stores() {
            return stores;
        }

        @Override
        public void close() {
            database.close();
        }
    }

    /**
     * Starts an issuer.
     *
     * @throws IllegalArgumentException for a configuration error
     * @throws GeneralSecurityException when the stored keys cannot be unsealed with this master key
     */
    public static IssuerServer start(IssuerConfig config, Map<String, String> env) throws IOException, GeneralSecurityException {
        return start(config, env, Clock.systemUTC());
    }

    /** Starts an issuer whose decisions follow {@code clock} (tests move time on). */
    public static IssuerServer start(IssuerConfig config, Map<String, String> env, Clock clock)
            throws IOException, GeneralSecurityException {
        Admin admin = Admin.open(config, env, clock);
        AuditTrail audit = null;
        IssuerState state = null;
        try {
            admin.administration().ensureKeys();
            state = new IssuerState(admin.stores, admin.keys, config.verifierCacheTime());
            audit = new AuditTrail(admin.stores.audit());
            PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            DeviceFlow deviceFlow = new DeviceFlow(admin.stores.deviceGrants(), clock);
            TokenStatus status = new TokenStatus(admin.stores.refreshTokens(), admin.stores.revokedTokens(), clock);
            RefreshTokens refreshTokens = new RefreshTokens(admin.stores.refreshTokens(), clock);
            AuthorizationFlow authorizationFlow = new AuthorizationFlow(admin.stores.authorizationCodes(), status, clock);
            ClientAuthenticator clients = new ClientAuthenticator(
                    new ClientAssertions(admin.stores.clientAssertions(), clock));
            TokenService tokens = new TokenService(clients, new AccessTokens(audit, clock), new IdTokens(clock),
                    refreshTokens, deviceFlow, authorizationFlow, admin.stores.accounts(), status, clock);
            Login login = new Login(admin.stores.accounts(), admin.stores.sessions(), LoginThrottle.standard(clock), clock);
            Registration registration = new Registration(admin.administration(),
                    new RateLimit(20, Duration.ofHours(1), clock), clock);
            Administrators administrators = new Administrators(admin.stores.admins(), LoginThrottle.standard(clock), clock);
            IssuerHandler.Services services = new IssuerHandler.Services(clients, tokens, status, deviceFlow, authorizationFlow,
                    new UserInfo(status, admin.stores.accounts()), login, registration, admin.administration(), administrators);
            AtomicInteger boundPort = new AtomicInteger();
            ServerTls tls = ServerTls.configuredOrSelfSigned(config.tlsCert(), config.tlsKey(), config.data());
            AtomicBoolean ready = new AtomicBoolean();
            // stopped by close(), which then writes the audit queue and closes the database
            HttpServer http = HttpServer.builder().name("issuer").host(config.host()).port(config.port()).tls(tls)
                    .stopAtShutdown(false)
                    .metrics(metrics).ready(ready::get).handler(new IssuerHandler(state, services, metrics, clock,
                            () -> config.publicUrl(boundPort.get()), config.verifierCacheTime())).build().start();
            boundPort.set(http.port());
            Vo created = null;
            if (admin.administration().vos().isEmpty()) { // first start: the URL is known only now (port 0)
                created = admin.administration().addVo(Administration.VoSettings.defaults(config.defaultVo()),
                        config.publicUrl(http.port()));
                state.refresh();
            }
            state.startPolling(Duration.ofSeconds(1));
            Optional<String> bootstrapPassword = administrators.bootstrap();
            Maintenance maintenance = new Maintenance(admin.stores, state, admin.keys, config.verifierCacheTime(),
                    config.auditRetention(), clock);
            maintenance.start(MAINTENANCE_PERIOD);
            ready.set(true);
            return new IssuerServer(admin.database, state, audit, maintenance, http, tls, created, bootstrapPassword);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            if (state != null) {
                state.close();
            }
            if (audit != null) {
                audit.close();
            }
            admin.close();
            throw e;
        }
    }

    public String url() {
        return http.url();
    }

    public int port() {
        return http.port();
    }

    /** The VOs served, as of the latest reload. */
    public List<VoContext> vos() {
        return state.vos();
    }

    /** The VO this start created (first start), if any. */
    public Optional<Vo> created() {
        return Optional.ofNullable(created);
    }

    /** The PEM certificate the server presents (what clients of a self-signed default must trust). */
    public Path tlsCertificate() {
        return tls.certificate();
    }

    public HttpServer http() {
        return http;
    }

    /**
     * The one-time password of the administrator {@code admin} this start made (the database had none), to be
     * shown once: it only opens a password change at {@code POST /admin/api/token}.
     */
    public Optional<String> bootstrapPassword() {
        return bootstrapPassword;
    }

    /** The periodic work, for running a pass now. */
    public Maintenance maintenance() {
        return maintenance;
    }

    /** Reloads VOs, keys, clients and policy now if the database changed (the server also polls each second). */
    public void refresh() throws GeneralSecurityException {
        state.refresh();
    }

    public void join() throws InterruptedException {
        http.join();
    }

    /** Stops serving, writes queued audit events, closes the database. */
    @Override
    public void close() {
        try {
            maintenance.close();
            http.close();
        } finally {
            state.close();
            audit.close();
            database.close();
        }
    }
}
