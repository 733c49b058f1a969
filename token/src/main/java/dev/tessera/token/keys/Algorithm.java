package dev.tessera.token.keys;

import java.security.GeneralSecurityException;
import java.security.Signature;

/** The two JWS algorithms SciTokens and WLCG require, and the only ones accepted: RS256 and ES256. */
public enum Algorithm {
    /** RSASSA-PKCS1-v1_5 with SHA-256, RSA keys of at least 2048 bits (the JDK's provider). */
    RS256("RSA"),
    /** ECDSA on P-256 with SHA-256, signature as 64 bytes R || S (BouncyCastle's lightweight API). */
    ES256("EC");

    private static final ThreadLocal<Signature> RSA = ThreadLocal.withInitial(Algorithm::newRsaSignature);

    private final String keyType;

    Algorithm(String keyType) {
        this.keyType = keyType;
    }

    /** The JCA key algorithm: {@code "RSA"} or {@code "EC"}. */
    public String keyType() {
        return keyType;
    }

    /** The algorithm for a JWS {@code alg} header value, or {@code null} when it is not supported. */
    public static Algorithm fromJws(String alg) {
        if ("ES256".equals(alg)) {
            return ES256;
        }
        if ("RS256".equals(alg)) {
            return RS256;
        }
        return null;
    }

    /** This thread's SHA256withRSA {@link Signature} (costly to look up; callers init it before each use). */
    static Signature rsaSignature() {
        return RSA.get();
    }

    private static Signature newRsaSignature() {
        try {
            return Signature.getInstance("SHA256withRSA");
        } catch (GeneralSecurityException e) {
            throw Crypto.broken(e);
        }
    }
}
