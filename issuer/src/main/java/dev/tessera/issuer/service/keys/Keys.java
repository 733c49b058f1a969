package dev.tessera.issuer.service.keys;

import dev.tessera.issuer.domain.StoredKey;
import dev.tessera.issuer.domain.Vo;
import dev.tessera.issuer.store.KeyStore;
import dev.tessera.token.keys.Algorithm;
import dev.tessera.token.keys.Pem;
import dev.tessera.token.keys.SigningKey;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Creates, rotates and unseals the VOs' signing keys. */
public final class Keys {
    private final KeyStore store;
    private final MasterKey masterKey;
    private final Clock clock;

    public Keys(KeyStore store, MasterKey masterKey, Clock clock) {
        this.store = store;
        this.masterKey = masterKey;
        this.clock = clock;
    }

    /** A new key for {@code vo}, published now and signing from {@code activatesAt}. */
    public StoredKey create(Vo vo, Algorithm algorithm, Instant activatesAt) {
        SigningKey key = SigningKey.generate(algorithm, null);
        String pem = Pem.write(key.privateKey());
        StoredKey stored = new StoredKey(vo.name(), key.keyId(), algorithm,
                masterKey.seal(pem.getBytes(StandardCharsets.US_ASCII), context(vo.name(), key.keyId())),
                key.toPublicJwk().toJSONString(), clock.instant().getEpochSecond(), activatesAt.getEpochSecond());
        store.insert(stored);
        return stored;
    }

    /**
     * Starts a rotation: a new key (of the VO's algorithm) published now that signs after {@code prepublish},
     * and at the earliest in the second after the current key's activation: activation times are whole
     * seconds, and two keys activating in the same second would leave open which one signs.
     *
     * @throws IllegalStateException when a key is already waiting to activate
     */
    public StoredKey rotate(Vo vo, List<StoredKey> current, Duration prepublish) {
        Instant now = clock.instant();
        long newest = Long.MIN_VALUE;
        for (StoredKey key : current) {
            if (!key.vo().equals(vo.name())) {
                continue;
            }
            if (key.activatesAt() > now.getEpochSecond()) {
                throw new IllegalStateException("key " + key.kid() + " of VO " + vo.name() + " already waits to sign from "
                        + Instant.ofEpochSecond(key.activatesAt()));
            }
            newest = Math.max(newest, key.activatesAt());
        }
        Instant activation = now.plus(prepublish);
        if (activation.getEpochSecond() <= newest) {
            activation = Instant.ofEpochSecond(newest + 1);
        }
        return create(vo, vo.algorithm(), activation);
    }

    /**
     * The key ring of one VO.
     *
     * @param retention how long a replaced key stays published
     * @throws GeneralSecurityException when a key cannot be unsealed (another master key?)
     */
    public KeyRing ring(List<StoredKey> keys, Duration retention) throws GeneralSecurityException {
        List<KeyRing.Entry> entries = new ArrayList<>();
        for (StoredKey stored : keys) {
            entries.add(new KeyRing.Entry(stored, unseal(stored)));
        }
        return new KeyRing(entries, retention);
    }

    private SigningKey unseal(StoredKey stored) throws GeneralSecurityException {
        byte[] pem;
        try {
            pem = masterKey.open(stored.sealedPrivateKey(), context(stored.vo(), stored.kid()));
        } catch (GeneralSecurityException e) {
            throw new GeneralSecurityException("cannot unseal key " + stored.kid() + " of VO " + stored.vo()
                    + ": not sealed under this master key", e);
        }
        try {
            KeyPair pair = Pem.readKeyPair(new String(pem, StandardCharsets.US_ASCII), null);
            return SigningKey.of(stored.kid(), stored.algorithm(), pair);
        } catch (IOException e) {
            throw new GeneralSecurityException("key " + stored.kid() + " of VO " + stored.vo() + " is corrupt", e);
        }
    }

    /** Binds a sealed key to its row, so it cannot be swapped for another VO's. */
    private static String context(String vo, String kid) {
        return "signing_key/" + vo + "/" + kid;
    }
}
