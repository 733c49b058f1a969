package dev.tessera.web;

import dev.tessera.token.discovery.TrustMaterial;
import dev.tessera.token.files.PrivateFiles;
import dev.tessera.token.keys.Pem;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
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
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import javax.crypto.spec.PBEParameterSpec;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * A server's TLS identity: a certificate chain and its private key in PEM files, either given by the
 * administrator or, for the embedded default, a self-signed certificate for {@code localhost} created in
 * the data directory on first start (and again when it is about to expire).
 *
 * @param certificate the PEM certificate chain, leaf first
 * @param key the PEM private key
 */
public record ServerTls(Path certificate, Path key) {
    private static final Duration SELF_SIGNED_LIFETIME = Duration.ofDays(365);
    private static final Duration RENEW_BEFORE = Duration.ofDays(30);

    /**
     * The self-signed identity in {@code dataDir/tls/} ({@code server.pem}, {@code server.key}), created
     * when missing or within 30 days of expiry.
     */
    public static ServerTls selfSigned(Path dataDir) throws IOException {
        Path dir = dataDir.resolve("tls");
        ServerTls tls = new ServerTls(dir.resolve("server.pem"), dir.resolve("server.key"));
        if (!Files.exists(tls.certificate) || !Files.exists(tls.key) || expiresSoon(tls.certificate)) {
            create(tls);
        }
        return tls;
    }

    /**
     * The configured identity ({@code certificate} and {@code key} both given), or, when neither is, the
     * self-signed default in {@code dataDir} (created with the directory if needed).
     */
    public static ServerTls configuredOrSelfSigned(Path certificate, Path key, Path dataDir) throws IOException {
        if ((certificate == null) != (key == null)) {
            throw new IllegalArgumentException("a TLS certificate and its key go together");
        }
        Files.createDirectories(dataDir);
        return certificate != null ? new ServerTls(certificate, key) : selfSigned(dataDir);
    }

    /** Jetty's TLS configuration for this identity. */
    public SslContextFactory.Server sslContextFactory() throws IOException {
        try {
            List<X509Certificate> chain = TrustMaterial.loadCertificates(certificate);
            KeyPair pair = Pem.readKeyPair(Files.readString(key, StandardCharsets.US_ASCII), null);
            char[] password = new char[0];
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            // the store never leaves memory, so its entry's password-based encryption needs no work factor: the
            // JDK's default (10,000 PBKDF2 rounds to store the key, as many for Jetty to read it) cost ~50 ms at
            // every start
            byte[] salt = new byte[16];
            new SecureRandom().nextBytes(salt);
            store.setEntry("server", new KeyStore.PrivateKeyEntry(pair.getPrivate(), chain.toArray(new X509Certificate[0])),
                    new KeyStore.PasswordProtection(password, "PBEWithHmacSHA256AndAES_256", new PBEParameterSpec(salt, 1)));
            SslContextFactory.Server factory = new SslContextFactory.Server();
            factory.setKeyStore(store);
            factory.setKeyStorePassword("");
            factory.setKeyManagerPassword("");
            factory.setSniRequired(false);
            return factory;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot use the TLS certificate " + certificate + " and key " + key + ": "
                    + e.getMessage(), e);
        }
    }

    private static boolean expiresSoon(Path certificate) {
        try {
            X509Certificate cert = TrustMaterial.loadCertificates(certificate).get(0);
            return cert.getNotAfter().toInstant().isBefore(Instant.now().plus(RENEW_BEFORE));
        } catch (IOException e) {
            return true;
        }
    }

    private static void create(ServerTls tls) throws IOException {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = generator.generateKeyPair();
            Instant now = Instant.now();
            X500Name name = new X500Name("CN=localhost,O=Tessera self-signed");
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(name,
                    new BigInteger(64, new SecureRandom()), Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(now.plus(SELF_SIGNED_LIFETIME)), name, pair.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names()));
            X509Certificate cert = new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate())));
            PrivateFiles.writeAtomically(tls.key, Pem.write(pair.getPrivate()).getBytes(StandardCharsets.US_ASCII));
            PrivateFiles.writeAtomically(tls.certificate, Pem.armor("CERTIFICATE", cert.getEncoded())
                    .getBytes(StandardCharsets.US_ASCII), PrivateFiles.WORLD_READABLE);
        } catch (GeneralSecurityException | OperatorCreationException | CertIOException e) {
            throw new IOException("cannot create a self-signed certificate: " + e.getMessage(), e);
        }
    }

    private static GeneralName[] names() {
        List<GeneralName> names = new ArrayList<>(List.of(
                new GeneralName(GeneralName.dNSName, "localhost"),
                new GeneralName(GeneralName.iPAddress, "127.0.0.1"),
                new GeneralName(GeneralName.iPAddress, "::1")));
        try {
            String host = InetAddress.getLocalHost().getCanonicalHostName();
            if (!host.equals("localhost") && !host.matches("[0-9.:]+")) {
                names.add(new GeneralName(GeneralName.dNSName, host));
            }
        } catch (IOException e) {
            // no host name: localhost only
        }
        return names.toArray(new GeneralName[0]);
    }
}
