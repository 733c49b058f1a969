package dev.tessera.token.keys;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Objects;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;

/**
 * A private key that signs tokens: key pair, algorithm and {@code kid}.
 *
 * <p>Create one with {@link #generate}, or load one with {@link Pem#readKeyPair} and {@link #of}.
 * The public half is published with {@link #toPublicJwk()}.
 */
public final class SigningKey {
    private final String keyId;
    private final Algorithm algorithm;
    private final PrivateKey privateKey;
    private final PublicKey publicKey;
    private final ECPrivateKeyParameters ecKey;
    private final OpenSsl.Key nativeKey; // null: Java signs

    private SigningKey(String keyId, Algorithm algorithm, KeyPair pair) {
        this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
        this.privateKey = pair.getPrivate();
        this.publicKey = pair.getPublic();
        VerificationKey check = VerificationKey.of(null, algorithm, publicKey); // same rules as verification
        if (!algorithm.keyType().equals(privateKey.getAlgorithm())) {
            throw new IllegalArgumentException(algorithm + " needs an " + algorithm.keyType() + " private key");
        }
        this.keyId = keyId == null || keyId.isEmpty() ? thumbprint(algorithm, publicKey) : keyId;
        if (!isValidKeyId(this.keyId)) {
            throw new IllegalArgumentException("key id must be 1-256 characters of A-Z a-z 0-9 . _ ~ : + = @ -"
                    + " without '..' (verifiers refuse other kids)");
        }
        this.ecKey = algorithm == Algorithm.ES256 ? P256.privateParameters((ECPrivateKey) privateKey) : null;
        this.nativeKey = provenNativeKey(OpenSsl.load(algorithm, privateKey), check);
    }

    /** {@code key} if its signature verifies with the public key (whatever OpenSSL made of it), else {@code null}. */
    private static OpenSsl.Key provenNativeKey(OpenSsl.Key key, VerificationKey publicKey) {
        if (key == null) {
            return null;
        }
        byte[] probe = "tessera: does OpenSSL sign with this key?".getBytes(StandardCharsets.US_ASCII);
        byte[] signature = key.sign(Sha256.digest(probe));
        return signature != null && publicKey.verifyInJava(probe, probe.length, signature) ? key : null;
    }

    /**
     * Whether {@code kid} is a plain key name, as verifiers require: 1-256 characters of
     * {@code A-Z a-z 0-9 . _ ~ : + = @ -} and no {@code ..}, so it can never act as a path.
     */
    public static boolean isValidKeyId(String kid) {
        int n = kid.length();
        if (n == 0 || n > 256 || kid.contains("..")) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = kid.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "._~:+=@-".indexOf(c) >= 0)) {
                return false;
            }
        }
        return true;
    }

    /** A signing key from a key pair; {@code keyId} {@code null} means the RFC 7638 JWK thumbprint. */
    public static SigningKey of(String keyId, Algorithm algorithm, KeyPair pair) {
        return new SigningKey(keyId, algorithm, pair);
    }

    /** The algorithm a key pair can sign with: ES256 for P-256 keys, RS256 for RSA keys. */
    public static Algorithm algorithmFor(KeyPair pair) {
        return pair.getPublic() instanceof ECPublicKey ? Algorithm.ES256 : Algorithm.RS256;
    }

    /** A new key: P-256 for ES256, 2048-bit RSA for RS256. */
    public static SigningKey generate(Algorithm algorithm, String keyId) {
        return generate(algorithm, keyId, 2048);
    }

    /** A new key; {@code rsaBits} applies to RS256 only. */
    public static SigningKey generate(Algorithm algorithm, String keyId, int rsaBits) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm.keyType());
            if (algorithm == Algorithm.ES256) {
                generator.initialize(new ECGenParameterSpec("secp256r1"));
            } else {
                generator.initialize(rsaBits);
            }
            return new SigningKey(keyId, algorithm, generator.generateKeyPair());
        } catch (GeneralSecurityException e) {
            throw Crypto.broken(e);
        }
    }

    public String keyId() {
        return keyId;
    }

    public Algorithm algorithm() {
        return algorithm;
    }

    public PrivateKey privateKey() {
        return privateKey;
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    /** Signs {@code data}; for ES256 the result is the 64-byte JWS form R || S. */
    public byte[] sign(byte[] data) {
        byte[] signature = nativeKey != null ? nativeKey.sign(Sha256.digest(data)) : null;
        if (signature != null) {
            return signature;
        }
        // Java signs: no OpenSSL here, or (rarely) it failed
        if (algorithm == Algorithm.ES256) {
            return P256.sign(ecKey, Sha256.digest(data));
        }
        Signature signer = Algorithm.rsaSignature();
        try {
            signer.initSign(privateKey);
            signer.update(data);
            return signer.sign();
        } catch (GeneralSecurityException e) {
            throw Crypto.broken(e);
        }
    }

    /**
     * Who makes this JVM's signatures, for a server's start-up log: {@code "OpenSSL 3.x.y (libcrypto)"} when
     * Java 22+ may call it (several times as fast), otherwise BouncyCastle and the JDK, and why.
     */
    public static String signingLibrary() {
        return OpenSsl.library();
    }

    /** The matching verification key. */
    public VerificationKey verificationKey() {
        return VerificationKey.of(keyId, algorithm, publicKey);
    }

    /** The public key as a JWK with {@code kid}, {@code alg} and {@code use: sig}, for a JWKS. */
    public JWK toPublicJwk() {
        return publicJwk(keyId, algorithm, publicKey);
    }

    static JWK publicJwk(String keyId, Algorithm algorithm, PublicKey key) {
        JWSAlgorithm alg = JWSAlgorithm.parse(algorithm.name());
        if (key instanceof ECPublicKey ec) {
            return new ECKey.Builder(Curve.P_256, ec).keyID(keyId).algorithm(alg).keyUse(KeyUse.SIGNATURE).build();
        }
        return new RSAKey.Builder((RSAPublicKey) key).keyID(keyId).algorithm(alg).keyUse(KeyUse.SIGNATURE).build();
    }

    private static String thumbprint(Algorithm algorithm, PublicKey key) {
        try {
            return publicJwk(null, algorithm, key).computeThumbprint().toString();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "SigningKey[" + algorithm + ", kid=" + keyId + "]"; // never the private key
    }
}
