package dev.tessera.token.discovery;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The certificate authorities https fetches trust: the JDK trust store plus, optionally, extra CAs
 * from a PEM bundle or an OpenSSL-style directory such as {@code /etc/grid-security/certificates}.
 * Hostname and chain verification always stay on: there is deliberately no way to turn them off.
 */
public final class TrustMaterial {
    /** Files a CA directory may hold certificates in: hashed links ({@code 1a2b3c4d.0}) and PEM files. */
    private static final Pattern CA_FILE = Pattern.compile("(?i).*\\.(pem|crt|cer|[0-9]+)");

    private TrustMaterial() {
    }

    /** An SSL context trusting the JDK's CAs and those in each of {@code extraCas} (files or directories). */
    public static SSLContext sslContext(List<Path> extraCas) throws IOException {
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (X509Certificate ca : jdkAuthorities()) {
                store.setCertificateEntry("jdk-" + i++, ca);
            }
            for (Path path : extraCas) {
                for (X509Certificate ca : loadCertificates(path)) {
                    store.setCertificateEntry("extra-" + i++, ca);
                }
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot build the TLS trust store: " + e.getMessage(), e);
        }
    }

    /**
     * The certificates of a PEM bundle, or of the certificate files in a directory (other files, such
     * as the {@code .signing_policy} and {@code .r0} CRL files of a grid CA directory, are skipped).
     */
    public static List<X509Certificate> loadCertificates(Path path) throws IOException {
        if (!Files.exists(path)) {
            throw new IOException("CA file or directory not found: " + path);
        }
        if (!Files.isDirectory(path)) {
            List<X509Certificate> certs = read(path);
            if (certs.isEmpty()) {
                throw new IOException("no certificate found in " + path);
            }
            return certs;
        }
        List<X509Certificate> certs = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(path)) {
            for (Path entry : entries) {
                if (CA_FILE.matcher(entry.getFileName().toString()).matches() && Files.isRegularFile(entry)) {
                    try {
                        certs.addAll(read(entry));
                    } catch (IOException e) {
                        // a stray unparsable file in a CA directory must not disable the others
                    }
                }
            }
        }
        if (certs.isEmpty()) {
            throw new IOException("no certificate found in directory " + path);
        }
        return certs;
    }

    private static List<X509Certificate> read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            Collection<? extends Certificate> certs = CertificateFactory.getInstance("X.509").generateCertificates(in);
            List<X509Certificate> out = new ArrayList<>();
            for (Certificate cert : certs) {
                out.add((X509Certificate) cert);
            }
            return out;
        } catch (CertificateException e) {
            throw new IOException("cannot read certificates from " + file + ": " + e.getMessage(), e);
        }
    }

    private static List<X509Certificate> jdkAuthorities() throws GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init((KeyStore) null);
        for (TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509TrustManager x509) {
                return List.of(x509.getAcceptedIssuers());
            }
        }
        return List.of();
    }
}
