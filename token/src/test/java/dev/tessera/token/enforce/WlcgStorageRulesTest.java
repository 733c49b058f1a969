package dev.tessera.token.enforce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tessera.token.Acl;
import dev.tessera.token.Decision;
import dev.tessera.token.Enforcer;
import dev.tessera.token.Reason;
import dev.tessera.token.TokenException;
import dev.tessera.token.testing.Fixture;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * WLCG Common JWT Profile storage scopes (profile.md §2.2.1, §2.2.3; spec-rules §2.3, §2.4, §5.4) and the
 * INDIGO IAM storage compliance suite expectations, through the {@link Enforcer}.
 */
class WlcgStorageRulesTest {
    private final Fixture f = new Fixture();
    private final Enforcer enforcer = f.enforcer();

    private Decision test(String token, String authz, String path) {
        return enforcer.test(token, authz, path);
    }

    private void assertAllowed(String token, String authz, String path) {
        Decision d = test(token, authz, path);
        assertThat(d.allowed()).as(authz + " " + path + ": " + d.message()).isTrue();
        assertThat(d.reason()).isNull();
        assertThat(d.grantedBy()).isNotNull();
    }

    private void assertDenied(String token, String authz, String path, Reason reason) {
        Decision d = test(token, authz, path);
        assertThat(d.allowed()).as(authz + " " + path).isFalse();
        assertThat(d.reason()).as(authz + " " + path + ": " + d.message()).isEqualTo(reason);
        assertThat(d.grantedBy()).isNull();
    }

    /** WLCG claims built by hand, for scopes the token builder refuses to sign. */
    private Map<String, Object> wlcgClaims(String scope) {
        Map<String, Object> claims = new LinkedHashMap<>();
        long now = f.clock.instant().getEpochSecond();
        claims.put("wlcg.ver", "1.0");
        claims.put("iss", Fixture.ISSUER);
        claims.put("sub", "alice");
        claims.put("aud", Fixture.AUDIENCE);
        claims.put("scope", scope);
        claims.put("iat", now);
        claims.put("nbf", now);
        claims.put("exp", now + 600);
        claims.put("jti", "jti-" + System.nanoTime());
        return claims;
    }

    @Test
    void createMayMakeTheLeadingDirectoriesButNotFilesBesideItsPath() {
        String token = f.wlcgToken("storage.create:/foo/bar");
        assertAllowed(token, "storage.create", "/foo/");         // the missing parent directory
        assertAllowed(token, "storage.create", "/foo/bar");      // the path itself (file or directory)
        assertAllowed(token, "storage.create", "/foo/bar/");
        assertAllowed(token, "storage.create", "/foo/bar/qux");
        assertAllowed(token, "storage.create", "/foo/bar/qux/deeper/file");
        assertDenied(token, "storage.create", "/foo", Reason.INSUFFICIENT_SCOPE);        // a file /foo
        assertDenied(token, "storage.create", "/foo/bargain", Reason.INSUFFICIENT_SCOPE);
        assertDenied(token, "storage.create", "/foo/other/", Reason.INSUFFICIENT_SCOPE);
    }

    @Test
    void createWithTrailingSlashIsDirectoryOnly() {
        String token = f.wlcgToken("storage.create:/foo/bar/");
        assertDenied(token, "storage.create", "/foo/bar", Reason.INSUFFICIENT_SCOPE);
        assertAllowed(token, "storage.create", "/foo/bar/");
        assertAllowed(token, "storage.create", "/foo/bar/qux");
        assertAllowed(token, "storage.create", "/foo/");
    }

    @Test
    void createDoesNotAllowOverwriteDeleteOrRead() { // basic_authz.robot
        String token = f.wlcgToken("storage.create:/");
        assertDenied(token, "storage.modify", "/file", Reason.INSUFFICIENT_SCOPE);
        assertDenied(token, "write", "/file", Reason.INSUFFICIENT_SCOPE);
        assertDenied(token, "storage.read", "/file", Reason.INSUFFICIENT_SCOPE);
        assertDenied(token, "read", "/file", Reason.INSUFFICIENT_SCOPE);
        assertAllowed(token, "storage.create", "/file");
    }

    @Test
    void modifyIsASupersetOfCreateButDoesNotGrantRead() { // "storage.modify does not imply storage.read"
        String token = f.wlcgToken("storage.modify:/data");
        assertAllowed(token, "storage.modify", "/data/f");
        assertAllowed(token, "storage.create", "/data/f");
        assertAllowed(token, "write", "/data/f");
        assertDenied(token, "storage.read", "/data/f", Reason.INSUFFICIENT_SCOPE);
        assertDenied(token, "read", "/data/f", Reason.INSUFFICIENT_SCOPE);
    }

