package dev.tessera.token.scope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Scope sets: parsing as a whole (one bad scope invalidates the set), attenuation ({@code covers},
 * {@code narrow}: spec-rules §6, DESIGN §4) and enforcement ({@code grantFor}: WLCG §2.2.1).
 */
class ScopeSetTest {

    private static ScopeSet set(String text) throws InvalidScopeException {
        return ScopeSet.parse(text);
    }

    private static ResourcePath path(String raw) throws InvalidScopeException {
        return ResourcePath.parseRequestPath(raw);
    }

    private static boolean covers(String parent, String requested) throws InvalidScopeException {
        return ScopeSet.covers(set(parent), set(requested));
    }

    // ---- parsing ----

    @Test
    void runsOfSpacesAreOneSeparator() throws Exception {
        ScopeSet s = set("  read:/a    write:/b  compute.create ");
        assertThat(s.size()).isEqualTo(3);
        assertThat(s.toString()).isEqualTo("read:/a write:/b compute.create");
    }

    @Test
    void emptyAndBlankTextIsTheEmptySet() throws Exception {
        assertThat(set("")).isSameAs(ScopeSet.EMPTY);
        assertThat(set("    ")).isEqualTo(ScopeSet.EMPTY);
        assertThat(set("").isEmpty()).isTrue();
        assertThat(ScopeSet.EMPTY.toString()).isEmpty();
    }

    @Test
    void duplicatesCollapseAfterCanonicalization() throws Exception {
        ScopeSet s = set("read:/a read:/a read://a read:/./a queue queue:/ offline_access offline_access");
        assertThat(s.asList()).extracting(Scope::toString).containsExactly("read:/a", "queue:/", "offline_access");
        // a final "." names the directory itself (RFC 3986 remove_dot_segments: /a/. -> /a/), a different scope
        assertThat(set("read:/a/. read:/a/").asList()).extracting(Scope::toString).containsExactly("read:/a/");
        assertThat(set("read:/a/. read:/a").size()).isEqualTo(2);
    }

    @Test
    void orderIsKept() throws Exception {
        assertThat(set("write:/b read:/a openid").asList()).extracting(Scope::toString)
                .containsExactly("write:/b", "read:/a", "openid");
    }

