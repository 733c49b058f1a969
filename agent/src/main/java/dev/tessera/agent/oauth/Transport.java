package dev.tessera.agent.oauth;

import com.nimbusds.oauth2.sdk.http.HTTPRequest;
import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import dev.tessera.token.discovery.TrustMaterial;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.net.ssl.SSLContext;

/**
 * Sends the client's HTTP requests to an issuer. The one implementation that talks to the network is
 * {@link #https}; tests wrap it to count or inspect requests.
 */
@FunctionalInterface
public interface Transport {
    /** How long to wait for a connection to an issuer. */
    int CONNECT_TIMEOUT_MILLIS = 10_000;
    /** How long to wait for an issuer's answer. */
    int READ_TIMEOUT_MILLIS = 30_000;

    /**
     * Sends {@code request} and returns the issuer's answer, whatever its status.
     *
     * @throws IOException when no answer arrived (connection, TLS, timeout)
     */
    HTTPResponse send(HTTPRequest request) throws IOException;

    /**
     * HTTPS only, trusting the JDK's CAs and those of {@code ssl}; redirects are not followed (a token
     * request must not be replayed elsewhere) and plain {@code http} is refused before anything is sent.
     */
    static Transport https(SSLContext ssl) {
        return request -> {
            if (!"https".equalsIgnoreCase(request.getURI().getScheme())) {
                throw new IOException("refusing to send a request over plain http: " + request.getURI());
            }
            request.setSSLSocketFactory(ssl.getSocketFactory());
            request.setConnectTimeout(CONNECT_TIMEOUT_MILLIS);
            request.setReadTimeout(READ_TIMEOUT_MILLIS);
            request.setFollowRedirects(false);
            try {
                return request.send();
            } catch (IOException e) {
                throw new IOException(request.getURI().getHost() + ": " + describe(e), e);
            }
        };
    }

    /** {@link #https(SSLContext)} trusting also the CAs in {@code extraCas} (PEM files or CA directories). */
    static Transport https(List<Path> extraCas) throws IOException {
        return https(TrustMaterial.sslContext(extraCas));
    }

    private static String describe(IOException e) {
        if (e instanceof javax.net.ssl.SSLHandshakeException) {
            return "TLS handshake failed (is the issuer's CA trusted? see --ca-file): " + e.getMessage();
        }
        if (e instanceof java.net.ConnectException || e instanceof java.net.UnknownHostException) {
            return "cannot connect: " + e.getMessage();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