    @Test
    void stageDoesNotGrantRead() { // WLCG 1.2, for every wlcg.ver
        String token = f.wlcgToken("storage.stage:/t");
        assertDenied(token, "storage.read", "/t", Reason.INSUFFICIENT_SCOPE);
        assertDenied(token, "read", "/t/file", Reason.INSUFFICIENT_SCOPE);
        assertAllowed(token, "storage.stage", "/t/file");
        assertAllowed(token, "storage.poll", "/t/file");
        assertDenied(token, "storage.stage", "/tape", Reason.INSUFFICIENT_SCOPE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"storage.read", "storage.create", "storage.modify", "storage.stage", "storage.poll",
        "storage.read:", "openid storage.read:/ok storage.modify"})
    void storageScopeWithoutPathRejectsTheWholeToken(String scope) throws Exception {
        String token = f.signed(wlcgClaims(scope));
        Decision d = test(token, "read", "/ok/file");
        assertThat(d.allowed()).isFalse();
        assertThat(d.reason()).isEqualTo(Reason.INVALID_SCOPE);
        assertThat(d.token()).isNull();
        assertThatThrownBy(() -> enforcer.acls(token))
                .isInstanceOfSatisfying(TokenException.class, e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_SCOPE));
        // the builder refuses to sign such a token in the first place
        assertThatThrownBy(() -> f.wlcgToken(scope)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void readDoesNotCrossASegmentBoundary() { // path_enforced_authz.robot
        String token = f.wlcgToken("storage.read:/foo");
        assertAllowed(token, "storage.read", "/foo");
        assertAllowed(token, "storage.read", "/foo/bar");
        assertDenied(token, "storage.read", "/foobar", Reason.INSUFFICIENT_SCOPE);
        assertDenied(token, "storage.read", "/foobar/x", Reason.INSUFFICIENT_SCOPE);
        assertDenied(token, "storage.read", "/fo", Reason.INSUFFICIENT_SCOPE);
    }

    @Test
    void requestedTraversalIsResolvedBeforeMatching() {
        String token = f.wlcgToken("storage.read:/foo");
        assertDenied(token, "storage.read", "/foo/../bar", Reason.INSUFFICIENT_SCOPE);
        assertDenied(token, "storage.read", "/foo/%2e%2e/bar", Reason.INSUFFICIENT_SCOPE);
        assertAllowed(token, "storage.read", "/bar/../foo/x");
        assertDenied(token, "storage.read", "/foo/../../foo", Reason.INVALID_PATH);
    }

    @Test
    void minimalOpenidTokenIsDeniedRead() { // "Read access denied to minimum priviledged token"
        String token = f.wlcgToken("openid");
        assertDenied(token, "storage.read", "/", Reason.INSUFFICIENT_SCOPE);
        assertDenied(token, "read", "/file", Reason.INSUFFICIENT_SCOPE);
        assertAllowed(token, "openid", null);
    }

    @Test
    void severalScopesOfTheSameNameAreAllHonoured() {
        String token = f.wlcgToken("storage.create:/foo storage.create:/bar");
        assertAllowed(token, "storage.create", "/foo/x");
        assertAllowed(token, "storage.create", "/bar/x");
        assertDenied(token, "storage.create", "/baz/x", Reason.INSUFFICIENT_SCOPE);
    }

    // ---- base path (profile.md §2.2.3 example) ----

    private Enforcer voEnforcer() {
        return f.enforcerBuilder().issuer(Fixture.ISSUER, "/vo").audience(Fixture.AUDIENCE).build();
    }

    @Test
    void scopePathsAreRelativeToTheIssuersBasePath() {
        Enforcer vo = voEnforcer();
        String token = f.wlcgToken("storage.read:/ storage.create:/stageout");
        assertThat(vo.test(token, "storage.read", "/vo/sample_file1").allowed()).isTrue();
        assertThat(vo.test(token, "storage.read", "/vo/stageout/file").allowed()).isTrue();
        assertThat(vo.test(token, "storage.create", "/vo/stageout/file").allowed()).isTrue();
        assertThat(vo.test(token, "storage.create", "/vo/stageout/dir/").allowed()).isTrue();

        Decision outside = vo.test(token, "storage.read", "/sample_file");
        assertThat(outside.allowed()).isFalse();
        assertThat(outside.reason()).isEqualTo(Reason.INSUFFICIENT_SCOPE);
        assertThat(outside.message()).contains("outside the base path");

        Decision create = vo.test(token, "storage.create", "/vo/sample_file1");
        assertThat(create.allowed()).isFalse();
        assertThat(create.reason()).isEqualTo(Reason.INSUFFICIENT_SCOPE);
        // the scope path is not a service path: /stageout itself is outside the VO area
        assertThat(vo.test(token, "storage.create", "/stageout/file").allowed()).isFalse();
    }

    @Test
    void aSiblingOfTheBasePathIsOutsideIt() {
        Enforcer vo = voEnforcer();
        String token = f.wlcgToken("storage.read:/");
        assertThat(vo.test(token, "storage.read", "/vo").allowed()).isTrue();
        assertThat(vo.test(token, "storage.read", "/vo/").allowed()).isTrue();
        assertThat(vo.test(token, "storage.read", "/vox").allowed()).isFalse();
        assertThat(vo.test(token, "storage.read", "/vox/file").allowed()).isFalse();
        assertThat(vo.test(token, "storage.read", "/vo/../vox/file").allowed()).isFalse();
        assertThat(vo.test(token, "storage.read", "/").allowed()).isFalse();
        assertThat(vo.basePath(Fixture.ISSUER).toString()).isEqualTo("/vo");
        assertThat(f.enforcer().basePath(Fixture.ISSUER).isRoot()).isTrue();
    }

    @Test
    void aclsListPathsUnderTheBasePath() throws Exception {
        Enforcer vo = voEnforcer();
        String token = f.wlcgToken("storage.read:/ storage.create:/stageout storage.modify:/user/alice/ openid");
        assertThat(vo.acls(token)).containsExactly(
                new Acl("storage.read", "/vo"),
                new Acl("storage.create", "/vo/stageout"),
                new Acl("storage.modify", "/vo/user/alice/"),
                new Acl("openid", null));
        assertThat(f.enforcer().acls(token)).contains(new Acl("storage.read", "/"), new Acl("storage.create", "/stageout"));
    }

    @Test
    void basePathMustBeAValidAbsolutePath() {
        assertThatThrownBy(() -> f.enforcerBuilder().issuer(Fixture.ISSUER, "vo"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> f.enforcerBuilder().issuer(Fixture.ISSUER, "/../vo"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
