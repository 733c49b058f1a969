package dev.tessera.cli;

import static dev.tessera.cli.Cli.mode;
import static dev.tessera.cli.Cli.read;
import static dev.tessera.cli.Cli.tessera;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.MAP;

import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import dev.tessera.token.Profile;
import dev.tessera.token.Reason;
import dev.tessera.token.TokenException;
import dev.tessera.token.TokenVerifier;
import dev.tessera.token.VerifiedToken;
import dev.tessera.token.discovery.IssuerKeyCache;
import dev.tessera.token.jws.CompactJws;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code tessera create}: tokens that verify against the keygen JWKS, kids, lifetimes, claims, profiles, refusals. */
class CreateCommandTest {
    static final String ISSUER = "https://tokens.example.org/vo";
    static final String AUDIENCE = "https://storage.example.org";

    @TempDir
    Path dir;
    Path keys;
    Path key;

    @BeforeEach
    void keygen() {
        keys = dir.resolve("keys");
        Cli.Result r = tessera("keygen", "--out", keys.toString(), "--kid", "k1");
        assertThat(r.exit()).as(r.toString()).isZero();
        key = keys.resolve("k1.pem");
    }

    /** {@code tessera create --key key --issuer ISSUER --sub alice} and more arguments. */
    Cli.Result create(String... more) {
        List<String> args = new ArrayList<>(List.of("create", "--key", key.toString(), "--issuer", ISSUER, "--sub", "alice"));
        args.addAll(List.of(more));
        return tessera(args.toArray(String[]::new));
    }

    /** The token printed by a successful create. */
    static String token(Cli.Result r) {
        assertThat(r.exit()).as(r.toString()).isZero();
        List<String> lines = r.outLines();
        assertThat(lines).as(r.toString()).hasSize(1);
        return lines.get(0);
    }

