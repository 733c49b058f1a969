package dev.tessera.issuer;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The issuer's settings ({@code --config FILE}, flags, {@code TESSERA_*} environment):
 *
 * <pre>
 * data: /var/lib/tessera/issuer        # master.key, TLS identity, and the SQLite database by default
 * host: 0.0.0.0
 * port: 8443
 * public_url: https://tokens.example.org   # each VO's iss is PUBLIC_URL/vo/NAME
 * database_url: jdbc:postgresql://db.example.org/tessera   # default: SQLite DATA/issuer.db
 * database_user: tessera
 * database_password: ...                # better: TESSERA_DATABASE_PASSWORD
 * tls_cert: /etc/tessera/tls.crt       # default: self-signed, in DATA
 * tls_key: /etc/tessera/tls.key
 * verifier_cache_time: 1h              # how long verifiers may cache the JWKS: keys are published this
 *                                      # long before they sign and after their last token expired
 * default_vo: default                  # the VO created on first start when there is none
 * audit_retention: 90d                 # how long token issuance events are kept
 * </pre>
 *
 * The master key comes from {@code TESSERA_MASTER_KEY} or {@code DATA/master.key}.
 */
public record IssuerConfig(Path data, String host, Integer port, String publicUrl, Path tlsCert, Path tlsKey,
                           String databaseUrl, String databaseUser, String databasePassword,
                           Duration verifierCacheTime, String defaultVo, Duration auditRetention) {
    /** Without {@code audit_retention}: 90 days. */
    public IssuerConfig(Path data, String host, Integer port, String publicUrl, Path tlsCert, Path tlsKey,
                        String databaseUrl, String databaseUser, String databasePassword, Duration verifierCacheTime,
                        String defaultVo) {
        this(data, host, port, publicUrl, tlsCert, tlsKey, databaseUrl, databaseUser, databasePassword, verifierCacheTime,
                defaultVo, null);
    }

    public IssuerConfig {
        host = host == null ? "localhost" : host;
        port = port == null ? 8443 : port;
        publicUrl = publicUrl == null || publicUrl.isBlank() ? null : publicUrl.replaceAll("/+$", "");
        verifierCacheTime = verifierCacheTime == null ? Duration.ofHours(1) : verifierCacheTime;
        defaultVo = defaultVo == null ? "default" : defaultVo;
        auditRetention = auditRetention == null ? Duration.ofDays(90) : auditRetention;
    }

    public IssuerConfig validate() {
        if (data == null) {
            throw new IllegalArgumentException("no data directory (--data or data:)");
        }
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new IllegalArgumentException("tls_cert and tls_key go together");
        }
        if (publicUrl != null && !publicUrl.startsWith("https://")) {
            throw new IllegalArgumentException("public_url must be https: " + publicUrl);
        }
        if (verifierCacheTime.isNegative()) {
            throw new IllegalArgumentException("verifier_cache_time must not be negative");
        }
        if (auditRetention.compareTo(Duration.ofDays(1)) < 0) {
            throw new IllegalArgumentException("audit_retention is at least a day");
        }
        return this;
    }

    /** {@code public_url}, or the URL of this host and port when it is not set. */
    public String publicUrl(int boundPort) {
        if (publicUrl != null) {
            return publicUrl;
        }
        String name = host.equals("0.0.0.0") || host.equals("::") || host.equals("127.0.0.1") ? "localhost" : host;
        return "https://" + name + (boundPort == 443 ? "" : ":" + boundPort);
    }
}