    @Test
    void toStringIsCanonicalAndReparses() throws Exception {
        ScopeSet s = set("read://foo//bar  storage.create:/x/ queue  read:/f%20g gwdatafind.read");
        assertThat(s.toString()).isEqualTo("read:/foo/bar storage.create:/x/ queue:/ read:/f%20g gwdatafind.read");
        assertThat(set(s.toString())).isEqualTo(s);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "read:/ok read:/a/../b", "read:/a/../b read:/ok", "read:/ok storage.read", "storage.read read:/ok",
        "offline_access read:/x/%2e%2e openid", "read:/ok caf\u00e9", "read:/ok\tread:/b", "read:/ok write"})
    void oneBadScopeAnywhereInvalidatesTheSet(String text) {
        // the reference libraries only fail when a check reaches the bad scope; we refuse the set whatever the order
        assertThatThrownBy(() -> set(text)).as(text).isInstanceOf(InvalidScopeException.class);
    }

    @Test
    void containsComparesCanonicalForms() throws Exception {
        ScopeSet s = set("read:tap exec:notebook read://data/ queue");
        assertThat(s.contains("read:tap")).isTrue();
        assertThat(s.contains("exec:notebook")).isTrue();
        assertThat(s.contains("read:/data/")).isTrue();
        assertThat(s.contains("read:/data")).isFalse();
        assertThat(s.contains("queue:/")).isTrue();
        assertThat(s.contains("read")).isFalse(); // invalid text is simply not contained
        assertThat(s.contains("exec")).isFalse();
    }

    @Test
    void ofDeduplicatesInOrder() throws Exception {
        Scope a = Scope.parse("read:/a");
        Scope b = Scope.parse("write:/b");
        assertThat(ScopeSet.of(java.util.List.of(b, a, b)).asList()).containsExactly(b, a);
        assertThat(ScopeSet.of(java.util.List.of())).isSameAs(ScopeSet.EMPTY);
    }

    // ---- attenuation: covers / narrow ----

    @ParameterizedTest
    @CsvSource({
        // same authz, path at or below on a segment boundary
        "read:/, read:/anything/at/all, true",
        "read:/data, read:/data, true",
        "read:/data, read:/data/sub, true",
        "read:/data, read:/database, false",
        "read:/data/sub, read:/data, false",
        "read:/data, read:/, false",
        // modify covers create, stage covers poll, not the other way round
        "storage.modify:/u, storage.create:/u/alice, true",
        "storage.create:/u, storage.modify:/u, false",
        "storage.stage:/t, storage.poll:/t/f, true",
        "storage.poll:/t, storage.stage:/t, false",
        "storage.stage:/t, storage.read:/t, false",
        "storage.modify:/u, storage.read:/u, false",
        // SciTokens and WLCG families are distinct for attenuation
        "read:/, storage.read:/, false",
        "storage.read:/, read:/, false",
        "write:/, storage.modify:/, false",
        "write:/, storage.create:/, false",
        "write:/x, read:/x, false",
        "read:/x, write:/x, false",
        // directory-only parent covers the directory and below, not the same path as a file
        "storage.read:/data/, storage.read:/data, false",
        "storage.read:/data/, storage.read:/data/, true",
        "storage.read:/data/, storage.read:/data/f, true",
        "storage.read:/data, storage.read:/data/, true",
        // named scopes match exactly
        "compute.create, compute.create, true",
        "compute.modify, compute.create, false",
        "offline_access, openid, false",
        "wlcg.groups:/cms, wlcg.groups:/cms/uscms, false",
        "read:tap, read:tap, true",
        "read:/, read:tap, false",
        "queue, queue:/x, true",
        "queue:/x, queue, false",
        "condor:/READ, condor:/WRITE, false",
    })
    void coversFollowsTheAttenuationRules(String parent, String requested, boolean expected) throws Exception {
        assertThat(covers(parent, requested)).as(parent + " covers " + requested).isEqualTo(expected);
    }

    @Test
    void everyRequestedScopeMustBeCovered() throws Exception {
        assertThat(covers("read:/a write:/a/b", "read:/a/x write:/a/b/c")).isTrue();
        assertThat(covers("read:/a write:/a/b", "read:/a/x write:/a/c")).isFalse();
        assertThat(covers("read:/a", "")).isTrue(); // nothing asked, nothing gained
        assertThat(covers("", "read:/a")).isFalse();
    }

    @Test
    void upscopingIsNeverCovered() throws Exception { // indigo-iam/iam#1020
        ScopeSet parent = set("storage.read:/");
        ScopeSet requested = set("storage.read:/ storage.modify:/");
        assertThat(ScopeSet.covers(parent, requested)).isFalse();

        ScopeSet.Narrowing n = parent.narrow(requested);
        assertThat(n.granted()).isEqualTo(set("storage.read:/"));
        assertThat(n.refused()).extracting(Scope::toString).containsExactly("storage.modify:/");
    }

    @Test
    void narrowKeepsTheCoveredScopesInRequestOrder() throws Exception {
        // Claims.md: request "read:/foo write:/foo/subdir" may be granted narrower, never wider
        ScopeSet parent = set("read:/foo write:/foo/subdir offline_access");
        ScopeSet.Narrowing n = parent.narrow(set("write:/foo/subdir/x read:/foo/subdir write:/foo openid offline_access"));
        assertThat(n.granted().toString()).isEqualTo("write:/foo/subdir/x read:/foo/subdir offline_access");
        assertThat(n.refused()).extracting(Scope::toString).containsExactly("write:/foo", "openid");
    }

    @Test
    void narrowOfNothingCoveredGrantsNothing() throws Exception {
        ScopeSet.Narrowing n = set("read:/a").narrow(set("write:/a storage.read:/a"));
        assertThat(n.granted().isEmpty()).isTrue();
        assertThat(n.refused()).hasSize(2);
    }

    // ---- enforcement: grantFor ----

    @Test
    void writeAndModifyGrantCreate() throws Exception {
        assertThat(set("write:/u").grantFor("storage.create", path("/u/f"))).isEqualTo("write:/u");
        assertThat(set("storage.modify:/u").grantFor("storage.create", path("/u/f"))).isEqualTo("storage.modify:/u");
        assertThat(set("storage.modify:/u").grantFor("write", path("/u/f"))).isEqualTo("storage.modify:/u");
        assertThat(set("write:/u").grantFor("storage.modify", path("/u/f"))).isEqualTo("write:/u");
    }

    @Test
    void createNeverGrantsWriteOrModify() throws Exception {
        ScopeSet s = set("storage.create:/u");
        assertThat(s.grantFor("write", path("/u/f"))).isNull();
        assertThat(s.grantFor("storage.modify", path("/u/f"))).isNull();
        assertThat(s.grantFor("modify", path("/u/f"))).isNull();
        assertThat(s.grantFor("storage.create", path("/u/f"))).isEqualTo("storage.create:/u");
        assertThat(s.grantFor("create", path("/u/f"))).isEqualTo("storage.create:/u");
    }

    @Test
    void readAndStorageReadAreInterchangeableForEnforcement() throws Exception {
        assertThat(set("storage.read:/d").grantFor("read", path("/d/f"))).isEqualTo("storage.read:/d");
        assertThat(set("read:/d").grantFor("storage.read", path("/d/f"))).isEqualTo("read:/d");
    }

    @Test
    void stageDoesNotGrantReadButGrantsPoll() throws Exception {
        ScopeSet s = set("storage.stage:/t");
        assertThat(s.grantFor("read", path("/t/f"))).isNull();
        assertThat(s.grantFor("storage.read", path("/t/f"))).isNull();
        assertThat(s.grantFor("storage.stage", path("/t/f"))).isEqualTo("storage.stage:/t");
        assertThat(s.grantFor("storage.poll", path("/t/f"))).isEqualTo("storage.stage:/t");
        assertThat(set("storage.poll:/t").grantFor("storage.stage", path("/t/f"))).isNull();
    }

    @Test
    void modifyDoesNotGrantRead() throws Exception {
        assertThat(set("storage.modify:/").grantFor("read", path("/f"))).isNull();
        assertThat(set("write:/").grantFor("read", path("/f"))).isNull();
        assertThat(set("storage.create:/").grantFor("read", path("/f"))).isNull();
    }

    @Test
    void createMayMakeTheMissingParentDirectoriesOfItsPath() throws Exception {
        ScopeSet s = set("storage.create:/foo/bar");
        assertThat(s.grantFor("storage.create", path("/foo/"))).isEqualTo("storage.create:/foo/bar");
        assertThat(s.grantFor("storage.create", path("/"))).isEqualTo("storage.create:/foo/bar");
        assertThat(s.grantFor("storage.create", path("/foo"))).isNull(); // a file /foo
        assertThat(s.grantFor("storage.create", path("/foo/bargain"))).isNull();
        assertThat(s.grantFor("storage.create", path("/foo/bargain/"))).isNull();
        assertThat(s.grantFor("storage.create", path("/foo/bar"))).isNotNull();
        assertThat(s.grantFor("storage.create", path("/foo/bar/"))).isNotNull();
        assertThat(s.grantFor("storage.create", path("/foo/bar/qux"))).isNotNull();
        assertThat(s.grantFor("storage.create", path("/other/"))).isNull();
        // the parent-directory rule is only for creating: it never lets one read or modify /foo
        assertThat(set("storage.read:/foo/bar").grantFor("read", path("/foo/"))).isNull();
        assertThat(set("storage.modify:/foo/bar").grantFor("storage.modify", path("/foo/"))).isNull();
    }

    @Test
    void directoryScopeDoesNotGrantAFileOfTheSameName() throws Exception {
        ScopeSet s = set("storage.create:/foo/bar/");
        assertThat(s.grantFor("storage.create", path("/foo/bar"))).isNull();
        assertThat(s.grantFor("storage.create", path("/foo/bar/"))).isNotNull();
        assertThat(s.grantFor("storage.create", path("/foo/bar/x"))).isNotNull();
    }

    @Test
    void pathGrantsRespectSegmentBoundaries() throws Exception {
        ScopeSet s = set("read:/john");
        assertThat(s.grantFor("read", path("/john/file"))).isEqualTo("read:/john");
        assertThat(s.grantFor("read", path("/johnathan"))).isNull();
    }

    @Test
    void namedScopesGrantOnlyTheirExactName() throws Exception {
        ScopeSet s = set("compute.create gwdatafind.read read:tap");
        assertThat(s.grantFor("compute.create", null)).isEqualTo("compute.create");
        assertThat(s.grantFor("gwdatafind.read", null)).isEqualTo("gwdatafind.read");
        assertThat(s.grantFor("read:tap", null)).isEqualTo("read:tap");
        assertThat(s.grantFor("compute.cancel", null)).isNull();
        assertThat(s.grantFor("read", path("/tap"))).isNull(); // read:tap is not a path grant
        assertThat(s.grantFor("read", null)).isNull();
    }

    @Test
    void pathScopesNeedARequestPath() throws Exception {
        assertThat(set("read:/").grantFor("read", null)).isNull();
    }

    @Test
    void otherAuthorizationsMatchByName() throws Exception {
        ScopeSet s = set("queue:/jobs condor:/READ");
        assertThat(s.grantFor("queue", path("/jobs/1"))).isEqualTo("queue:/jobs");
        assertThat(s.grantFor("execute", path("/jobs/1"))).isNull();
        assertThat(s.grantFor("condor", path("/READ"))).isEqualTo("condor:/READ");
        assertThat(s.grantFor("condor", path("/WRITE"))).isNull();
    }

    @Test
    void intersectKeepsEachScopeAtTheNarrowerExtent() throws Exception {
        ScopeSet parent = ScopeSet.parse("read:/data storage.modify:/store compute.create write:/out/x");
        ScopeSet ceiling = ScopeSet.parse("read:/data/frames read:/database storage.create:/store/new compute.create write:/out");
        assertThat(parent.intersect(ceiling).toString())
                .isEqualTo("read:/data/frames storage.create:/store/new compute.create write:/out/x");
        assertThat(ceiling.intersect(parent).asList()).containsExactlyInAnyOrderElementsOf(parent.intersect(ceiling).asList());
        assertThat(parent.intersect(ScopeSet.EMPTY).isEmpty()).isTrue();
        assertThat(ScopeSet.parse("read:/data").intersect(ScopeSet.parse("read:/datab write:/data")).isEmpty()).isTrue();
    }
}