    /** Verifies with the library against the JWKS keygen wrote (no network). */
    VerifiedToken verify(String token, String audience) throws TokenException {
        Path jwks = keys.resolve("jwks.json");
        IssuerKeyCache cache = IssuerKeyCache.builder()
                .fetcher((iss, trace) -> {
                    try {
                        return JWKSet.parse(Files.readString(jwks));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                })
                .build();
        TokenVerifier.Builder builder = TokenVerifier.builder().issuer(ISSUER).keys(cache);
        if (audience != null) {
            builder.audience(audience);
        }
        return builder.build().verify(token);
    }

    static CompactJws parse(String token) throws TokenException {
        return CompactJws.parse(token, CompactJws.DEFAULT_MAX_LENGTH);
    }

    @Test
    void tokenVerifiesAgainstTheKeygenJwks() throws Exception {
        String token = token(create("--scope", "read:/data write:/data/alice", "--aud", AUDIENCE));

        VerifiedToken verified = verify(token, AUDIENCE);
        assertThat(verified.profile()).isEqualTo(Profile.SCITOKENS_2);
        assertThat(verified.issuer()).isEqualTo(ISSUER);
        assertThat(verified.subject()).isEqualTo("alice");
        assertThat(verified.audience()).containsExactly(AUDIENCE);
        assertThat(verified.keyId()).isEqualTo("k1");
        assertThat(verified.scopes().toString()).isEqualTo("read:/data write:/data/alice");
        assertThat(verified.claim("ver")).isEqualTo("scitoken:2.0");
        assertThat(verified.jwtId()).isNotBlank();
        // default lifetime 20 minutes
        assertThat(Duration.between(verified.issuedAt(), verified.expiresAt())).isEqualTo(Duration.ofMinutes(20));
    }

    @Test
    void rs256KeyFromKeygenSigns() throws Exception {
        Path rsa = dir.resolve("rsa");
        assertThat(tessera("keygen", "--alg", "RS256", "--out", rsa.toString(), "--kid", "r1").exit()).isZero();
        keys = rsa;
        key = rsa.resolve("r1.pem");

        String token = token(create("--aud", AUDIENCE));

        assertThat(parse(token).header()).containsEntry("alg", "RS256").containsEntry("kid", "r1");
        assertThat(verify(token, AUDIENCE).keyId()).isEqualTo("r1");
    }

    @Test
    void kidIsTakenFromTheJwksBesideTheKey() throws Exception {
        Path other = dir.resolve("default-kid");
        assertThat(tessera("keygen", "--out", other.toString()).exit()).isZero();
        String kid = JWKSet.parse(Files.readString(other.resolve("jwks.json"))).getKeys().get(0).getKeyID();
        key = other.resolve(kid + ".pem");

        Cli.Result r = create("--aud", AUDIENCE);

        assertThat(parse(token(r)).header()).containsEntry("kid", kid);
        assertThat(r.err()).doesNotContain("warning");
    }

    @Test
    void kidIsFoundAmongSeveralKeysAfterRotation() throws Exception {
        assertThat(tessera("keygen", "--add", "--out", keys.toString(), "--kid", "k2").exit()).isZero();

        assertThat(parse(token(create("--aud", AUDIENCE))).header()).containsEntry("kid", "k1");
        key = keys.resolve("k2.pem");
        String token = token(create("--aud", AUDIENCE));
        assertThat(parse(token).header()).containsEntry("kid", "k2");
        assertThat(verify(token, AUDIENCE).keyId()).isEqualTo("k2");
    }

    @Test
    void kidOptionOverridesTheJwks() throws Exception {
        Cli.Result r = create("--aud", AUDIENCE, "--kid", "other");

        String token = token(r);
        assertThat(parse(token).header()).containsEntry("kid", "other");
        assertThat(r.err()).doesNotContain("warning");
        assertThatThrownBy(() -> verify(token, AUDIENCE))
                .isInstanceOfSatisfying(TokenException.class, e -> assertThat(e.reason()).isEqualTo(Reason.UNKNOWN_KEY));
    }

    @Test
    void kidThatVerifiersRefuseIsAUsageError() {
        Cli.Result r = create("--aud", AUDIENCE, "--kid", "my key");

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
    }

    @Test
    void warnsAndUsesTheThumbprintWhenNoJwksIsBesideTheKey() throws Exception {
        Path lonely = Files.createDirectories(dir.resolve("lonely")).resolve("key.pem");
        Files.copy(key, lonely);
        key = lonely;
        String thumbprint = JWKSet.parse(Files.readString(keys.resolve("jwks.json"))).getKeyByKeyId("k1")
                .computeThumbprint().toString();

        Cli.Result r = create("--aud", AUDIENCE);

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(r.err()).contains("warning").contains("jwks.json").contains(thumbprint);
        assertThat(parse(token(r)).header()).containsEntry("kid", thumbprint);
    }

    @Test
    void outWritesTheTokenOwnerOnlyWithANewline() throws Exception {
        Path out = dir.resolve("tokens/bt_u1000");

        Cli.Result r = create("--aud", AUDIENCE, "--out", out.toString());

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(mode(out)).isEqualTo("rw-------");
        String content = read(out);
        assertThat(content).endsWith("\n").doesNotContain(" ");
        String token = content.substring(0, content.length() - 1);
        assertThat(token).doesNotContain("\n");
        assertThat(verify(token, AUDIENCE).subject()).isEqualTo("alice");
        assertThat(r.out()).contains("Wrote").contains(out.toString()).contains("k1").doesNotContain(token);
        try (var files = Files.list(out.getParent())) {
            assertThat(files).containsExactly(out); // no temporary file left behind
        }
    }

    @Test
    void outReplacesAnExistingFile() throws Exception {
        Path out = dir.resolve("bt");
        Files.writeString(out, "old token\n");

        Cli.Result r = create("--aud", AUDIENCE, "--out", out.toString());

        assertThat(r.exit()).as(r.toString()).isZero();
        assertThat(read(out)).doesNotContain("old");
        assertThat(mode(out)).isEqualTo("rw-------");
    }

    @Test
    void lifetimeAboveTheDefaultMaximumIsRefused() {
        Path out = dir.resolve("bt");

        Cli.Result r = create("--aud", AUDIENCE, "--lifetime", "7h", "--out", out.toString());

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("7h").contains("6h").contains("--force");
        assertThat(r.out()).isEmpty();
        assertThat(out).doesNotExist();
    }

    @Test
    void lifetimeAtTheMaximumIsAllowed() throws Exception {
        VerifiedToken t = verify(token(create("--aud", AUDIENCE, "--lifetime", "6h")), AUDIENCE);
        assertThat(Duration.between(t.issuedAt(), t.expiresAt())).isEqualTo(Duration.ofHours(6));
    }

    @Test
    void forceAllowsALongerLifetime() throws Exception {
        VerifiedToken t = verify(token(create("--aud", AUDIENCE, "--lifetime", "7h", "--force")), AUDIENCE);
        assertThat(Duration.between(t.issuedAt(), t.expiresAt())).isEqualTo(Duration.ofHours(7));
    }

    @Test
    void maxLifetimeOption() throws Exception {
        Cli.Result refused = create("--aud", AUDIENCE, "--lifetime", "20m", "--max-lifetime", "10m");
        assertThat(refused.exit()).as(refused.toString()).isEqualTo(2);
        assertThat(refused.err()).contains("20m").contains("10m");

        VerifiedToken t = verify(token(create("--aud", AUDIENCE, "--lifetime", "1h30m", "--max-lifetime", "2h")), AUDIENCE);
        assertThat(Duration.between(t.issuedAt(), t.expiresAt())).isEqualTo(Duration.ofMinutes(90));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "abc", "20x", "-5m"})
    void badLifetimeIsAUsageError(String lifetime) {
        Cli.Result r = create("--aud", AUDIENCE, "--lifetime", lifetime);

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
    }

