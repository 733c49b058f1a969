package dev.tessera.token.enforce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tessera.token.Acl;
import dev.tessera.token.Decision;
import dev.tessera.token.Enforcer;
import dev.tessera.token.Reason;
import dev.tessera.token.TokenException;
import dev.tessera.token.jws.JwsSigner;
import dev.tessera.token.keys.Algorithm;
import dev.tessera.token.keys.SigningKey;
import dev.tessera.token.testing.Fixture;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The python {@code scitokens} vectors ({@code tests/test_scitokens.py}, {@code tests/test_create_scitoken.py};
 * spec-rules §5.3), rewritten for Tessera's {@link Enforcer}. Python's issuer {@code https://scitokens.org/unittest}
 * is replaced by the fixture issuer. Python's {@code foo} claim with an {@code always_accept} validator has no
 * counterpart (Tessera has no pluggable validators), so SciTokens 1.0 tokens here carry only standard claims.
 * Where Tessera answers differently on purpose, the comment says why.
 */
class PythonVectorsTest {
    private static final String UNL = "https://example.unl.edu";

    private final Fixture f = new Fixture();

    private Enforcer noAudience() {
        return f.enforcerBuilder().issuer(Fixture.ISSUER).build();
    }

    private Enforcer noAudienceScp() {
        return f.enforcerBuilder().issuer(Fixture.ISSUER).acceptScp(true).build();
    }

    private Enforcer unl() {
        return f.enforcerBuilder().issuer(Fixture.ISSUER).audience(UNL).build();
    }

    /** python's {@code self._token}: SciTokens 1.0 (no ver, no aud), iat = nbf = now, exp = now + 600. */
    private Map<String, Object> v1() {
        Map<String, Object> claims = f.claims("read:/");
        claims.remove("ver");
        claims.remove("aud");
        claims.remove("scope");
        return claims;
    }

    /** python's {@code self._token2}: SciTokens 2.0 with aud ANY and an extra claim foo (ignored in 2.0). */
    private Map<String, Object> v2() {
        Map<String, Object> claims = f.claims("read:/");
        claims.remove("scope");
        claims.put("aud", "ANY");
        claims.put("foo", "bar");
        return claims;
    }

    private String sign(Map<String, Object> claims) {
        return f.signed(claims);
    }

    private static void assertDenied(Decision d, Reason reason) {
        assertThat(d.allowed()).as(d.message()).isFalse();
        assertThat(d.reason()).as(d.message()).isEqualTo(reason);
    }

    private static void assertAllowed(Decision d) {
        assertThat(d.allowed()).as(d.message()).isTrue();
    }

    // ---- test_enforce / test_enforce_scope ----

    @Test
    void enforceWithScp() {
        Map<String, Object> token = v1();
        // no scope at all: python False; a SciTokens 1.0 token must carry a scope
        assertDenied(noAudience().test(sign(token), "read", "/"), Reason.MISSING_CLAIM);

        token.put("scp", "read:/");
        assertAllowed(noAudienceScp().test(sign(token), "read", "/"));
        // Tessera accepts the pre-2018 scp claim only when asked to (spec-rules §1.2 [DERIVED]); otherwise scp is
        // an unknown claim, which invalidates a 1.0 token
        assertDenied(noAudience().test(sign(token), "read", "/"), Reason.UNKNOWN_CLAIM);

        // python: an enforcer with an audience accepts a 1.0 token without aud. Tessera, like scitokens-cpp,
        // makes aud critical as soon as the service has an audience.
        Enforcer withAudience = f.enforcerBuilder().issuer(Fixture.ISSUER).audience(UNL).acceptScp(true).build();
        assertDenied(withAudience.test(sign(token), "read", "/"), Reason.AUDIENCE_MISMATCH);

        token.put("scp", "read:/foo/bar");
        String t = sign(token);
        assertDenied(noAudienceScp().test(t, "read", "/foo"), Reason.INSUFFICIENT_SCOPE);
        assertAllowed(noAudienceScp().test(t, "read", "/foo/bar"));
        assertDenied(noAudienceScp().test(t, "write", "/foo/bar"), Reason.INSUFFICIENT_SCOPE);
        // python raises InvalidPathError; Tessera's enforcer never throws and reports the path
        assertDenied(noAudienceScp().test(t, "write", "~/foo"), Reason.INVALID_PATH);
    }

    @Test
    void enforceWithScope() {
        Map<String, Object> token = v1();
        assertDenied(noAudience().test(sign(token), "read", "/"), Reason.MISSING_CLAIM);

        token.put("scope", "read:/");
        assertAllowed(noAudience().test(sign(token), "read", "/"));
        assertDenied(unl().test(sign(token), "read", "/"), Reason.AUDIENCE_MISMATCH); // see enforceWithScp

        token.put("scope", "read:/foo/bar");
        String t = sign(token);
        assertDenied(noAudience().test(t, "read", "/foo"), Reason.INSUFFICIENT_SCOPE);
        assertAllowed(noAudience().test(t, "read", "/foo/bar"));
        assertDenied(noAudience().test(t, "write", "/foo/bar"), Reason.INSUFFICIENT_SCOPE);
        assertDenied(noAudience().test(t, "write", "~/foo"), Reason.INVALID_PATH);
    }

    @Test
    void scpListIsAcceptedWhenEnabled() {
        Map<String, Object> token = v1();
        token.put("scp", List.of("read:/foo", "write:/bar"));
        String t = sign(token);
        assertAllowed(noAudienceScp().test(t, "read", "/foo/x"));
        assertAllowed(noAudienceScp().test(t, "write", "/bar/x"));
        assertDenied(noAudienceScp().test(t, "write", "/foo/x"), Reason.INSUFFICIENT_SCOPE);
    }

    // ---- test_enforce_v2 ----

    @Test
    void enforceV2() {
        Map<String, Object> token = v2();
        // no scope: a 2.0 token must carry one
        assertDenied(noAudience().test(sign(token), "read", "/"), Reason.MISSING_CLAIM);

        token.put("scope", "read:/");
        // python: an enforcer without audience refuses every token with aud, even ANY. Tessera (like
        // scitokens-cpp) accepts ANY in a 2.0 token there: ANY means "any relying party", this one included.
        assertAllowed(noAudience().test(sign(token), "read", "/"));

        // the token says ANY, so any audience will work
        assertAllowed(unl().test(sign(token), "read", "/"));

        token.put("aud", "https://example.com");
        assertDenied(unl().test(sign(token), "read", "/"), Reason.AUDIENCE_MISMATCH);
        assertDenied(noAudience().test(sign(token), "read", "/"), Reason.AUDIENCE_MISMATCH);

        token.put("aud", "ANY");
        assertAllowed(unl().test(sign(token), "read", "/"));

        token.put("scope", "read:/foo/bar");
        String t = sign(token);
        assertDenied(unl().test(t, "read", "/foo"), Reason.INSUFFICIENT_SCOPE);
        assertDenied(unl().test(t, "write", "/foo/bar"), Reason.INSUFFICIENT_SCOPE);
        assertDenied(unl().test(t, "write", "~/foo"), Reason.INVALID_PATH);
    }

    @Test
    void enforceV2WithPythonsNonWlcgGroups() {
        Map<String, Object> token = v2();
        token.put("scope", "read:/");
        token.put("wlcg.groups", List.of("groupA", "groupB"));
        assertAllowed(unl().test(sign(token), "read", "/"));
    }

    // ---- test_v2 ----

    @Test
    void v2Requirements() {
        Map<String, Object> token = v2();
        token.put("scope", "read:/foo/bar");
        token.remove("aud");
        assertDenied(unl().test(sign(token), "read", "/foo/bar"), Reason.MISSING_CLAIM);

        for (Object aud : List.of("ANY", List.of("ANY"), List.of("notathing.com", "ANY"), UNL, List.of(UNL))) {
            token.put("aud", aud);
            assertThat(unl().test(sign(token), "read", "/foo/bar").allowed()).as("aud " + aud).isTrue();
        }

        token.put("aud", "https://example.com");
        assertDenied(unl().test(sign(token), "read", "/foo/bar"), Reason.AUDIENCE_MISMATCH);

        // arbitrary claims are ignored in 2.0
        token.put("madeupclaim", "claimsdontmatter");
        token.put("aud", "ANY");
        assertAllowed(unl().test(sign(token), "read", "/foo/bar"));

        // and invalidate a 1.0 token
        Map<String, Object> old = v1();
        old.put("scope", "read:/foo/bar");
        old.put("madeupclaim", "claimsdontmatter");
        old.put("aud", "ANY");
        assertDenied(unl().test(sign(old), "read", "/foo/bar"), Reason.UNKNOWN_CLAIM);
    }

    // ---- test_enforce_scp_path_boundaries / test_enforce_scope_path_boundaries ----

    @ParameterizedTest
    @ValueSource(strings = {"scope", "scp"})
    void pathBoundaries(String claim) {
        Enforcer enf = noAudienceScp();
        Map<String, Object> token = v1();

        token.put(claim, "read:/john");
        String john = sign(token);
        assertAllowed(enf.test(john, "read", "/john"));
        assertAllowed(enf.test(john, "read", "/john/file"));
        assertDenied(enf.test(john, "read", "/johnathan"), Reason.INSUFFICIENT_SCOPE);
        assertDenied(enf.test(john, "read", "/johnny"), Reason.INSUFFICIENT_SCOPE);

        token.put(claim, "read:/john/file");
        assertDenied(enf.test(sign(token), "read", "/john"), Reason.INSUFFICIENT_SCOPE);

        token.put(claim, "read:/");
        String root = sign(token);
        assertAllowed(enf.test(root, "read", "/john"));
        assertAllowed(enf.test(root, "read", "/anything/at/all"));

        token.put(claim, "read://john");
        String slashes = sign(token);
        assertAllowed(enf.test(slashes, "read", "//john//file"));
        assertDenied(enf.test(slashes, "read", "//johnathan"), Reason.INSUFFICIENT_SCOPE);
    }

    // ---- test_enforce_*_path_traversal, _double_encoded ----

    @ParameterizedTest
    @ValueSource(strings = {"read:/foo/../bar", "read:/foo/%2e%2e/bar", "read:/foo/.%2e/bar", "read:/foo/%2e./bar",
        "read:/foo/%2E%2E/bar", "read:/foo/..", "read:/.."})
    void traversalInScopeRejectsTheToken(String scope) {
        for (String claim : new String[] {"scope", "scp"}) {
            Map<String, Object> token = v1();
            token.put(claim, scope);
            String t = sign(token);
            Decision d = noAudienceScp().test(t, "read", "/bar");
            assertDenied(d, Reason.INVALID_SCOPE);
            assertThat(d.message()).as(claim + " " + scope).contains("traversal");
            // generate_acls raises in python
            assertThatThrownBy(() -> noAudienceScp().acls(t))
                    .isInstanceOfSatisfying(TokenException.class,
                            e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_SCOPE));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"read:/foo/%252e%252e/bar", "read:/foo/%252E%252E/bar", "read:/foo/.%252e/bar",
        "read:/foo/%25252e%25252e/bar", "read:/%252e%252e"})
    void doubleEncodedTraversalNeverGrantsBar(String scope) {
        // python decodes once and keeps the literal segment "%2e%2e" (valid scope, never grants /bar);
        // Tessera decodes repeatedly while searching for traversal and refuses the whole token.
        Map<String, Object> token = v1();
        token.put("scope", scope);
        String t = sign(token);
        Decision d = noAudience().test(t, "read", "/bar");
        assertDenied(d, Reason.INVALID_SCOPE);
        assertThat(noAudience().test(t, "read", "/foo/%252e%252e/bar").allowed()).isFalse();
    }

    // ---- test_issuer ----

    @Test
    void issuerList() {
        String other = "https://other.example.org/vo";
        String third = "https://third.example.org/vo";
        SigningKey otherKey = SigningKey.generate(Algorithm.ES256, "other-1");
        f.fetcher.publish(other, otherKey);
        f.fetcher.publish(third, otherKey);
        Enforcer enf = f.enforcerBuilder().issuers(List.of(Fixture.ISSUER, other)).build();

        Map<String, Object> token = v1();
        token.put("scope", "read:/");
        assertAllowed(enf.test(sign(token), "read", "/x"));

        token.put("iss", other);
        assertAllowed(enf.test(JwsSigner.sign(otherKey, Map.of(), token), "read", "/x"));

        token.put("iss", third);
        Decision d = enf.test(JwsSigner.sign(otherKey, Map.of(), token), "read", "/x");
        assertDenied(d, Reason.ISSUER_NOT_ALLOWED);
        // python's message names "claim 'iss'"; ours names the offending issuer
        assertThat(d.message()).contains(third).contains("allowed issuers");
        assertThat(f.fetcher.fetches(third)).isZero(); // an untrusted issuer is never contacted
    }

    // ---- test_aud / test_multiple_aud ----

    @Test
    void audience() {
        Map<String, Object> token = v1();
        token.put("scope", "read:/");
        token.put("aud", UNL);
        assertDenied(noAudience().test(sign(token), "read", "/"), Reason.AUDIENCE_MISMATCH);
        assertAllowed(unl().test(sign(token), "read", "/"));
    }

    @Test
    void multipleAudiences() {
        Enforcer enf = f.enforcerBuilder().issuer(Fixture.ISSUER).audiences(List.of(UNL, "https://another.com")).build();
        Map<String, Object> token = v1();
        token.put("scope", "read:/");
        // python accepts a 1.0 token without aud here; Tessera requires aud once the service has audiences
        assertDenied(enf.test(sign(token), "read", "/"), Reason.AUDIENCE_MISMATCH);
        token.put("aud", "https://another.com");
        assertAllowed(enf.test(sign(token), "read", "/"));
        token.put("aud", "https://doesnotwork.com");
        assertDenied(enf.test(sign(token), "read", "/"), Reason.AUDIENCE_MISMATCH);
        token.put("aud", List.of("https://doesnotwork.com", "https://another.com"));
        assertAllowed(enf.test(sign(token), "read", "/"));
        token.put("aud", List.of("https://doesnotwork.com", "https://nope.com"));
        assertDenied(enf.test(sign(token), "read", "/"), Reason.AUDIENCE_MISMATCH);
    }

    // ---- test_gen_acls / test_sub ----

    @Test
    void generateAcls() throws Exception {
        Enforcer enf = noAudience();
        Map<String, Object> token = v1();

        token.put("scope", "read:/");
        assertThat(enf.acls(sign(token))).containsExactly(new Acl("read", "/"));

        token.put("scope", "read:/ write:/foo");
        assertThat(enf.acls(sign(token))).containsExactlyInAnyOrder(new Acl("read", "/"), new Acl("write", "/foo"));

        token.put("scope", "read:/foo read://bar write:/foo write://bar");
        assertThat(enf.acls(sign(token))).containsExactlyInAnyOrder(
                new Acl("read", "/foo"), new Acl("read", "/bar"), new Acl("write", "/foo"), new Acl("write", "/bar"));

        long now = f.clock.instant().getEpochSecond();
        token.put("exp", now - 600);
        String expired = sign(token);
        assertThatThrownBy(() -> enf.acls(expired))
                .isInstanceOfSatisfying(TokenException.class, e -> assertThat(e.reason()).isEqualTo(Reason.EXPIRED));
        token.put("exp", now + 600);

        // python raises InvalidAuthorizationResource for read:foo. In Tessera "read:foo" is an opaque named
        // scope (like LSST's read:tap): the token is valid and the scope grants no file access.
        token.put("scope", "read:foo");
        String opaque = sign(token);
        assertThat(enf.acls(opaque)).containsExactly(new Acl("read:foo", null));
        assertDenied(enf.test(opaque, "read", "/foo"), Reason.INSUFFICIENT_SCOPE);
        assertDenied(enf.test(opaque, "read", "/"), Reason.INSUFFICIENT_SCOPE);

        for (String bad : new String[] {"read", "read:/foo/%2e%2e", "write:", "read:/ write"}) {
            token.put("scope", bad);
            String t = sign(token);
            assertThatThrownBy(() -> enf.acls(t)).as(bad)
                    .isInstanceOfSatisfying(TokenException.class,
                            e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_SCOPE));
        }
    }

    @Test
    void tokenWithSubject() throws Exception {
        Map<String, Object> token = v1();
        token.put("sub", "Some Great User");
        token.put("scope", "read:/");
        assertThat(noAudience().acls(sign(token))).hasSize(1);
    }

    // ---- test_create_scitoken.py: test_create_to_validate, test_multiple_scopes, test_ver, test_opt ----

    @Test
    void createToValidate() {
        Map<String, Object> token = v1();
        token.put("scope", "write:/home/example");
        String t = sign(token);
        Enforcer enf = noAudience();
        assertAllowed(enf.test(t, "write", "/home/example/test_file"));
        assertDenied(enf.test(t, "read", "/home/example/test_file"), Reason.INSUFFICIENT_SCOPE);
        assertDenied(enf.test(t, "write", "/home/other/test_file"), Reason.INSUFFICIENT_SCOPE);
    }

    @Test
    void multipleScopes() {
        Map<String, Object> token = v1();
        token.put("scope", "write:/home/example read:/home/read");
        String t = sign(token);
        Enforcer enf = noAudience();
        assertAllowed(enf.test(t, "write", "/home/example/test_file"));
        assertDenied(enf.test(t, "read", "/home/example/test_file"), Reason.INSUFFICIENT_SCOPE);
        assertDenied(enf.test(t, "write", "/home/other/test_file"), Reason.INSUFFICIENT_SCOPE);
        assertAllowed(enf.test(t, "read", "/home/read/test_file"));
    }

    @Test
    void version() {
        Map<String, Object> token = v1();
        token.put("scope", "write:/home/example");
        Enforcer enf = noAudience();

        token.put("ver", 1L); // python's explicit 1.0 is the integer 1
        Decision d = enf.test(sign(token), "write", "/home/example/test_file");
        assertAllowed(d);
        assertThat(d.token().profile()).isEqualTo(dev.tessera.token.Profile.SCITOKENS_1);

        token.put("ver", "scitokens:1.0"); // scitokens-cpp's explicit 1.0
        assertAllowed(enf.test(sign(token), "write", "/home/example/test_file"));

        for (Object ver : List.of(9999L, "scitoken:1.0", "scitoken:3.0", 2L, "2.0", 1.5)) {
            token.put("ver", ver);
            assertThat(enf.test(sign(token), "write", "/home/example/test_file").reason())
                    .as("ver " + ver).isEqualTo(Reason.UNSUPPORTED_VERSION);
        }
    }

    @Test
    void optionalClaimOpt() {
        Map<String, Object> token = v1();
        token.put("opt", "This is optional information, and should always return true");
        token.put("scope", "write:/home/example");
        assertAllowed(noAudience().test(sign(token), "write", "/home/example/test_file"));
        token.put("opt", Map.of("nested", List.of(1, 2, 3)));
        assertAllowed(noAudience().test(sign(token), "write", "/home/example/test_file"));
    }
}
