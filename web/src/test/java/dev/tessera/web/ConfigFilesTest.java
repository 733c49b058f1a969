package dev.tessera.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigFilesTest {
    /** A config shaped like the servers'. */
    record Sample(Path root, Integer port, List<String> audiences, List<TrustedIssuer> issuers, Boolean passToken) {
    }

    @TempDir
    Path dir;

    private Path yaml(String text) throws Exception {
        return Files.writeString(dir.resolve("config.yaml"), text);
    }

    @Test
    void readsSnakeCaseKeysAndNestedIssuers() throws Exception {
        Sample s = ConfigFiles.load(yaml("""
                root: /srv/data
                port: 8444
                pass_token: true
                audiences: [https://a.example.org]
                issuers:
                  - url: https://tokens.example.org/ligo
                    base_path: /ligo
                    restricted_paths: [/ligo/frames]
                """), Sample.class, Map.of());
        assertThat(s.root()).isEqualTo(Path.of("/srv/data"));
        assertThat(s.port()).isEqualTo(8444);
        assertThat(s.passToken()).isTrue();
        assertThat(s.issuers()).singleElement().satisfies(i -> {
            assertThat(i.basePath()).isEqualTo("/ligo");
            assertThat(i.restrictedPaths()).containsExactly("/ligo/frames");
            assertThat(i.audiences()).isEmpty();
        });
    }

    @Test
    void environmentOverridesTopLevelKeysAndSplitsLists() throws Exception {
        Sample s = ConfigFiles.load(yaml("port: 1\naudiences: [x]\n"), Sample.class,
                Map.of("TESSERA_PORT", "9443", "TESSERA_AUDIENCES", "https://a, https://b", "TESSERA_PASS_TOKEN", "true"));
        assertThat(s.port()).isEqualTo(9443);
        assertThat(s.audiences()).containsExactly("https://a", "https://b");
        assertThat(s.passToken()).isTrue();
    }

    @Test
    void noFileMeansDefaultsAndEnvironment() {
        Sample s = ConfigFiles.load(null, Sample.class, Map.of("TESSERA_ROOT", "/data"));
        assertThat(s.root()).isEqualTo(Path.of("/data"));
        assertThat(s.port()).isNull();
    }

    /** Shaped like the servers' too, with the kinds of components they have and a primitive. */
    record Everything(Path data, String host, Integer port, java.time.Duration lifetime, List<String> audiences,
                      List<TrustedIssuer> issuers, Boolean flag, int workers, boolean verbose) {
    }

    @Test
    void withNothingToReadTheDefaultsAreWhatJacksonMakesOfAnEmptyFile() throws Exception {
        // the embedded defaults skip Jackson; they must not differ from reading an empty file through it
        Path empty = yaml("");
        assertThat(ConfigFiles.load(null, Everything.class, Map.of()))
                .isEqualTo(ConfigFiles.load(empty, Everything.class, Map.of()))
                .isEqualTo(new Everything(null, null, null, null, null, null, null, 0, false));
        assertThat(ConfigFiles.load(null, Sample.class, Map.of("UNRELATED", "x")))
                .isEqualTo(ConfigFiles.load(empty, Sample.class, Map.of()));
        assertThat(ConfigFiles.load(null, TrustedIssuer.class, Map.of()))
                .isEqualTo(ConfigFiles.load(empty, TrustedIssuer.class, Map.of()));
    }

    /** A config whose defaults are not enough: it needs a key. */
    record NeedsRoot(Path root) {
        NeedsRoot {
            if (root == null) {
                throw new IllegalArgumentException("no root (--root or root:)");
            }
        }
    }

    @Test
    void aConfigThatNeedsAKeyFailsAlikeWithAndWithoutJackson() throws Exception {
        Path empty = yaml("");
        assertThatThrownBy(() -> ConfigFiles.load(null, NeedsRoot.class, Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no root (--root or root:)");
        assertThatThrownBy(() -> ConfigFiles.load(empty, NeedsRoot.class, Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no root (--root or root:)");
    }

    @Test
    void errorsNameTheFileAndTheProblem() throws Exception {
        Path unknown = yaml("rot: /srv\n");
        assertThatThrownBy(() -> ConfigFiles.load(unknown, Sample.class, Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(unknown.toString())
                .hasMessageContaining("rot");
        Path badType = yaml("port: many\n");
        assertThatThrownBy(() -> ConfigFiles.load(badType, Sample.class, Map.of()))
                .hasMessageContaining("key 'port'").hasMessageNotContaining("line -1");
        Path notAMapping = yaml("- a\n- b\n");
        assertThatThrownBy(() -> ConfigFiles.load(notAMapping, Sample.class, Map.of()))
                .hasMessageContaining("mapping");
        assertThatThrownBy(() -> ConfigFiles.load(dir.resolve("missing.yaml"), Sample.class, Map.of()))
                .hasMessageContaining("not found");
        Path broken = yaml("port: [1\n");
        assertThatThrownBy(() -> ConfigFiles.load(broken, Sample.class, Map.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void mapfilesAreCheckedWhenRead() throws Exception {
        Path ok = Files.writeString(dir.resolve("map.json"),
                "[{\"sub\":\"abc\",\"result\":\"alice\"},{\"group\":\"/cms\",\"result\":\"cms\"}]");
        assertThat(Mapfile.read(ok)).isNotNull();
        Path noResult = Files.writeString(dir.resolve("bad.json"), "[{\"sub\":\"abc\"}]");
        assertThatThrownBy(() -> Mapfile.read(noResult)).hasMessageContaining("result");
        Path notJson = Files.writeString(dir.resolve("worse.json"), "{");
        assertThatThrownBy(() -> Mapfile.read(notJson)).hasMessageContaining(notJson.toString());
    }

    @Test
    void trustNeedsIssuersAndAudiences() {
        assertThatThrownBy(() -> new TokenTrust(List.of(), List.of("a"), List.of()))
                .hasMessageContaining("no trusted issuer");
        assertThatThrownBy(() -> new TokenTrust(List.of(TrustedIssuer.parse("https://x.example.org")), List.of(), List.of()))
                .hasMessageContaining("no audience");
        assertThatThrownBy(() -> new TokenTrust(List.of(new TrustedIssuer("https://x.example.org", "/", List.of("a"),
                List.of("/../up"), null)), List.of(), List.of())).hasMessageContaining("restricted path");
        assertThat(TrustedIssuer.parse("https://x.example.org/vo=/data/vo").basePath()).isEqualTo("/data/vo");
    }
}
