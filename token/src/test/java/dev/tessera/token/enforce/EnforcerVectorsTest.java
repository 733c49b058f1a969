package dev.tessera.token.enforce;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.token.Acl;
import dev.tessera.token.Decision;
import dev.tessera.token.Enforcer;
import dev.tessera.token.Reason;
import dev.tessera.token.testing.Fixture;
import org.junit.jupiter.api.Test;

/** scitokens-cpp {@code test/main.cpp} enforcer vectors, with our names and our stricter answers where they differ. */
class EnforcerVectorsTest {
    private final Fixture f = new Fixture();
    private final Enforcer enforcer = f.enforcer();

    private boolean allows(String token, String authz, String path) {
        return enforcer.test(token, authz, path).allowed();
    }

    @Test
    void readScopeDoesNotGrantAnotherPath() { // EnforcerTest
        Decision d = enforcer.test(f.token("read:/blah"), "read", "/stuff");
        assertThat(d.allowed()).isFalse();
        assertThat(d.reason()).isEqualTo(Reason.INSUFFICIENT_SCOPE);
        assertThat(d.message()).contains("read:/blah");
    }

    @Test
    void wlcgStorageScopesListAsAcls() throws Exception { // EnforcerScopeTest
        String token = f.wlcgToken("storage.modify:/ storage.read:/ openid offline_access");
        assertThat(enforcer.acls(token)).contains(new Acl("storage.modify", "/"), new Acl("storage.read", "/"),
                new Acl("openid", null), new Acl("offline_access", null));
        assertThat(allows(token, "read", "/x")).isTrue();
        assertThat(allows(token, "write", "/x")).isTrue();
    }

    @Test
    void pathScopesRespectSegmentBoundaries() { // EnforcerScopeRespectsPathBoundaries, CVE-2026-32716
        String token = f.token("read:/john");
        assertThat(allows(token, "read", "/john")).isTrue();
        assertThat(allows(token, "read", "/john/file")).isTrue();
        assertThat(allows(token, "read", "/johnathan")).isFalse();
        assertThat(allows(token, "read", "/johnny")).isFalse();
    }

    @Test
    void rootScopeGrantsEveryPath() { // EnforcerRootScopeAllowsNormalizedAbsolutePaths
        assertThat(allows(f.token("read:/"), "read", "/users/alice/project/file.txt")).isTrue();
    }

    @Test
    void computeScopesMapToCondorWriteOnSegmentBoundaries() { // EnforcerCompatWriteScopeRespectsPathBoundaries
        String token = f.wlcgToken("compute.modify compute.create compute.cancel");
        assertThat(allows(token, "condor", "/WRITE")).isTrue();
        assertThat(allows(token, "condor", "/WRITE/job/123")).isTrue();
        assertThat(allows(token, "condor", "/WRITEUP")).isFalse();
        assertThat(allows(token, "condor", "/READ")).isFalse();
        assertThat(allows(token, "compute.create", null)).isTrue();
    }

    @Test
    void computeWriteNeedsAllThreeScopes() {
        String token = f.wlcgToken("compute.create compute.read");
        assertThat(allows(token, "condor", "/WRITE")).isFalse();
        assertThat(allows(token, "condor", "/READ")).isTrue();
    }

    @Test
    void traversalInScopePathsRejectsTheToken() { // EnforcerRejectsTraversalInScopePaths
        for (String scope : new String[] {"read:/home/user1/..", "read:/anything/..", "read:/foo/%2e%2e/bar",
                "read:/foo/%2E%2e/bar", "read:/foo/%252e%252e/bar"}) {
            Decision d = enforcer.test(f.signed(f.claims(scope)), "read", "/bar");
            assertThat(d.allowed()).as(scope).isFalse();
            assertThat(d.reason()).as(scope).isEqualTo(Reason.INVALID_SCOPE);
        }
        assertThat(allows(f.token("read:/home/user1/docs"), "read", "/home/user1/docs/file.txt")).isTrue();
    }

    @Test
    void requestedPathThatClimbsAboveTheRootIsDenied() {
        // EnforcerSafelyNormalizesRequestedPathTraversal: scitokens-cpp clamps /../../safe/file.txt to
        // /safe/file.txt and allows it; we refuse any request that climbs above the root.
        Decision d = enforcer.test(f.token("read:/safe"), "read", "/../../safe/file.txt");
        assertThat(d.allowed()).isFalse();
        assertThat(d.reason()).isEqualTo(Reason.INVALID_PATH);
        assertThat(allows(f.token("read:/safe"), "read", "/other/../safe/file.txt")).isTrue();
    }

    @Test
    void dynamicIssuerReadScopeDoesNotGrantWrite() { // integration_test EnforcerWithDynamicIssuer
        String token = f.token("read:/data");
        assertThat(allows(token, "read", "/data/file.txt")).isTrue();
        assertThat(allows(token, "write", "/data/file.txt")).isFalse();
    }
}
