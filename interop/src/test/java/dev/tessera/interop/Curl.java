package dev.tessera.interop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Debian's {@code curl} as an HTTP client for the interop tests: one request, its status, headers and body. */
final class Curl {
    private Curl() {
    }

    /**
     * What came back. {@code status} is 0 when no HTTP response arrived (connection refused or closed,
     * TLS failure, a non-HTTP answer).
     */
    record Reply(int status, String httpVersion, String headers, String body, String stderr) {
        /** The value of the first header named {@code name} (case-insensitive), or {@code null}. */
        String header(String name) {
            for (String line : headers.split("\r?\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                    return line.substring(colon + 1).trim();
                }
            }
            return null;
        }

        /** The RFC 6750 challenge among the WWW-Authenticate headers (a 401 may offer Basic first), or null. */
        String bearerChallenge() {
            for (String line : headers.split("\r?\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("WWW-Authenticate")
                        && line.substring(colon + 1).trim().regionMatches(true, 0, "Bearer", 0, 6)) {
                    return line.substring(colon + 1).trim();
                }
            }
            return null;
        }

        @Override
        public String toString() {
            String shortBody = body.length() > 200 ? body.substring(0, 200) + "..." : body;
            return "HTTP " + status + " (" + httpVersion + ") " + shortBody.strip()
                    + (stderr.isBlank() ? "" : " [curl: " + stderr.strip() + "]");
        }
    }

    /** Runs {@code curl -sS} with {@code args} (method, headers, URL...) and captures the response. */
    static Reply request(String... args) {
        try {
            Path headers = Files.createTempFile("curl", ".headers");
            Path body = Files.createTempFile("curl", ".body");
            List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "30",
                    "-D", headers.toString(), "-o", body.toString(), "-w", "%{http_code} %{http_version}"));
            command.addAll(List.of(args));
            Peers.Result result = Peers.run(Map.of(), command.toArray(String[]::new));
            String[] written = result.stdout().trim().split(" ");
            int status = written.length > 0 && written[0].matches("\\d{3}") ? Integer.parseInt(written[0]) : 0;
            Reply reply = new Reply(status, written.length > 1 ? written[1] : "",
                    Files.readString(headers), readLenient(body), result.stderr());
            Files.deleteIfExists(headers);
            Files.deleteIfExists(body);
            return reply;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code Authorization: Bearer <token>} as curl arguments. */
    static String[] bearer(String token) {
        return new String[] {"-H", "Authorization: Bearer " + token};
    }

    /** {@code ?authz=Bearer%20<token>} (or {@code &authz=...}) appended to {@code url}. */
    static String withAuthz(String url, String token) {
        return url + (url.contains("?") ? "&" : "?") + "authz=Bearer%20" + token;
    }

    private static String readLenient(Path file) throws IOException {
        return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    }
}
