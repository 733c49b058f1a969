package dev.tessera.token.bearer;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * WLCG Bearer Token Discovery (python scitokens {@code test_discover} plus the extra vectors of
 * shared/reference/spec-rules.md §4), over a private environment map and temporary directories in
 * place of {@code /tmp} and {@code $XDG_RUNTIME_DIR}.
 */
class BearerTokenDiscoveryTest {
    static final long EUID = Uid.effective(); // files the test creates are owned by it

    @TempDir
    Path tmp;
    @TempDir
    Path xdg;
    @TempDir
    Path other;

    final Map<String, String> env = new HashMap<>();
    Path tmpFile;
    Path xdgFile;

    @BeforeEach
    void paths() {
        tmpFile = tmp.resolve("bt_u" + EUID);
        xdgFile = xdg.resolve("bt_u" + EUID);
    }

    BearerTokenDiscovery.Result discover() {
        return new BearerTokenDiscovery(env, EUID, tmp).discover();
    }

    static Path write(Path file, String content) throws Exception {
        Files.writeString(file, content, StandardCharsets.UTF_8);
        return file;
    }

    static void assertFound(BearerTokenDiscovery.Result result, String token, String source) {
        assertThat(result.found()).as("found; error was %s", result.error()).isTrue();
        assertThat(result.token()).isEqualTo(token);
        assertThat(result.source()).isEqualTo(source);
        assertThat(result.error()).isNull();
    }

    static void assertError(BearerTokenDiscovery.Result result, String... messageParts) {
        assertThat(result.found()).isFalse();
        assertThat(result.token()).isNull();
        assertThat(result.source()).isNull();
        assertThat(result.error()).isNotNull().contains(messageParts);
    }

    // ---- precedence (python test_discover) ------------------------------------------------------------

    @Test
    void nothingPresentIsNotFound() {
        BearerTokenDiscovery.Result result = discover();

        assertError(result, "no bearer token found");
    }

    @Test
    void tmpFileIsFound() throws Exception {
        write(tmpFile, "tmp-token");

        assertFound(discover(), "tmp-token", tmpFile.toString());
    }

    @Test
    void xdgFileWinsOverTmp() throws Exception {
        write(tmpFile, "tmp-token");
        write(xdgFile, "xdg-token");
        env.put("XDG_RUNTIME_DIR", xdg.toString());

        assertFound(discover(), "xdg-token", xdgFile.toString());
    }

    @Test
    void bearerTokenFileWinsOverXdgAndTmp() throws Exception {
        write(tmpFile, "tmp-token");
        write(xdgFile, "xdg-token");
        Path file = write(other.resolve("bt_u1221-fife-CMS"), "file-token");
        env.put("XDG_RUNTIME_DIR", xdg.toString());
        env.put("BEARER_TOKEN_FILE", file.toString());

        assertFound(discover(), "file-token", "BEARER_TOKEN_FILE=" + file);
    }

    @Test
    void bearerTokenWinsOverAll() throws Exception {
        write(tmpFile, "tmp-token");
        write(xdgFile, "xdg-token");
        env.put("XDG_RUNTIME_DIR", xdg.toString());
        env.put("BEARER_TOKEN_FILE", write(other.resolve("t"), "file-token").toString());
        env.put("BEARER_TOKEN", "env-token");

        BearerTokenDiscovery.Result result = discover();

        assertFound(result, "env-token", "BEARER_TOKEN");
        assertThat(result.steps()).containsExactly(new BearerTokenDiscovery.Step("BEARER_TOKEN", "token found"));
    }

    // ---- whitespace and validity -----------------------------------------------------------------------

    @Test
    void cWhitespaceIsStrippedFromTheVariable() {
        env.put("BEARER_TOKEN", " \t\ntoken\r\n");

        assertFound(discover(), "token", "BEARER_TOKEN");
    }

    @Test
    void cWhitespaceIsStrippedFromFiles() throws Exception {
        write(tmpFile, "\u000b\f token \t\r\n\u000b\f");

        assertFound(discover(), "token", tmpFile.toString());
    }

