package dev.tessera.token.testing;

import dev.tessera.token.discovery.TrustMaterial;
import dev.tessera.token.keys.Pem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away certificate authority and a server certificate for {@code localhost}, {@code 127.0.0.1}
 * and {@code ::1}, for in-process HTTPS servers in tests.
 */
public final class TestCa {
    private final KeyPair caKeys;
    private final X509Certificate caCert;
    private final KeyPair serverKeys;
    private final X509Certificate serverCert;

    private TestCa(String name) throws GeneralSecurityException {
        this(ecKeys(), null, name);
    }

    private TestCa(KeyPair caKeys, X509Certificate existingCa, String name) throws GeneralSecurityException {
        this.caKeys = caKeys;
        X500Name caName = existingCa != null
                ? X500Name.getInstance(existingCa.getSubjectX500Principal().getEncoded())
                : new X500Name("CN=" + name + " " + System.nanoTime() + ",O=Tessera Tests");
        caCert = existingCa != null ? existingCa : sign(caName, caName, caKeys, caKeys, true, null);
        serverKeys = ecKeys();
        serverCert = sign(caName, new X500Name("CN=localhost,O=Tessera Tests"), serverKeys, caKeys, false,
                new GeneralNames(new GeneralName[] {
                        new GeneralName(GeneralName.dNSName, "localhost"),
                        new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                        new GeneralName(GeneralName.iPAddress, "::1")}));
    }

    /** A new CA with a localhost server certificate. */
    public static TestCa create(String name) {
        try {
            return new TestCa(name);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A CA loaded from PEM files (certificate and private key), issuing a fresh localhost certificate:
     * for interop tests whose CA is installed in the system trust store that third-party peers read.
     */
    public static TestCa fromPem(Path caCertificate, Path caKey) {
        try {
            X509Certificate cert = TrustMaterial.loadCertificates(caCertificate).get(0);
            KeyPair keys = Pem.readKeyPair(Files.readString(caKey, StandardCharsets.US_ASCII), null);
            return new TestCa(keys, cert, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public X509Certificate caCertificate() {
        return caCert;
    }

    public String caPem() {
        return pem(caCert);
    }

    /** Writes the CA certificate as PEM to {@code file}. */
    public Path writeCaPem(Path file) {
        try {
            Files.writeString(file, caPem(), StandardCharsets.US_ASCII);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the server certificate chain and key as PEM files ({@code server.pem}, {@code server.key}) into {@code dir}. */
    public void writeServerPem(Path dir) {
        try {
            Files.writeString(dir.resolve("server.pem"), pem(serverCert) + pem(caCert), StandardCharsets.US_ASCII);
            Files.writeString(dir.resolve("server.key"), Pem.write(serverKeys.getPrivate()), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An SSL context presenting the server certificate. */
    public SSLContext serverContext() {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            char[] password = "test".toCharArray();
            store.setKeyEntry("server", serverKeys.getPrivate(), password, new X509Certificate[] {serverCert, caCert});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, password);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(kmf.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(X509Certificate cert) {
        try {
            return Pem.armor("CERTIFICATE", cert.getEncoded());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static KeyPair ecKeys() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    private static X509Certificate sign(X500Name issuer, X500Name subject, KeyPair subjectKeys, KeyPair issuerKeys,
                                        boolean ca, GeneralNames altNames) throws GeneralSecurityException {
        try {
            Instant now = Instant.now();
            JcaX509ExtensionUtils utils = new JcaX509ExtensionUtils();
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuer,
                    new BigInteger(64, new SecureRandom()), Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(now.plus(Duration.ofDays(30))), subject, subjectKeys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            builder.addExtension(Extension.subjectKeyIdentifier, false, utils.createSubjectKeyIdentifier(subjectKeys.getPublic()));
            if (ca) {
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            } else {
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
                builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
                builder.addExtension(Extension.subjectAlternativeName, false, altNames);
                builder.addExtension(Extension.authorityKeyIdentifier, false,
                        utils.createAuthorityKeyIdentifier(issuerKeys.getPublic()));
            }
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
        } catch (Exception e) {
            throw new GeneralSecurityException("cannot create test certificate", e);
        }
    }
}
