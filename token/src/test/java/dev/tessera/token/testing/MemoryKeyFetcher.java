package dev.tessera.token.testing;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.tessera.token.Trace;
import dev.tessera.token.discovery.KeyFetchException;
import dev.tessera.token.discovery.KeyFetcher;
import dev.tessera.token.keys.SigningKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** A {@link KeyFetcher} serving key sets from memory, counting fetches; issuers can be made to fail or stall. */
public final class MemoryKeyFetcher implements KeyFetcher {
    private final Map<String, JWKSet> published = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> fetches = new ConcurrentHashMap<>();
    private volatile boolean down;
    private volatile Duration delay = Duration.ZERO;

    /** Publishes exactly these keys for {@code issuer}. */
    public MemoryKeyFetcher publish(String issuer, SigningKey... keys) {
        List<JWK> jwks = new ArrayList<>();
        for (SigningKey key : keys) {
            jwks.add(key.toPublicJwk());
        }
        published.put(issuer, new JWKSet(jwks));
        return this;
    }

    /** Every fetch fails while down. */
    public void down(boolean down) {
        this.down = down;
    }

    public void delay(Duration delay) {
        this.delay = delay;
    }

    public int fetches(String issuer) {
        AtomicInteger n = fetches.get(issuer);
        return n == null ? 0 : n.get();
    }

    @Override
    public JWKSet fetch(String issuer, Trace trace) throws KeyFetchException {
        fetches.computeIfAbsent(issuer, i -> new AtomicInteger()).incrementAndGet();
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (down) {
            throw new KeyFetchException("issuer " + issuer + " is down");
        }
        JWKSet jwks = published.get(issuer);
        if (jwks == null) {
            throw new KeyFetchException("no metadata for issuer " + issuer + ": HTTP 404");
        }
        return jwks;
    }
}