    @Test
    void typedClaims() throws Exception {
        String token = token(create("--aud", AUDIENCE,
                "--claim", "n:=123", "--claim", "l:=[1,2]", "--claim", "b:=true", "--claim", "o:={\"a\":1}",
                "--claim", "s=text", "--claim", "q=123", "--claim", "u=a:=b", "--claim", "f:=1.5",
                "--claim", "e=", "--claim", "x:=\"quoted\""));

        Map<String, Object> claims = verify(token, AUDIENCE).claims();
        assertThat(claims.get("n")).isEqualTo(123L);
        assertThat(claims.get("l")).isEqualTo(List.of(1L, 2L));
        assertThat(claims.get("b")).isEqualTo(Boolean.TRUE);
        assertThat(claims.get("o")).asInstanceOf(MAP).containsExactly(Map.entry("a", 1L));
        assertThat(claims.get("s")).isEqualTo("text");
        assertThat(claims.get("q")).isEqualTo("123"); // = is always a string
        assertThat(claims.get("u")).isEqualTo("a:=b");
        assertThat(claims.get("f")).isEqualTo(1.5);
        assertThat(claims.get("e")).isEqualTo("");
        assertThat(claims.get("x")).isEqualTo("quoted");
    }

    @ParameterizedTest
    @ValueSource(strings = {"novalue", "=x", ":=1", "n:=", "n:=[1,", "n:={\"a\":}", "n:=1}"})
    void invalidClaimSpecIsAUsageError(String spec) {
        Cli.Result r = create("--aud", AUDIENCE, "--claim", spec);

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("claim");
        assertThat(r.out()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"n:=hello", "o:={a:1}", "n:=[1,]"})
    void claimThatIsNotStrictJsonIsAUsageError(String spec) {
        Cli.Result r = create("--aud", AUDIENCE, "--claim", spec);

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("not a JSON value");
    }

    @Test
    void claimWithTrailingJsonMembersIsAUsageError() {
        Cli.Result r = create("--aud", AUDIENCE, "--claim", "n:=1,\"other\":2");

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("not a JSON value");
    }

