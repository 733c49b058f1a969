package dev.tessera.storage;

import dev.tessera.web.TrustedIssuer;
import java.nio.file.Path;
import java.util.List;

/**
 * What a storage service serves and whom it trusts, from {@code --config FILE} (YAML), the command
 * line and {@code TESSERA_*} environment variables.
 *
 * <pre>
 * root: /srv/data                       # the tree served
 * data: /var/lib/tessera/storage        # state: TLS identity, upload staging
 * host: 0.0.0.0
 * port: 8444
 * tls_cert: /etc/grid-security/hostcert.pem   # default: a self-signed localhost certificate in data
 * tls_key: /etc/grid-security/hostkey.pem
 * ca_files: [/etc/grid-security/certificates] # extra CAs for fetching issuer keys
 * audiences: [https://storage.example.org]    # for issuers that do not list their own
 * issuers:
 *   - url: https://cilogon.org/igwn
 *     base_path: /igwn                   # scope paths are relative to this directory of the tree
 *     audiences: [https://storage.example.org, https://redirector.example.org]
 *     restricted_paths: [/igwn/frames]   # optional: this issuer may never grant beyond these
 *     mapfile: /etc/tessera/igwn-map.json  # optional: sub or group to a local name, for logs and ownership
 * </pre>
 *
 * @param root the directory served
 * @param data the state directory
 * @param host the address to bind
 * @param port the port
 * @param tlsCert PEM certificate chain, or {@code null} for the self-signed default
 * @param tlsKey PEM private key, with {@code tlsCert}
 * @param caFiles extra CA bundles or directories for https fetches of issuer keys
 * @param audiences default audiences
 * @param issuers the trusted issuers
 */
public record StorageConfig(Path root, Path data, String host, Integer port, Path tlsCert, Path tlsKey,
                            List<Path> caFiles, List<String> audiences, List<TrustedIssuer> issuers) {

    public StorageConfig {
        host = host == null ? "localhost" : host;
        port = port == null ? 8444 : port;
        caFiles = caFiles == null ? List.of() : List.copyOf(caFiles);
        audiences = audiences == null ? List.of() : List.copyOf(audiences);
        issuers = issuers == null ? List.of() : List.copyOf(issuers);
    }

    /** Checks what the service cannot run without; throws {@link IllegalArgumentException} naming it. */
    public StorageConfig validate() {
        if (root == null) {
            throw new IllegalArgumentException("no root directory to serve (--root or root:)");
        }
        if (data == null) {
            throw new IllegalArgumentException("no data directory (--data or data:)");
        }
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new IllegalArgumentException("tls_cert and tls_key go together");
        }
        return this;
    }
}
