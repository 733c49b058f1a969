package dev.tessera.token.scope;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Path algebra of scopes and requests: normalization (python {@code test_urltools.py}), traversal
 * rejection (scitokens-cpp {@code normalize_scope_path_strict}, python {@code _scope_path_matches}),
 * segment-boundary containment (CVE-2026-32716) and WLCG directory semantics.
 */
class ResourcePathTest {

    private static ResourcePath scope(String raw) throws InvalidScopeException {
        return ResourcePath.parseScopePath(raw);
    }

    private static ResourcePath request(String raw) throws InvalidScopeException {
        return ResourcePath.parseRequestPath(raw);
    }

    // ---- normalization (python urltools.normalize_path vectors) ----

    @Test
    void repeatedSlashesCollapse() throws Exception {
        assertThat(scope("//foo/bar//baz").value()).isEqualTo("/foo/bar/baz");
        assertThat(request("//foo/bar//baz").value()).isEqualTo("/foo/bar/baz");
        assertThat(scope("//foo/bar//baz").directory()).isFalse();
    }

    @Test
    void onlySlashesIsTheRoot() throws Exception {
        assertThat(scope("//////")).isEqualTo(ResourcePath.ROOT);
        assertThat(scope("//////").isRoot()).isTrue();
        assertThat(scope("//////").toString()).isEqualTo("/");
        assertThat(request("//////")).isEqualTo(ResourcePath.ROOT);
        assertThat(scope("/")).isEqualTo(ResourcePath.ROOT);
    }

    @Test
    void percentEncodingIsDecodedOnce() throws Exception {
        assertThat(scope("//f%20oo/bar").value()).isEqualTo("/f oo/bar");
        assertThat(request("//f%20oo/bar").value()).isEqualTo("/f oo/bar");
        assertThat(scope("/caf%C3%A9").value()).isEqualTo("/café");
    }

    @Test
    void singleDotSegmentsAreDropped() throws Exception {
        assertThat(scope("/foo/./bar/.").value()).isEqualTo("/foo/bar");
        assertThat(scope("/foo/%2e/bar").value()).isEqualTo("/foo/bar");
        assertThat(request("/./foo/./bar").value()).isEqualTo("/foo/bar");
    }

    @Test
    void trailingSlashIsKeptAsDirectory() throws Exception {
        ResourcePath dir = scope("/foo/bar/");
        assertThat(dir.value()).isEqualTo("/foo/bar");
        assertThat(dir.directory()).isTrue();
        assertThat(dir.toString()).isEqualTo("/foo/bar/");
        ResourcePath file = scope("/foo/bar");
        assertThat(file.directory()).isFalse();
        assertThat(file.toString()).isEqualTo("/foo/bar");
        assertThat(dir).isNotEqualTo(file);

        assertThat(request("/foo/bar/").directory()).isTrue();
        assertThat(request("/foo/bar//").directory()).isTrue();
        assertThat(request("/foo/bar").directory()).isFalse();
        // the root is always a directory
        assertThat(ResourcePath.ROOT.directory()).isTrue();
    }

    // ---- scope paths: strict ----

    @ParameterizedTest
    @ValueSource(strings = {
        "/..", "/foo/..", "/foo/../bar", "/../foo", "/foo/bar/..",
        "/foo/%2e%2e/bar", "/foo/%2E%2E/bar", "/foo/%2E%2e/bar", "/foo/%2e%2E/bar",
        "/foo/.%2e/bar", "/foo/%2e./bar", "/foo/.%2E", "/%2e%2e",
        "/foo/%252e%252e/bar", "/foo/%252E%252E/bar", "/foo/.%252e/bar",
        "/foo/%25252e%25252e/bar", "/foo/%2525252e%2525252e/bar",
        "/foo/..\\bar", "/foo\\..\\bar", "/foo\\..", "/foo/%5c..%5cbar", "/foo/..%5Cbar", "/foo/%2e%2e%5cbar",
        "/foo/..%2fbar", "/foo%2f..%2fbar", "/foo%2F%2e%2e"
    })
    void traversalInAnyEncodingIsRejectedInScopePaths(String raw) {
        assertThatThrownBy(() -> scope(raw))
                .as(raw)
                .isInstanceOf(InvalidScopeException.class)
                .hasMessageContaining("traversal");
    }

    @Test
    void dotsThatAreNotTraversalAreFine() throws Exception {
        assertThat(scope("/foo/...").value()).isEqualTo("/foo/...");
        assertThat(scope("/foo/..bar").value()).isEqualTo("/foo/..bar");
        assertThat(scope("/foo/bar..").value()).isEqualTo("/foo/bar..");
        assertThat(scope("/.hidden/x").value()).isEqualTo("/.hidden/x");
    }

