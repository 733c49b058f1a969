package dev.tessera.gateway;

import dev.tessera.web.TrustedIssuer;
import java.nio.file.Path;
import java.util.List;

/**
 * The gateway's settings ({@code --config FILE}, flags, {@code TESSERA_*} environment):
 *
 * <pre>
 * host: localhost
 * port: 8445
 * data: /var/lib/tessera/gateway
 * audiences: [https://portal.example.org]
 * issuers: [{url: https://tokens.example.org/rubin, base_path: /}]
 * unix_socket: /run/tessera/gateway.sock   # also plain HTTP on a local socket, for nginx on this host
 * prefix: /files              # removed from X-Original-URI before path checks
 * user_claim: sub             # X-Auth-Request-User (a mapfile's local name wins)
 * email_claim: email          # X-Auth-Request-Email
 * uid_claim: uidNumber        # X-Auth-Request-Uid
 * groups_claim: wlcg.groups   # X-Auth-Request-Groups (e.g. isMemberOf)
 * pass_token: false           # X-Auth-Request-Token: the caller's token, for backends that need it
 * delegation:                 # or, instead: a narrowed token of the backend's own, by token exchange
 *   token_endpoint: https://tokens.example.org/rubin/token
 *   client_id: gateway
 *   client_secret_file: /etc/tessera/gateway-client-secret   # keep it 0600
 *   audience: https://backend.example.org
 * </pre>
 */
public record GatewayConfig(Path data, String host, Integer port, Path tlsCert, Path tlsKey, Path unixSocket,
                            List<Path> caFiles, List<String> audiences, List<TrustedIssuer> issuers, String prefix,
                            String userClaim,
                            String emailClaim, String uidClaim, String groupsClaim, Boolean passToken,
                            DelegationConfig delegation) {

    /** Token exchange settings for delegated backend tokens. */
    public record DelegationConfig(java.net.URI tokenEndpoint, String clientId, Path clientSecretFile, String audience) {
    }

    public GatewayConfig {
        host = host == null ? "localhost" : host;
        port = port == null ? 8445 : port;
        caFiles = caFiles == null ? List.of() : List.copyOf(caFiles);
        audiences = audiences == null ? List.of() : List.copyOf(audiences);
        issuers = issuers == null ? List.of() : List.copyOf(issuers);
        prefix = prefix == null || prefix.equals("/") ? "" : prefix.replaceAll("/+$", "");
        userClaim = userClaim == null ? "sub" : userClaim;
        emailClaim = emailClaim == null ? "email" : emailClaim;
        uidClaim = uidClaim == null ? "uidNumber" : uidClaim;
        groupsClaim = groupsClaim == null ? "wlcg.groups" : groupsClaim;
        passToken = passToken != null && passToken;
    }

    public GatewayConfig validate() {
        if (data == null) {
            throw new IllegalArgumentException("no data directory (--data or data:)");
        }
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new IllegalArgumentException("tls_cert and tls_key go together");
        }
        if (delegation != null && (delegation.tokenEndpoint() == null || delegation.clientId() == null
                || delegation.clientSecretFile() == null)) {
            throw new IllegalArgumentException("delegation needs token_endpoint, client_id and client_secret_file");
        }
        if (delegation != null && passToken) {
            throw new IllegalArgumentException("pass_token and delegation both set X-Auth-Request-Token: choose one");
        }
        if (!prefix.isEmpty() && !prefix.startsWith("/")) {
            throw new IllegalArgumentException("prefix must start with /: " + prefix);
        }
        return this;
    }
}
