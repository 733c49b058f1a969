package dev.tessera.web;

import java.nio.file.Path;
import java.util.List;

/**
 * An issuer a service trusts, as configured:
 *
 * <pre>
 * - url: https://cilogon.org/igwn
 *   base_path: /igwn                     # its scope paths are relative to this path of the service
 *   audiences: [https://data.example.org]  # default: the service's audiences
 *   restricted_paths: [/igwn/frames]     # optional: it may never grant beyond these
 *   mapfile: /etc/tessera/igwn-map.json  # optional: sub or group to a local name
 * </pre>
 */
public record TrustedIssuer(String url, String basePath, List<String> audiences, List<String> restrictedPaths,
                            Path mapfile) {
    public TrustedIssuer {
        basePath = basePath == null ? "/" : basePath;
        audiences = audiences == null ? List.of() : List.copyOf(audiences);
        restrictedPaths = restrictedPaths == null ? List.of() : List.copyOf(restrictedPaths);
    }

    /** From a command-line {@code ISSUER_URL[=BASE_PATH]}. */
    public static TrustedIssuer parse(String spec) {
        int eq = spec.indexOf('=');
        return new TrustedIssuer(eq < 0 ? spec : spec.substring(0, eq), eq < 0 ? "/" : spec.substring(eq + 1),
                List.of(), List.of(), null);
    }
}