    @Test
    void whitespaceOnlyVariableContinuesWithTheNextStep() throws Exception {
        env.put("BEARER_TOKEN", "  ");
        write(tmpFile, "tmp-token");

        BearerTokenDiscovery.Result result = discover();

        assertFound(result, "tmp-token", tmpFile.toString());
        assertThat(result.steps().get(0)).isEqualTo(new BearerTokenDiscovery.Step("BEARER_TOKEN", "empty"));
    }

    @Test
    void emptyVariableContinuesWithTheNextStep() throws Exception {
        env.put("BEARER_TOKEN", "");
        env.put("BEARER_TOKEN_FILE", write(other.resolve("t"), "file-token").toString());

        assertThat(discover().token()).isEqualTo("file-token");
    }

    @Test
    void invalidTokenStopsWithAnErrorEvenWhenLaterStepsHaveOne() throws Exception {
        env.put("BEARER_TOKEN", "a b");
        write(tmpFile, "tmp-token");

        BearerTokenDiscovery.Result result = discover();

        assertError(result, "BEARER_TOKEN", "valid bearer token");
        assertThat(result.steps()).hasSize(1);
        assertThat(result.steps().get(0).outcome()).contains("not a valid");
    }

    @Test
    void nonCWhitespaceIsNotStrippedAndMakesTheTokenInvalid() {
        env.put("BEARER_TOKEN", "\u00a0tok");

        assertError(discover(), "BEARER_TOKEN");

        env.put("BEARER_TOKEN", "tok\u2003");
        assertError(discover(), "BEARER_TOKEN");
        env.put("BEARER_TOKEN", "\u0085tok"); // NEL: whitespace to some, not to C isspace
        assertError(discover(), "BEARER_TOKEN");
    }

