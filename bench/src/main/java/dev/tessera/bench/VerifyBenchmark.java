package dev.tessera.bench;

import com.nimbusds.jose.jwk.JWKSet;
import dev.tessera.token.Enforcer;
import dev.tessera.token.discovery.IssuerKeyCache;
import dev.tessera.token.keys.IssuerKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Single-thread verification throughput on the tokens of a {@link Fixtures} directory (system property
 * {@code tessera.bench.fixtures}): Tessera verify+enforce of a token never seen before (verified-token
 * cache off) and of a repeated token (cache hit), next to the raw signature verification that bounds
 * them (BouncyCastle ES256, JCA RS256).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class VerifyBenchmark {
    private static final String PATH = "/data/run1/file.root";

    private String[] es256Tokens;
    private String[] rs256Tokens;
    private byte[][] es256Inputs;
    private byte[][] es256Signatures;
    private byte[][] rs256Inputs;
    private byte[][] rs256Signatures;
    private Enforcer fresh;
    private Enforcer cached;
    private String repeated;
    private PublicKey es256Key;
    private PublicKey rs256Key;
    private Signature bcEcdsa;
    private Signature jcaRsa;
    private int next;

    @Setup
    public void setUp() throws Exception {
        Path dir = Path.of(System.getProperty("tessera.bench.fixtures",
                System.getenv().getOrDefault("TESSERA_BENCH_FIXTURES", "bench/target/fixtures")));
        String issuer = Files.readString(dir.resolve("issuer")).trim();
        JWKSet jwks = JWKSet.parse(Files.readString(dir.resolve("jwks.json")));
        IssuerKeyCache keys = IssuerKeyCache.builder().fetcher((iss, trace) -> jwks).build();
        keys.put(issuer, jwks);
        fresh = Enforcer.builder().issuer(issuer).audience(Fixtures.AUDIENCE).keys(keys)
                .verifiedTokenCacheSize(0).build();
        cached = Enforcer.builder().issuer(issuer).audience(Fixtures.AUDIENCE).keys(keys).build();

        es256Tokens = Fixtures.readTokens(dir, "ES256").toArray(String[]::new);
        rs256Tokens = Fixtures.readTokens(dir, "RS256").toArray(String[]::new);
        repeated = es256Tokens[0];
        IssuerKeys issuerKeys = IssuerKeys.of(jwks);
        // the ceilings: BouncyCastle's JCA provider with its own key object, and the JDK's RSA
        Provider bc = new BouncyCastleProvider();
        es256Key = KeyFactory.getInstance("EC", bc).generatePublic(
                new X509EncodedKeySpec(issuerKeys.select("bench-es256").publicKey().getEncoded()));
        rs256Key = issuerKeys.select("bench-rs256").publicKey();
        es256Inputs = inputs(es256Tokens);
        es256Signatures = signatures(es256Tokens);
        rs256Inputs = inputs(rs256Tokens);
        rs256Signatures = signatures(rs256Tokens);
        bcEcdsa = Signature.getInstance("SHA256withPLAIN-ECDSA", bc);
        jcaRsa = Signature.getInstance("SHA256withRSA");
        if (!fresh.test(es256Tokens[0], "read", PATH).allowed() || !fresh.test(rs256Tokens[0], "read", PATH).allowed()
                || !rawEs256() || !rawRs256()) {
            throw new IllegalStateException("fixture tokens do not verify: " + fresh.test(es256Tokens[0], "read", PATH));
        }
    }

    private int advance(int length) {
        int i = next;
        next = i + 1 == length ? 0 : i + 1;
        return i;
    }

    @Benchmark
    public boolean tesseraEs256Fresh() {
        return fresh.test(es256Tokens[advance(es256Tokens.length)], "read", PATH).allowed();
    }

    @Benchmark
    public boolean tesseraRs256Fresh() {
        return fresh.test(rs256Tokens[advance(rs256Tokens.length)], "read", PATH).allowed();
    }

    @Benchmark
    public boolean tesseraRepeated() {
        return cached.test(repeated, "read", PATH).allowed();
    }

    /** BouncyCastle's JCA provider, P-256 verify with a BC key object: the ES256 ceiling. */
    @Benchmark
    public boolean rawEs256() throws Exception {
        int i = advance(es256Inputs.length);
        bcEcdsa.initVerify(es256Key);
        bcEcdsa.update(es256Inputs[i]);
        return bcEcdsa.verify(es256Signatures[i]);
    }

    /** JCA SHA256withRSA verify: the RS256 ceiling. */
    @Benchmark
    public boolean rawRs256() throws Exception {
        int i = advance(rs256Inputs.length);
        jcaRsa.initVerify(rs256Key);
        jcaRsa.update(rs256Inputs[i]);
        return jcaRsa.verify(rs256Signatures[i]);
    }

    private static byte[][] inputs(String[] tokens) {
        byte[][] out = new byte[tokens.length][];
        for (int i = 0; i < tokens.length; i++) {
            out[i] = tokens[i].substring(0, tokens[i].lastIndexOf('.')).getBytes(StandardCharsets.US_ASCII);
        }
        return out;
    }

    private static byte[][] signatures(String[] tokens) {
        byte[][] out = new byte[tokens.length][];
        for (int i = 0; i < tokens.length; i++) {
            out[i] = Base64.getUrlDecoder().decode(tokens[i].substring(tokens[i].lastIndexOf('.') + 1));
        }
        return out;
    }
}
