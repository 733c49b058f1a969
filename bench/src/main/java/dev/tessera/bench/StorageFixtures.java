package dev.tessera.bench;

import dev.tessera.token.Profile;
import dev.tessera.token.TokenBuilder;
import dev.tessera.token.keys.Algorithm;
import dev.tessera.token.keys.SigningKey;
import dev.tessera.token.testing.TestCa;
import dev.tessera.token.testing.TestIssuer;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The issuer, TLS identity and tokens one {@code bench/storage.sh} run gives to both storage servers.
 *
 * <p>{@code StorageFixtures DIR COUNT [NAME=SCOPE ...]}: starts an ES256 HTTPS issuer on loopback whose
 * certificate comes from the interop test CA ({@code $TESSERA_INTEROP_HOME/ca}, trusted by the system, so
 * XRootD's scitokens-cpp can fetch the keys), and writes
 * <ul>
 * <li>{@code DIR/issuer}: its URL; {@code DIR/ca.pem}, {@code DIR/server.pem}, {@code DIR/server.key}: the CA
 *     and a localhost certificate chain and key from it, for both servers;</li>
 * <li>{@code DIR/read.token}: one token with {@code read:/} (the repeated token);</li>
 * <li>{@code DIR/fresh.tokens}: {@code COUNT} distinct {@code read:/} tokens, one per line;</li>
 * <li>{@code DIR/rw.token}: {@code read:/ write:/};</li>
 * <li>{@code DIR/NAME.token} for each extra {@code NAME=SCOPE} (WLCG profile when a scope starts with
 *     {@code storage.});</li>
 * </ul>
 * all with audience {@link #AUDIENCE}, subject {@code bench-user}, valid for 3 hours; then
 * {@code DIR/ready}, and serves the keys until its standard input closes.
 */
public final class StorageFixtures {
    /** The audience both servers accept. */
    public static final String AUDIENCE = "https://storage.example.org";

    private StorageFixtures() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: StorageFixtures DIR COUNT [NAME=SCOPE ...]");
            System.exit(2);
        }
        Path dir = Files.createDirectories(Path.of(args[0]));
        int count = Integer.parseInt(args[1]);
        Path home = Path.of(System.getenv().getOrDefault("TESSERA_INTEROP_HOME", "/tmp/tessera-interop"));
        Path caPem = home.resolve("ca/ca.pem");
        if (!Files.exists(caPem)) {
            System.err.println("StorageFixtures: no test CA at " + caPem + " (run interop/setup.sh as root): "
                    + "XRootD must trust the issuer's certificate through the system store");
            System.exit(1);
        }
        TestCa ca = TestCa.fromPem(caPem, home.resolve("ca/ca.key"));
        SigningKey key = SigningKey.generate(Algorithm.ES256, "bench-storage-es256");
        try (TestIssuer issuer = TestIssuer.start(ca, "", key)) {
            Files.writeString(dir.resolve("issuer"), issuer.url() + "\n");
            ca.writeCaPem(dir.resolve("ca.pem"));
            ca.writeServerPem(dir);
            Files.writeString(dir.resolve("read.token"), token(key, issuer.url(), "read:/") + "\n");
            Files.writeString(dir.resolve("rw.token"), token(key, issuer.url(), "read:/ write:/") + "\n");
            for (int i = 2; i < args.length; i++) {
                int eq = args[i].indexOf('=');
                Files.writeString(dir.resolve(args[i].substring(0, eq) + ".token"),
                        token(key, issuer.url(), args[i].substring(eq + 1)) + "\n");
            }
            // minted on every core: a full run needs a few hundred thousand distinct tokens
            List<String> fresh = IntStream.range(0, count).parallel()
                    .mapToObj(i -> token(key, issuer.url(), "read:/")).collect(Collectors.toList());
            try (BufferedWriter out = Files.newBufferedWriter(dir.resolve("fresh.tokens"), StandardCharsets.US_ASCII)) {
                for (String token : fresh) {
                    out.write(token);
                    out.write('\n');
                }
            }
            Files.writeString(dir.resolve("ready"), "ready\n");
            System.in.read(); // serve until the driving script closes our standard input
        }
    }

    private static String token(SigningKey key, String issuer, String scope) {
        return TokenBuilder.forKey(key).issuer(issuer).subject("bench-user").audience(AUDIENCE).scope(scope)
                .profile(scope.contains("storage.") ? Profile.WLCG_1 : Profile.SCITOKENS_2)
                .lifetime(Duration.ofHours(3)).sign();
    }
}
