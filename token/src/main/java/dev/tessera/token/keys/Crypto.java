package dev.tessera.token.keys;

import java.security.GeneralSecurityException;
import java.security.Provider;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * Shared cryptographic plumbing. ES256 uses BouncyCastle's lightweight API ({@link P256}), so the
 * BouncyCastle JCA provider, which takes about 120 ms to instantiate, is only created when an
 * encrypted PEM key is read. It is used by instance and never registered globally, so an application's
 * own provider order is left alone.
 */
public final class Crypto {
    private Crypto() {
    }

    /** The BouncyCastle provider of this library, created on first use. */
    public static Provider bouncyCastle() {
        return Holder.BC;
    }

    private static final class Holder {
        static final Provider BC = new BouncyCastleProvider();
    }

    /** Wraps a checked JCA failure that indicates a broken runtime rather than bad input. */
    static IllegalStateException broken(GeneralSecurityException e) {
        return new IllegalStateException("cryptographic provider failure: " + e.getMessage(), e);
    }
}