    @ParameterizedTest
    @ValueSource(strings = {"iss=https://evil.example.org", "sub=mallory", "exp:=99999999999", "scope=write:/",
            "aud=x", "wlcg.groups:=[\"/admin\"]", "ver=scitoken:2.0", "jti=x", "iat:=0", "nbf:=0", "wlcg.ver=1.0"})
    void reservedClaimIsAUsageError(String spec) {
        Cli.Result r = create("--aud", AUDIENCE, "--claim", spec);

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains(spec.split(":?=")[0]);
        assertThat(r.out()).isEmpty();
    }

    @Test
    void wlcgProfile() throws Exception {
        String token = token(create("--profile", "wlcg", "--scope", "storage.read:/ compute.create",
                "--group", "/cms", "--group", "/cms/uscms", "--aud", AUDIENCE));

        VerifiedToken t = verify(token, AUDIENCE);
        assertThat(t.profile()).isEqualTo(Profile.WLCG_1);
        assertThat(t.claim("wlcg.ver")).isEqualTo("1.0");
        assertThat(t.claim("wlcg.groups")).isEqualTo(List.of("/cms", "/cms/uscms"));
        assertThat(t.groups()).containsExactly("/cms", "/cms/uscms");
        assertThat(t.claims()).doesNotContainKey("ver");
    }

    @Test
    void wlcgProfileWithoutAudienceIsForAnyService() throws Exception {
        Cli.Result r = create("--profile", "wlcg", "--scope", "storage.read:/");

        assertThat(parse(token(r)).claims()).containsEntry("aud", "https://wlcg.cern.ch/jwt/v1/any");
        assertThat(r.err()).contains("note").contains("https://wlcg.cern.ch/jwt/v1/any");
    }

    @Test
    void noAudienceMeansAnyWithANote() throws Exception {
        Cli.Result r = create("--scope", "read:/data");

        String token = token(r);
        assertThat(parse(token).claims()).containsEntry("aud", "ANY");
        assertThat(r.err()).contains("note: no --aud").contains("ANY");
        assertThat(verify(token, AUDIENCE).audience()).containsExactly("ANY"); // any service accepts it
    }

    @Test
    void severalAudiencesGiveAnArray() throws Exception {
        String token = token(create("--aud", AUDIENCE, "--aud", "https://other.example.org"));

        assertThat(parse(token).claims().get("aud")).isEqualTo(List.of(AUDIENCE, "https://other.example.org"));
        assertThat(verify(token, "https://other.example.org").audience()).hasSize(2);
    }

    @Test
    void sciTokens1Profile() throws Exception {
        String token = token(create("--profile", "scitokens1", "--scope", "read:/data"));

        VerifiedToken t = verify(token, null);
        assertThat(t.profile()).isEqualTo(Profile.SCITOKENS_1);
        assertThat(t.claims()).doesNotContainKeys("ver", "wlcg.ver", "aud");
    }