    @Test
    void invalidTokenInAFileStopsTheSearch() throws Exception {
        Path file = write(other.resolve("t"), "line1\nline2\n");
        env.put("BEARER_TOKEN_FILE", file.toString());
        write(tmpFile, "tmp-token");

        assertError(discover(), file.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln", "abc-._~+/", "abc==", "A", "0/+=="})
    void rfc6750TokensAreAccepted(String token) {
        env.put("BEARER_TOKEN", token);

        assertFound(discover(), token, "BEARER_TOKEN");
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc=def", "=abc", "a,b", "tok\"en", "tök", "a\tb", "a;b", "Bearer abc"})
    void nonRfc6750TokensAreRefused(String token) {
        env.put("BEARER_TOKEN", token);

        assertError(discover(), "BEARER_TOKEN");
    }

    // ---- files where the specification is silent ------------------------------------------------------

    @Test
    void missingBearerTokenFileContinuesWithTheNextStep() throws Exception {
        Path missing = other.resolve("no-such-file");
        env.put("BEARER_TOKEN_FILE", missing.toString());
        env.put("XDG_RUNTIME_DIR", xdg.toString());
        write(xdgFile, "xdg-token");

        BearerTokenDiscovery.Result result = discover();

        assertFound(result, "xdg-token", xdgFile.toString());
        assertThat(result.steps()).contains(new BearerTokenDiscovery.Step("BEARER_TOKEN_FILE=" + missing, "no such file"));
    }

    @Test
    void emptyBearerTokenFileContinuesWithTheNextStep() throws Exception {
        env.put("BEARER_TOKEN_FILE", write(other.resolve("t"), " \n").toString());
        write(tmpFile, "tmp-token");

        assertThat(discover().token()).isEqualTo("tmp-token");
    }

    @Test
    void xdgSetButFileMissingIsNotFoundAndTmpIsNotConsulted() throws Exception {
        env.put("XDG_RUNTIME_DIR", xdg.toString());
        write(tmpFile, "tmp-token");

        BearerTokenDiscovery.Result result = discover();

        assertError(result, "no bearer token found", "XDG_RUNTIME_DIR");
        assertThat(result.steps()).extracting(BearerTokenDiscovery.Step::source)
                .doesNotContain(tmpFile.toString())
                .last().isEqualTo(xdgFile.toString());
    }

    @Test
    void emptyXdgFileContinuesToTmp() throws Exception {
        env.put("XDG_RUNTIME_DIR", xdg.toString());
        write(xdgFile, "\n");
        write(tmpFile, "tmp-token");

        BearerTokenDiscovery.Result result = discover();

        assertFound(result, "tmp-token", tmpFile.toString());
        assertThat(result.steps()).contains(new BearerTokenDiscovery.Step(xdgFile.toString(), "empty"));
    }

    @Test
    void emptyXdgRuntimeDirIsTreatedAsUnset() throws Exception {
        env.put("XDG_RUNTIME_DIR", "");
        write(tmpFile, "tmp-token");

        assertFound(discover(), "tmp-token", tmpFile.toString());
    }

    @Test
    void tmpFileOfAnotherUserIsRefused() throws Exception {
        long someoneElse = EUID + 4242;
        Path planted = write(tmp.resolve("bt_u" + someoneElse), "planted-token"); // owned by us, not by them

        BearerTokenDiscovery.Result result = new BearerTokenDiscovery(env, someoneElse, tmp).discover();

        assertError(result, "owned by another user");
        assertThat(result.steps()).last().satisfies(step -> {
            assertThat(step.source()).isEqualTo(planted.toString());
            assertThat(step.outcome()).contains("refused");
        });
    }

    @Test
    void unreadableTokenFileIsAnErrorNotAnException() throws Exception {
        env.put("BEARER_TOKEN_FILE", other.toString()); // a directory

        assertError(discover(), "cannot read");
    }

    @Test
    void stepsSayWhereItLookedInOrder() throws Exception {
        Path missing = other.resolve("missing");
        env.put("BEARER_TOKEN", " ");
        env.put("BEARER_TOKEN_FILE", missing.toString());
        write(tmpFile, "tmp-token");

        List<BearerTokenDiscovery.Step> steps = discover().steps();

        assertThat(steps).containsExactly(
                new BearerTokenDiscovery.Step("BEARER_TOKEN", "empty"),
                new BearerTokenDiscovery.Step("BEARER_TOKEN_FILE=" + missing, "no such file"),
                new BearerTokenDiscovery.Step(tmpFile.toString(), "token found"));
    }

    @Test
    void stepsWhenNothingIsSet() {
        assertThat(discover().steps()).containsExactly(
                new BearerTokenDiscovery.Step("BEARER_TOKEN", "not set"),
                new BearerTokenDiscovery.Step("BEARER_TOKEN_FILE", "not set"),
                new BearerTokenDiscovery.Step(tmpFile.toString(), "no such file"));
    }

    @Test
    void defaultTokenFile() {
        assertThat(new BearerTokenDiscovery(env, EUID, tmp).defaultTokenFile()).isEqualTo(tmpFile);
        assertThat(new BearerTokenDiscovery(Map.of("XDG_RUNTIME_DIR", xdg.toString()), EUID, tmp).defaultTokenFile())
                .isEqualTo(xdgFile);
        assertThat(new BearerTokenDiscovery(Map.of("XDG_RUNTIME_DIR", ""), 1221, tmp).defaultTokenFile())
                .isEqualTo(tmp.resolve("bt_u1221"));
        assertThat(new BearerTokenDiscovery(Map.of(), 1221).defaultTokenFile()).isEqualTo(Path.of("/tmp/bt_u1221"));
    }

    @Test
    void tokenWrittenToTheDefaultFileIsDiscovered() throws Exception {
        env.put("XDG_RUNTIME_DIR", xdg.toString());
        BearerTokenDiscovery discovery = new BearerTokenDiscovery(env, EUID, tmp);

        TokenFiles.write(discovery.defaultTokenFile(), "written-token");

        assertFound(discovery.discover(), "written-token", xdgFile.toString());
    }

    @Test
    void environmentIsCopied() {
        env.put("BEARER_TOKEN", "first");
        BearerTokenDiscovery discovery = new BearerTokenDiscovery(env, EUID, tmp);
        env.put("BEARER_TOKEN", "second");

        assertThat(discovery.discover().token()).isEqualTo("first");
    }

    @Test
    void stripRemovesOnlyTheSixCWhitespaceCharacters() {
        assertThat(BearerTokenDiscovery.strip(" \t\n\u000b\f\rx y\r\f\u000b\n\t ")).isEqualTo("x y");
        assertThat(BearerTokenDiscovery.strip("\u00a0x\u2028")).isEqualTo("\u00a0x\u2028");
        assertThat(BearerTokenDiscovery.strip("\u0000x")).isEqualTo("\u0000x");
        assertThat(BearerTokenDiscovery.strip(" \n ")).isEmpty();
    }
}
