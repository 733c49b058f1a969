package dev.tessera.issuer.service;

import dev.tessera.issuer.domain.Client;
import dev.tessera.issuer.domain.PolicyRule;
import dev.tessera.issuer.domain.RegistrationPolicy;
import dev.tessera.issuer.domain.StoredKey;
import dev.tessera.issuer.domain.Vo;
import dev.tessera.issuer.service.keys.KeyRing;
import dev.tessera.issuer.service.keys.Keys;
import dev.tessera.issuer.service.policy.Policy;
import dev.tessera.issuer.service.policy.ScopeTemplate;
import dev.tessera.issuer.store.Stores;
import dev.tessera.token.scope.InvalidScopeException;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The VOs, keys, clients and policy as the token endpoint sees them: a snapshot read from the
 * database, replaced whenever the database's revision moves (a change by the CLI, the admin API or
 * another issuer process on the same database), so requests never wait for the database for them.
 */
public final class IssuerState implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IssuerState.class);

    private final Stores stores;
    private final Keys keys;
    private final Duration verifierCacheTime;
    private volatile Snapshot snapshot;
    private ScheduledExecutorService poller;

    private record Snapshot(long revision, Map<String, VoContext> vos) {
    }

    /**
     * @param verifierCacheTime how long verifiers may cache a JWKS: keys are published at least this long
     *                          before they sign and after the last token they signed expired
     */
    public IssuerState(Stores stores, Keys keys, Duration verifierCacheTime) throws GeneralSecurityException {
        this.stores = stores;
        this.keys = keys;
        this.verifierCacheTime = verifierCacheTime;
        this.snapshot = load();
    }

    /** A VO by name, or {@code null}. */
    public VoContext vo(String name) {
        return snapshot.vos().get(name);
    }

    public List<VoContext> vos() {
        return List.copyOf(snapshot.vos().values());
    }

    /** Reloads now if the database changed; whether it did. */
    public boolean refresh() throws GeneralSecurityException {
        long revision = stores.revision().current();
        if (revision == snapshot.revision()) {
            return false;
        }
        snapshot = load();
        return true;
    }

    /** Checks for changes every {@code interval} from now on. */
    public synchronized void startPolling(Duration interval) {
        if (poller != null) {
            return;
        }
        poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "issuer-state-poller");
            t.setDaemon(true);
            return t;
        });
        poller.scheduleWithFixedDelay(() -> {
            try {
                if (refresh()) {
                    LOG.info("configuration reloaded (revision {})", snapshot.revision());
                }
            } catch (Exception e) {
                LOG.warn("cannot reload the configuration, serving the previous one: {}", e.toString());
            }
        }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private Snapshot load() throws GeneralSecurityException {
        long revision = stores.revision().current(); // read first: a change after it triggers another load
        Map<String, List<StoredKey>> keysByVo = new HashMap<>();
        for (StoredKey key : stores.keys().list()) {
            keysByVo.computeIfAbsent(key.vo(), v -> new ArrayList<>()).add(key);
        }
        Map<String, Map<String, VoContext.RegisteredClient>> clientsByVo = new HashMap<>();
        for (Client client : stores.clients().list()) {
            try {
                clientsByVo.computeIfAbsent(client.vo(), v -> new HashMap<>())
                        .put(client.clientId(), VoContext.RegisteredClient.of(client));
            } catch (InvalidScopeException | java.text.ParseException e) {
                LOG.warn("client {} of VO {} is disabled: its scope or keys are invalid: {}", client.clientId(), client.vo(),
                        e.getMessage());
            }
        }
        Map<String, List<PolicyRule>> rulesByVo = new HashMap<>();
        for (PolicyRule rule : stores.policies().list()) {
            rulesByVo.computeIfAbsent(rule.vo(), v -> new ArrayList<>()).add(rule);
        }
        Map<String, RegistrationPolicy> registration = new HashMap<>();
        for (RegistrationPolicy policy : stores.registration().list()) {
            registration.put(policy.vo(), policy);
        }
        Map<String, VoContext> vos = new LinkedHashMap<>();
        for (Vo vo : stores.vos().list()) {
            KeyRing ring = keys.ring(keysByVo.getOrDefault(vo.name(), List.of()),
                    vo.maxAccessLifetime().plus(verifierCacheTime));
            vos.put(vo.name(), new VoContext(vo, ring, clientsByVo.getOrDefault(vo.name(), Map.of()),
                    policy(vo, rulesByVo.getOrDefault(vo.name(), List.of())), registration.get(vo.name())));
        }
        return new Snapshot(revision, Collections.unmodifiableMap(vos));
    }

    private static Policy policy(Vo vo, List<PolicyRule> rules) {
        List<PolicyRule> valid = new ArrayList<>();
        for (PolicyRule rule : rules) {
            try {
                ScopeTemplate.parse(rule.scopeTemplate());
                valid.add(rule);
            } catch (InvalidScopeException e) {
                LOG.warn("policy rule {} of VO {} is ignored: {}", rule.id(), vo.name(), e.getMessage());
            }
        }
        try {
            return new Policy(valid);
        } catch (InvalidScopeException e) {
            throw new IllegalStateException(e); // every template was just checked
        }
    }

    @Override
    public synchronized void close() {
        if (poller != null) {
            poller.shutdownNow();
        }
    }
}
