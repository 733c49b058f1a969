package dev.tessera.agent.daemon;

import dev.tessera.agent.credmon.CredentialDirectory;
import dev.tessera.agent.credmon.Credmon;
import dev.tessera.agent.manager.AgentKey;
import dev.tessera.agent.manager.GrantStore;
import dev.tessera.agent.manager.IssuerClients;
import dev.tessera.agent.manager.RenewalPolicy;
import dev.tessera.agent.manager.TokenManager;
import dev.tessera.agent.oauth.Transport;
import dev.tessera.agent.shell.SignalForwarding;
import dev.tessera.agent.socket.AgentProtocol;
import dev.tessera.agent.socket.AgentServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code tessera agent}: the token manager behind its socket, and, when given a credential directory, the
 * HTCondor credmon over it; one background thread renews what is due and rescans the directory every
 * {@link Config#credmonInterval} and at once on SIGHUP (what the credd sends after storing a credential).
 */
public final class AgentDaemon implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AgentDaemon.class);
    /** The longest the loop sleeps, so a clock change or a lost wake-up costs at most this much. */
    private static final Duration LONGEST_SLEEP = Duration.ofSeconds(60);

    /**
     * @param data            the data directory (the key and the users' grants)
     * @param socket          the socket to listen on
     * @param credmonDir      the HTCondor credential directory to keep, or {@code null}
     * @param credmonInterval how often the credential directory is rescanned
     * @param credmon         how {@code .use} files are written and marked credentials deleted
     * @param settings        the token manager's settings
     * @param policy          when tokens are renewed
     */
    public record Config(Path data, Path socket, Path credmonDir, Duration credmonInterval, Credmon.Settings credmon,
                         TokenManager.Settings settings, RenewalPolicy policy) {
    }

    private final TokenManager manager;
    private final AgentServer server;
    private final Credmon credmon;
    private final Clock clock;
    private final Duration credmonInterval;
    private final Thread loop;
    private final SignalForwarding hangUp;
    private final Object monitor = new Object();
    private boolean rescan = true;
    private volatile boolean closed;

    private AgentDaemon(TokenManager manager, AgentServer server, Credmon credmon, Clock clock, Duration credmonInterval) {
        this.manager = manager;
        this.server = server;
        this.credmon = credmon;
        this.clock = clock;
        this.credmonInterval = credmonInterval;
        this.loop = new Thread(this::run, "tessera-agent-renewal");
        this.loop.setDaemon(true);
        this.hangUp = credmon == null ? null : SignalForwarding.on("HUP", () -> {
            LOG.info("SIGHUP: rescanning {}", credmon.directory().root());
            rescan();
        });
    }

    /**
     * Starts the agent: creates the data directory (0700; 0711 when the socket is in it, so other users can
     * reach the socket), loads or creates the key, listens, and, with a credential directory, removes its
     * {@code CREDMON_COMPLETE}, writes its {@code pid} and makes a first pass.
     *
     * @throws IOException when the data directory, the key, the socket or the credential directory cannot be used
     */
    public static AgentDaemon start(Config config, Transport transport, Clock clock, Map<String, String> env)
            throws IOException {
        Path data = config.data().toAbsolutePath();
        Path socket = config.socket().toAbsolutePath();
        createPrivate(data);
        if (socket.getParent().equals(data)) {
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(data);
            mode.add(PosixFilePermission.GROUP_EXECUTE);
            mode.add(PosixFilePermission.OTHERS_EXECUTE);
            Files.setPosixFilePermissions(data, mode); // traversable, not listable: the socket is reachable
        }
        CredentialDirectory credentials = null;
        if (config.credmonDir() != null) {
            credentials = CredentialDirectory.open(config.credmonDir());
            credentials.markIncomplete();
        }
        SecureRandom random = new SecureRandom();
        TokenManager manager = new TokenManager(new GrantStore(data, AgentKey.load(data, env)),
                IssuerClients.over(transport, clock), clock, config.policy(), random, config.settings());
        AgentServer server = AgentServer.start(socket, new AgentProtocol(manager, clock));
        Credmon credmon = null;
        if (credentials != null) {
            try {
                credentials.writePid(ProcessHandle.current().pid());
            } catch (IOException e) {
                server.close();
                throw e;
            }
            credmon = new Credmon(credentials, transport, clock, config.policy(), random, config.credmon());
        }
        AgentDaemon daemon = new AgentDaemon(manager, server, credmon, clock, config.credmonInterval());
        manager.onChange(daemon::wake);
        daemon.loop.start();
        LOG.info("tessera agent listening on {}{}", socket, credmon == null ? ""
                : "; keeping the HTCondor credential directory " + credentials.root());
        return daemon;
    }

    public TokenManager manager() {
        return manager;
    }

    /** The credmon, or {@code null} without a credential directory. */
    public Credmon credmon() {
        return credmon;
    }

    public Path socket() {
        return server.path();
    }

    /** Rescans the credential directory now (what SIGHUP does). */
    public void rescan() {
        synchronized (monitor) {
            rescan = true;
            monitor.notifyAll();
        }
    }

    /** Wakes the renewal loop to recompute when it next has work. */
    public void wake() {
        synchronized (monitor) {
            monitor.notifyAll();
        }
    }

    private void run() {
        Instant nextScan = Instant.MIN;
        while (!closed) {
            Instant next;
            try {
                next = manager.renewDue();
                if (credmon != null) {
                    boolean scanNow;
                    synchronized (monitor) {
                        scanNow = rescan;
                        rescan = false;
                    }
                    Instant now = clock.instant();
                    Instant due = credmon.nextDue();
                    if (scanNow || !now.isBefore(nextScan) || (due != null && !now.isBefore(due))) {
                        credmon.scan();
                        nextScan = clock.instant().plus(credmonInterval);
                    }
                    next = earlier(earlier(next, nextScan), credmon.nextDue());
                }
            } catch (RuntimeException e) {
                LOG.error("the renewal loop failed: {}", e.toString(), e);
                next = clock.instant().plusSeconds(10);
            }
            long millis = next == null ? LONGEST_SLEEP.toMillis()
                    : Math.min(LONGEST_SLEEP.toMillis(), Math.max(0, Duration.between(clock.instant(), next).toMillis()));
            synchronized (monitor) {
                if (closed || (rescan && credmon != null)) {
                    continue;
                }
                rescan = false; // without a credential directory there is nothing to rescan
                try {
                    monitor.wait(Math.max(millis, 50));
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** Stops listening and renewing; removes the socket and the credmon's pid file. */
    @Override
    public void close() {
        closed = true;
        wake();
        if (hangUp != null) {
            hangUp.close();
        }
        server.close();
        loop.interrupt();
        try {
            loop.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (credmon != null) {
            credmon.directory().removePid(ProcessHandle.current().pid());
        }
        LOG.info("tessera agent stopped");
    }

    private static void createPrivate(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
    }

    private static Instant earlier(Instant a, Instant b) {
        return a == null ? b : b == null || a.isBefore(b) ? a : b;
    }
}