    @ParameterizedTest
    @ValueSource(strings = {"foo", "foo/bar", "./foo", "~/foo", "%2ffoo", " /foo"})
    void relativeScopePathIsRejected(String raw) {
        assertThatThrownBy(() -> scope(raw)).as(raw).isInstanceOf(InvalidScopeException.class)
                .hasMessageContaining("absolute");
    }

    @Test
    void emptyScopePathIsRejected() {
        assertThatThrownBy(() -> scope("")).isInstanceOf(InvalidScopeException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/foo%", "/foo%2", "/foo%zz", "/foo%g0/bar", "/%", "/foo%C3", "/foo%FF%FE", "/%C3%28"})
    void invalidPercentEncodingIsRejected(String raw) {
        assertThatThrownBy(() -> scope(raw)).as("scope " + raw).isInstanceOf(InvalidScopeException.class);
        assertThatThrownBy(() -> request(raw)).as("request " + raw).isInstanceOf(InvalidScopeException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/foo%00", "/foo%00bar", "/foo%0a", "/foo%0D%0Abar", "/foo%7f", "/foo%1b[31m",
        "/foo\u0000", "/foo\nbar", "/foo\tbar", "/foo\u007f"})
    void nulAndControlCharactersAreRejected(String raw) {
        assertThatThrownBy(() -> scope(raw)).as("scope " + raw).isInstanceOf(InvalidScopeException.class)
                .hasMessageContaining("control");
        assertThatThrownBy(() -> request(raw)).as("request " + raw).isInstanceOf(InvalidScopeException.class)
                .hasMessageContaining("control");
    }

    // ---- request paths: resolved, never above the root ----

    @Test
    void requestDotDotIsResolved() throws Exception {
        assertThat(request("/foo/../bar").value()).isEqualTo("/bar");
        assertThat(request("/a/b/c/../../d").value()).isEqualTo("/a/d");
        assertThat(request("/foo/%2e%2e/bar").value()).isEqualTo("/bar");
        assertThat(request("/foo/..").isRoot()).isTrue();
        // ".." at the end names the parent directory
        assertThat(request("/a/b/..").value()).isEqualTo("/a");
        assertThat(request("/a/b/..").directory()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/..", "/../", "/../etc/passwd", "/foo/../../bar", "/%2e%2e/x", "/./../x", "/a/../b/../../c"})
    void requestClimbingAboveTheRootIsRejected(String raw) {
        assertThatThrownBy(() -> request(raw)).as(raw).isInstanceOf(InvalidScopeException.class)
                .hasMessageContaining("above the root");
    }

    @Test
    void requestDoubleEncodedDotDotIsALiteralSegment() throws Exception {
        ResourcePath p = request("/foo/%252e%252e/bar");
        assertThat(p.value()).isEqualTo("/foo/%2e%2e/bar");
        assertThat(request("/%252e%252e").value()).isEqualTo("/%2e%2e");
        // and it round-trips with its '%' re-encoded
        assertThat(p.toString()).isEqualTo("/foo/%252e%252e/bar");
        assertThat(request(p.toString())).isEqualTo(p);
    }

    @Test
    void requestPathMustBeAbsolute() {
        assertThatThrownBy(() -> request("foo")).isInstanceOf(InvalidScopeException.class);
        assertThatThrownBy(() -> request("~/foo")).isInstanceOf(InvalidScopeException.class);
        assertThatThrownBy(() -> request("")).isInstanceOf(InvalidScopeException.class);
        assertThatThrownBy(() -> request(null)).isInstanceOf(InvalidScopeException.class);
    }

    // ---- containment ----

    @Test
    void containsOnSegmentBoundariesOnly() throws Exception {
        ResourcePath john = scope("/john");
        assertThat(john.contains(request("/john"))).isTrue();
        assertThat(john.contains(request("/john/"))).isTrue();
        assertThat(john.contains(request("/john/file"))).isTrue();
        assertThat(john.contains(request("/john/a/b/c"))).isTrue();
        assertThat(john.contains(request("/johnathan"))).isFalse();
        assertThat(john.contains(request("/johnny/file"))).isFalse();
        assertThat(john.contains(request("/jo"))).isFalse();
        assertThat(john.contains(request("/"))).isFalse();
        assertThat(scope("/john/file").contains(request("/john"))).isFalse();
    }

    @Test
    void rootContainsEverything() throws Exception {
        assertThat(ResourcePath.ROOT.contains(request("/users/alice/project/file.txt"))).isTrue();
        assertThat(ResourcePath.ROOT.contains(ResourcePath.ROOT)).isTrue();
        assertThat(ResourcePath.ROOT.contains(request("/x"))).isTrue();
    }

    @Test
    void directoryOnlyPathDoesNotContainTheSamePathAsAFile() throws Exception {
        ResourcePath dir = scope("/foo/bar/");
        assertThat(dir.contains(request("/foo/bar"))).isFalse();
        assertThat(dir.contains(request("/foo/bar/"))).isTrue();
        assertThat(dir.contains(request("/foo/bar/qux"))).isTrue();
        assertThat(dir.contains(request("/foo/bargain"))).isFalse();
        // a file-or-directory scope path covers both forms
        ResourcePath any = scope("/foo/bar");
        assertThat(any.contains(request("/foo/bar"))).isTrue();
        assertThat(any.contains(request("/foo/bar/"))).isTrue();
    }

    @Test
    void ancestorIsStrict() throws Exception {
        assertThat(request("/foo").isAncestorOf(scope("/foo/bar"))).isTrue();
        assertThat(request("/foo").isAncestorOf(scope("/foo"))).isFalse();
        assertThat(request("/fo").isAncestorOf(scope("/foo/bar"))).isFalse();
        assertThat(ResourcePath.ROOT.isAncestorOf(scope("/x"))).isTrue();
        assertThat(ResourcePath.ROOT.isAncestorOf(ResourcePath.ROOT)).isFalse();
    }

    // ---- base paths ----

    @Test
    void relativeToABasePath() throws Exception {
        ResourcePath base = request("/vo");
        assertThat(request("/vo/sample_file1").relativeTo(base)).isEqualTo(request("/sample_file1"));
        assertThat(request("/vo/a/b/").relativeTo(base)).isEqualTo(request("/a/b/"));
        assertThat(request("/vo").relativeTo(base)).isEqualTo(ResourcePath.ROOT);
        assertThat(request("/vo/").relativeTo(base)).isEqualTo(ResourcePath.ROOT);
        assertThat(request("/vox").relativeTo(base)).isNull();
        assertThat(request("/vox/file").relativeTo(base)).isNull();
        assertThat(request("/sample_file").relativeTo(base)).isNull();
        assertThat(request("/").relativeTo(base)).isNull();
        assertThat(request("/anything").relativeTo(ResourcePath.ROOT)).isEqualTo(request("/anything"));
    }

    @Test
    void resolveIsTheInverseOfRelativeTo() throws Exception {
        ResourcePath base = request("/vo");
        for (String raw : new String[] {"/vo/x", "/vo/x/y/", "/vo/f%20g", "/vo"}) {
            ResourcePath p = request(raw);
            assertThat(base.resolve(p.relativeTo(base))).as(raw).isEqualTo(p);
        }
        assertThat(base.resolve(scope("/stageout/")).toString()).isEqualTo("/vo/stageout/");
        assertThat(base.resolve(ResourcePath.ROOT)).isEqualTo(base);
        assertThat(ResourcePath.ROOT.resolve(scope("/a"))).isEqualTo(scope("/a"));
    }

    // ---- toString / parse symmetry ----

    @Test
    void toStringReEncodesWhatNeedsEncoding() throws Exception {
        assertThat(scope("/f%20oo/bar").toString()).isEqualTo("/f%20oo/bar");
        assertThat(scope("/100%25/x").value()).isEqualTo("/100%/x");
        assertThat(scope("/100%25/x").toString()).isEqualTo("/100%25/x");
        assertThat(scope("/caf%c3%a9").toString()).isEqualTo("/caf%C3%A9");
        assertThat(scope("/a%22b%5Cc").toString()).isEqualTo("/a%22b%5Cc");
        // characters RFC 3986 allows in a path stay as they are
        assertThat(scope("/a-b_c.d~e!$&'()*+,;=:@x").toString()).isEqualTo("/a-b_c.d~e!$&'()*+,;=:@x");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/f%20oo/bar", "/100%25", "/caf%C3%A9/%E2%82%AC", "/emoji/%F0%9F%98%80", "/dir/",
        "/a%3Fb%23c", "/a%25%32%65", "/", "/x/y/z"})
    void parseOfToStringGivesAnEqualPath(String raw) throws Exception {
        ResourcePath once = scope(raw);
        assertThat(scope(once.toString())).as(raw).isEqualTo(once);
        assertThat(scope(once.toString()).toString()).as(raw).isEqualTo(once.toString());
        ResourcePath req = request(raw);
        assertThat(request(req.toString())).as(raw).isEqualTo(req);
    }

    @Test
    void rawNonAsciiIsEncodedOnOutput() throws Exception {
        ResourcePath p = request("/données/€");
        assertThat(p.value()).isEqualTo("/données/€");
        assertThat(p.toString()).isEqualTo("/donn%C3%A9es/%E2%82%AC");
        assertThat(p.toString()).matches("[\\x21-\\x7e]+");
    }
}
