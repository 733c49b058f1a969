package dev.tessera.token.keys;

import java.security.GeneralSecurityException;
import java.security.Signature;

/**
 * The two JWS algorithms SciTokens and WLCG require (and the only ones accepted): RS256 and ES256.
 *
 * <p>ES256 uses BouncyCastle's {@code SHA256withPLAIN-ECDSA}, which signs and verifies the raw
 * {@code R || S} form JWS uses (RFC 7518 §3.4) without DER transcoding.
 */
public enum Algorithm {
    /** RSASSA-PKCS1-v1_5 with SHA-256, RSA keys of at least 2048 bits. */
    RS256("RSA", "SHA256withRSA", false),
    /** ECDSA on P-256 with SHA-256, signature as 64 bytes R || S. */
    ES256("EC", "SHA256withPLAIN-ECDSA", true);

    private final String keyType;
    private final String jcaName;
    private final boolean bouncyCastle;
    private final ThreadLocal<Signature> signatures;

    Algorithm(String keyType, String jcaName, boolean bouncyCastle) {
        this.keyType = keyType;
        this.jcaName = jcaName;
        this.bouncyCastle = bouncyCastle;
        // A Signature is not thread-safe and costly to look up; one per thread, re-initialised per use.
        this.signatures = ThreadLocal.withInitial(this::newSignature);
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

    /** This thread's {@link Signature} for this algorithm; callers must init it before each use. */
    Signature signature() {
        return signatures.get();
    }

    /** A fresh {@link Signature}, for callers that keep their own. */
    public Signature newSignature() {
        try {
            return bouncyCastle ? Signature.getInstance(jcaName, Crypto.BC) : Signature.getInstance(jcaName);
        } catch (GeneralSecurityException e) {
            throw Crypto.broken(e);
        }
    }
}
