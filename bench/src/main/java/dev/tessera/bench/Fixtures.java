package dev.tessera.bench;

import dev.tessera.token.TokenBuilder;
import dev.tessera.token.keys.Algorithm;
import dev.tessera.token.keys.SigningKey;
import dev.tessera.token.testing.TestCa;
import dev.tessera.token.testing.TestIssuer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the tokens every verifier in one benchmark run works on, and serves their keys over HTTPS.
 *
 * <p>{@code Fixtures DIR COUNT}: creates an ES256 and an RS256 key, starts an HTTPS issuer on loopback
 * (certificate from the interop test CA, {@code $TESSERA_INTEROP_HOME/ca}, which the system trusts so
 * scitokens-cpp can fetch the keys), writes {@code DIR/issuer}, {@code DIR/jwks.json},
 * {@code DIR/es256.tokens} and {@code DIR/rs256.tokens} ({@code COUNT} distinct tokens each, one per
 * line, valid for 3 hours), then {@code DIR/ready}, and serves until its standard input closes.
 */
public final class Fixtures {
    public static final String AUDIENCE = "https://storage.example.org";
    public static final String SCOPE = "read:/data write:/data/out compute.create";

    private Fixtures() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: Fixtures DIR COUNT");
            System.exit(2);
        }
        Path dir = Files.createDirectories(Path.of(args[0]));
        int count = Integer.parseInt(args[1]);
        Path home = Path.of(System.getenv().getOrDefault("TESSERA_INTEROP_HOME", "/tmp/tessera-interop"));
        Path caPem = home.resolve("ca/ca.pem");
        TestCa ca = Files.exists(caPem) ? TestCa.fromPem(caPem, home.resolve("ca/ca.key")) : TestCa.create("bench");
        SigningKey es256 = SigningKey.generate(Algorithm.ES256, "bench-es256");
        SigningKey rs256 = SigningKey.generate(Algorithm.RS256, "bench-rs256");
        try (TestIssuer issuer = TestIssuer.start(ca, "", es256, rs256)) {
            Files.writeString(dir.resolve("issuer"), issuer.url() + "\n");
            Files.writeString(dir.resolve("jwks.json"), new com.nimbusds.jose.jwk.JWKSet(
                    List.of(es256.toPublicJwk(), rs256.toPublicJwk())).toString(true));
            write(dir.resolve("es256.tokens"), tokens(es256, issuer.url(), count));
            write(dir.resolve("rs256.tokens"), tokens(rs256, issuer.url(), count));
            Files.writeString(dir.resolve("ready"), "ready\n");
            System.in.read(); // serve until the driving script closes our standard input
        }
    }

    private static List<String> tokens(SigningKey key, String issuer, int count) {
        List<String> tokens = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            tokens.add(TokenBuilder.forKey(key).issuer(issuer).subject("bench-user").audience(AUDIENCE)
                    .scope(SCOPE).lifetime(Duration.ofHours(3)).sign());
        }
        return tokens;
    }

    private static void write(Path file, List<String> lines) throws IOException {
        Files.write(file, lines, StandardCharsets.US_ASCII);
    }

    /** Reads the tokens of one algorithm from a fixture directory. */
    public static List<String> readTokens(Path dir, String algorithm) throws IOException {
        return Files.readAllLines(dir.resolve(algorithm.toLowerCase() + ".tokens"), StandardCharsets.US_ASCII);
    }
}
