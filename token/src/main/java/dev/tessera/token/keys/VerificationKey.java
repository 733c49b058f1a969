package dev.tessera.token.keys;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;

/**
 * A public key ready to verify signatures of one algorithm, converted once when it is loaded: into OpenSSL
 * where it is used ({@link OpenSsl}: Java 22+ with native access), and EC keys into BouncyCastle curve points
 * for {@link P256}, so no conversion happens per verification.
 */
public final class VerificationKey {
    /** RFC 7518 §3.3: RSA keys for RS256 must be at least 2048 bits. */
    public static final int MIN_RSA_BITS = 2048;

    private final String keyId;
    private final Algorithm algorithm;
    private final PublicKey key;
    private final ECPublicKeyParameters ecKey;
    private final OpenSsl.Key nativeKey; // null: Java verifies

    private VerificationKey(String keyId, Algorithm algorithm, PublicKey key, ECPublicKeyParameters ecKey) {
        this.keyId = keyId;
        this.algorithm = algorithm;
        this.key = key;
        this.ecKey = ecKey;
        this.nativeKey = OpenSsl.loadPublic(algorithm, key);
    }

    /**
     * A verification key for {@code algorithm}.
     *
     * @throws IllegalArgumentException when the key does not fit the algorithm (type, curve, size)
     */
    public static VerificationKey of(String keyId, Algorithm algorithm, PublicKey key) {
        if (algorithm == Algorithm.RS256) {
            if (!(key instanceof RSAPublicKey rsa)) {
                throw new IllegalArgumentException("RS256 needs an RSA key, not " + key.getAlgorithm());
            }
            if (rsa.getModulus().bitLength() < MIN_RSA_BITS) {
                throw new IllegalArgumentException("RSA key has " + rsa.getModulus().bitLength()
                        + " bits, fewer than " + MIN_RSA_BITS);
            }
            return new VerificationKey(keyId, algorithm, key, null);
        }
        if (!(key instanceof ECPublicKey ec) || !Curve.P_256.equals(Curve.forECParameterSpec(ec.getParams()))) {
            throw new IllegalArgumentException("ES256 needs an EC key on curve P-256");
        }
        return new VerificationKey(keyId, algorithm, key, P256.publicParameters(ec));
    }

    /**
     * A verification key from a public JWK. The algorithm is the JWK's {@code alg}, or derived from
     * its type ({@code RSA} gives RS256, {@code EC} on P-256 gives ES256).
     *
     * @throws IllegalArgumentException when the JWK cannot verify RS256 or ES256 signatures
     */
    public static VerificationKey fromJwk(JWK jwk) {
        if (jwk.getKeyUse() != null && !KeyUse.SIGNATURE.equals(jwk.getKeyUse())) {
            throw new IllegalArgumentException("key use is " + jwk.getKeyUse().getValue() + ", not sig");
        }
        Algorithm algorithm = null;
        if (jwk.getAlgorithm() != null) {
            algorithm = Algorithm.fromJws(jwk.getAlgorithm().getName());
            if (algorithm == null) {
                throw new IllegalArgumentException("key algorithm " + jwk.getAlgorithm().getName() + " is not RS256 or ES256");
            }
        }
        try {
            if (jwk instanceof RSAKey rsa) {
                return of(jwk.getKeyID(), algorithm == null ? Algorithm.RS256 : algorithm, rsa.toRSAPublicKey());
            }
            if (jwk instanceof ECKey ec) {
                return of(jwk.getKeyID(), algorithm == null ? Algorithm.ES256 : algorithm, ec.toECPublicKey());
            }
        } catch (JOSEException e) {
            throw new IllegalArgumentException("key cannot be loaded: " + e.getMessage(), e);
        }
        throw new IllegalArgumentException("key type " + jwk.getKeyType() + " cannot sign RS256 or ES256");
    }

    /**
     * Who checks this JVM's signatures, for a server's start-up log: {@code "OpenSSL 3.x.y (libcrypto)"} when
     * Java 22+ may call it, otherwise BouncyCastle and the JDK, and why.
     */
    public static String verifyingLibrary() {
        return OpenSsl.library();
    }

    /** The key's {@code kid}, or {@code null}. */
    public String keyId() {
        return keyId;
    }

    public Algorithm algorithm() {
        return algorithm;
    }

    /** The public key. */
    public PublicKey publicKey() {
        return key;
    }

    /** Whether {@code signature} is this key's signature over {@code data[0, length)}. */
    public boolean verify(byte[] data, int length, byte[] signature) {
        if (nativeKey != null && (algorithm == Algorithm.RS256 || signature.length == 64)) {
            int verified = nativeKey.verify(Sha256.digest(data, length), signature);
            if (verified >= 0) {
                return verified == 1;
            }
        }
        return verifyInJava(data, length, signature);
    }

    /** {@link #verify} by BouncyCastle (ES256) or the JDK (RS256): for OpenSSL's failures, and to check OpenSSL. */
    boolean verifyInJava(byte[] data, int length, byte[] signature) {
        if (algorithm == Algorithm.ES256) {
            return P256.verify(ecKey, Sha256.digest(data, length), signature);
        }
        Signature verifier = Algorithm.rsaSignature();
        try {
            verifier.initVerify(key);
            verifier.update(data, 0, length);
            return verifier.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false; // malformed signature bytes are a failed verification, not an error
        }
    }
}