    @Test
    void sciTokens1ProfileRefusesExtraClaims() {
        Cli.Result r = create("--profile", "scitokens1", "--scope", "read:/data", "--claim", "extra=1");

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("SciTokens 1.0");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void unknownProfileIsAUsageError() {
        Cli.Result r = create("--profile", "bogus", "--aud", AUDIENCE);

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("bogus").contains("wlcg");
        assertThat(r.out()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"read:/data/../etc", "read:/../x", "read", "write:", "read:/data/%2e%2e/etc"})
    void invalidScopeIsAUsageError(String scope) {
        Cli.Result r = create("--aud", AUDIENCE, "--scope", scope);

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
    }

    @Test
    void missingIssuerIsAPicocliUsageError() {
        Cli.Result r = tessera("create", "--key", key.toString(), "--sub", "alice");

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("Missing required option").contains("--issuer").contains("Usage");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void missingKeyIsAPicocliUsageError() {
        Cli.Result r = tessera("create", "--issuer", ISSUER, "--sub", "alice");

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("Missing required option").contains("--key").contains("Usage");
    }

    @Test
    void plainHttpIssuerIsAUsageError() {
        Cli.Result r = tessera("create", "--key", key.toString(), "--issuer", "http://tokens.example.org", "--sub", "a");

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("https");
    }

    @Test
    void missingKeyFileIsAUsageError() {
        Cli.Result r = tessera("create", "--key", dir.resolve("nope.pem").toString(), "--issuer", ISSUER, "--sub", "a");

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("key file not found").contains("nope.pem");
        assertThat(r.err()).doesNotContain("unexpected error");
    }

    @Test
    void garbageKeyFileIsAUsageError() throws Exception {
        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "this is not a key\n");

        Cli.Result r = tessera("create", "--key", garbage.toString(), "--issuer", ISSUER, "--sub", "a");

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("cannot load the private key").contains("garbage.pem");
    }

    @Test
    void publicKeyInsteadOfPrivateIsAUsageError() throws Exception {
        JWK jwk = JWKSet.parse(Files.readString(keys.resolve("jwks.json"))).getKeyByKeyId("k1");
        Path pub = Files.writeString(dir.resolve("public.pem"),
                dev.tessera.token.keys.Pem.write(jwk.toECKey().toPublicKey()));

        Cli.Result r = tessera("create", "--key", pub.toString(), "--issuer", ISSUER, "--sub", "a");

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("no private key");
    }

    @Test
    void atJwtType() throws Exception {
        String token = token(create("--aud", AUDIENCE, "--typ", "at+jwt"));

        assertThat(parse(token).header()).containsEntry("typ", "at+jwt");
        assertThat(verify(token, AUDIENCE).profile()).isEqualTo(Profile.SCITOKENS_2);
    }

    @Test
    void defaultTypeIsJwt() throws Exception {
        assertThat(parse(token(create("--aud", AUDIENCE))).header()).containsEntry("typ", "JWT");
    }

    @Test
    void unknownTypeIsAUsageError() {
        Cli.Result r = create("--aud", AUDIENCE, "--typ", "jose");

        assertThat(r.exit()).as(r.toString()).isEqualTo(2);
        assertThat(r.err()).contains("typ");
    }

    @Test
    void jsonOutput() throws Exception {
        Cli.Result r = create("--aud", AUDIENCE, "--scope", "read:/data", "--claim", "n:=5", "--json");

        assertThat(r.exit()).as(r.toString()).isZero();
        Map<String, Object> json = r.json();
        assertThat(json).containsOnlyKeys("token", "kid", "claims");
        assertThat(json.get("kid")).isEqualTo("k1");
        String token = (String) json.get("token");
        assertThat(verify(token, AUDIENCE).subject()).isEqualTo("alice");
        assertThat(json.get("claims")).asInstanceOf(MAP).containsEntry("iss", ISSUER).containsEntry("sub", "alice")
                .containsEntry("scope", "read:/data").containsEntry("n", 5L).containsKeys("iat", "nbf", "exp", "jti");
    }

    @Test
    void jsonClaimsAreTheSignedTokensClaims() throws Exception {
        Cli.Result r = create("--aud", AUDIENCE, "--json");

        assertThat(r.exit()).as(r.toString()).isZero();
        Map<String, Object> json = r.json();
        assertThat(json.get("claims")).isEqualTo(parse((String) json.get("token")).claims());
    }

    @Test
    void jsonOutputWithOut() throws Exception {
        Path out = dir.resolve("bt");

        Cli.Result r = create("--aud", AUDIENCE, "--json", "--out", out.toString());

        assertThat(r.exit()).as(r.toString()).isZero();
        Map<String, Object> json = r.json();
        assertThat(json).containsEntry("out", out.toString());
        assertThat(read(out)).isEqualTo(json.get("token") + "\n");
    }
}
