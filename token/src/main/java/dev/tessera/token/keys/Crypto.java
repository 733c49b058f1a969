package dev.tessera.token.keys;

import java.security.GeneralSecurityException;
import java.security.Provider;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * The BouncyCastle provider, used by instance and never registered globally, so an application's
 * own provider order is left alone. BC verifies P-256 ECDSA about 6-12x faster than SunEC when it is
 * given its own key objects (shared/reference/java-stack.md §2c), which {@link VerificationKey} does.
 */
public final class Crypto {
    /** The one BouncyCastle provider instance of this library. */
    public static final Provider BC = new BouncyCastleProvider();

    private Crypto() {
    }

    /** Wraps a checked JCA failure that indicates a broken runtime rather than bad input. */
    static IllegalStateException broken(GeneralSecurityException e) {
        return new IllegalStateException("cryptographic provider failure: " + e.getMessage(), e);
    }
}
