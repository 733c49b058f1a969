package dev.tessera.token.keys;

import java.io.IOException;
import java.io.StringReader;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMException;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;

/**
 * PEM key I/O in the forms OpenSSL and the SciTokens tools write.
 *
 * <p>Reads private keys as PKCS#8 ({@code PRIVATE KEY}), encrypted PKCS#8
 * ({@code ENCRYPTED PRIVATE KEY}), PKCS#1 ({@code RSA PRIVATE KEY}) and SEC1 ({@code EC PRIVATE KEY}),
 * the last two also in OpenSSL's legacy encrypted form; public keys as SPKI ({@code PUBLIC KEY}),
 * PKCS#1 ({@code RSA PUBLIC KEY}) or a {@code CERTIFICATE}. Writes PKCS#8 and SPKI.
 */
public final class Pem {
    private Pem() {
    }

    /**
     * The key pair of a PEM private key; the public half is derived when the PEM does not carry it.
     *
     * @param passphrase for encrypted keys, else {@code null}
     * @throws IOException when the text holds no usable private key or the passphrase is wrong
     */
    public static KeyPair readKeyPair(String pem, char[] passphrase) throws IOException {
        Object object = firstObject(pem);
        boolean encrypted = object instanceof PEMEncryptedKeyPair || object instanceof PKCS8EncryptedPrivateKeyInfo;
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter(); // the JDK's key factories
        try {
            if (object instanceof PEMEncryptedKeyPair legacy) {
                object = legacy.decryptKeyPair(new JcePEMDecryptorProviderBuilder()
                        .setProvider(Crypto.bouncyCastle()).build(requirePassphrase(passphrase)));
            } else if (object instanceof PKCS8EncryptedPrivateKeyInfo pkcs8) {
                object = pkcs8.decryptPrivateKeyInfo(new JceOpenSSLPKCS8DecryptorProviderBuilder()
                        .setProvider(Crypto.bouncyCastle()).build(requirePassphrase(passphrase)));
            }
            if (object instanceof PEMKeyPair pair && pair.getPublicKeyInfo() != null) {
                return toJdk(converter.getKeyPair(pair));
            }
            if (object instanceof PEMKeyPair pair) { // SEC1 key without its optional public key (RFC 5915)
                PrivateKey key = converter.getPrivateKey(withCurve(pair.getPrivateKeyInfo()));
                return toJdk(new KeyPair(derivePublic(key), key));
            }
            if (object instanceof PrivateKeyInfo info) {
                PrivateKey key = converter.getPrivateKey(info);
                return toJdk(new KeyPair(derivePublic(key), key));
            }
        } catch (PEMException | OperatorCreationException | PKCSException e) {
            throw new IOException((encrypted ? "cannot decrypt the private key (wrong passphrase?): "
                    : "cannot decode the private key: ") + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot load the private key: " + e.getMessage(), e);
        }
        throw new IOException("no private key found in PEM (found " + describe(object) + ")");
    }

    /** A PEM public key, PKCS#1 RSA public key, or the public key of a PEM certificate. */
    public static PublicKey readPublicKey(String pem) throws IOException {
        Object object = firstObject(pem);
        JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        try {
            if (object instanceof SubjectPublicKeyInfo info) {
                return toJdk(converter.getPublicKey(info));
            }
            if (object instanceof X509CertificateHolder holder) {
                X509Certificate cert = new JcaX509CertificateConverter().getCertificate(holder);
                return toJdk(cert.getPublicKey());
            }
            if (object instanceof PEMKeyPair pair) {
                return toJdk(converter.getPublicKey(pair.getPublicKeyInfo()));
            }
        } catch (PEMException | CertificateException e) {
            throw new IOException("cannot decode the public key: " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot load the public key: " + e.getMessage(), e);
        }
        throw new IOException("no public key found in PEM (found " + describe(object) + ")");
    }

    /** PKCS#8 {@code PRIVATE KEY} PEM. */
    public static String write(PrivateKey key) {
        return armor("PRIVATE KEY", key.getEncoded());
    }

    /** SPKI {@code PUBLIC KEY} PEM. */
    public static String write(PublicKey key) {
        return armor("PUBLIC KEY", key.getEncoded());
    }

    /** DER bytes wrapped as PEM with 64-character lines. */
    public static String armor(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, new byte[] {'\n'})
                .encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }

    private static Object firstObject(String pem) throws IOException {
        if (pem == null || !pem.contains("-----BEGIN ")) {
            throw new IOException("not PEM: no -----BEGIN line");
        }
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            Object object = parser.readObject();
            // skip EC PARAMETERS blocks that `openssl ecparam -genkey` writes before the key
            while (object instanceof org.bouncycastle.asn1.ASN1ObjectIdentifier) {
                object = parser.readObject();
            }
            if (object == null) {
                throw new IOException("no PEM object found");
            }
            return object;
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new IOException("malformed PEM: " + e.getMessage(), e);
        }
    }

    /**
     * A SEC1 key may also omit its curve (BouncyCastle writes such keys from JDK keys, whose PKCS#8
     * form keeps the curve outside the SEC1 structure). ES256 keys are P-256, so that is assumed.
     */
    private static PrivateKeyInfo withCurve(PrivateKeyInfo info) throws IOException {
        if (info.getPrivateKeyAlgorithm().getParameters() != null) {
            return info;
        }
        return new PrivateKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey,
                SECObjectIdentifiers.secp256r1), info.parsePrivateKey());
    }

    private static char[] requirePassphrase(char[] passphrase) throws IOException {
        if (passphrase == null) {
            throw new IOException("the private key is encrypted: a passphrase is needed");
        }
        return passphrase;
    }

    private static PublicKey derivePublic(PrivateKey key) throws GeneralSecurityException {
        if (key instanceof RSAPrivateCrtKey rsa) {
            return KeyFactory.getInstance("RSA").generatePublic(
                    new RSAPublicKeySpec(rsa.getModulus(), rsa.getPublicExponent()));
        }
        if (key instanceof ECPrivateKey ec) {
            return P256.publicKeyOf(ec);
        }
        throw new GeneralSecurityException("cannot derive the public key of a " + key.getAlgorithm() + " key");
    }

    /** Re-encodes keys with the default JDK providers, so callers see standard key classes. */
    private static KeyPair toJdk(KeyPair pair) throws GeneralSecurityException {
        return new KeyPair(toJdk(pair.getPublic()), toJdk(pair.getPrivate()));
    }

    private static PublicKey toJdk(PublicKey key) throws GeneralSecurityException {
        String algorithm = jdkAlgorithm(key.getAlgorithm());
        return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(key.getEncoded()));
    }

    private static PrivateKey toJdk(PrivateKey key) throws GeneralSecurityException {
        String algorithm = jdkAlgorithm(key.getAlgorithm());
        return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(key.getEncoded()));
    }

    private static String jdkAlgorithm(String algorithm) {
        return "ECDSA".equals(algorithm) ? "EC" : algorithm;
    }

    private static String describe(Object object) {
        return object == null ? "nothing" : object.getClass().getSimpleName();
    }
}
