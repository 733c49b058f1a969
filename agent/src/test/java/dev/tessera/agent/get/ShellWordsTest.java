package dev.tessera.agent.get;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** TESSERA_GET_OPTS is split as a shell would split it. */
class ShellWordsTest {
    @Test
    void blanksSeparateAndQuotesGroup() {
        assertThat(ShellWords.split("  -i https://t.example/vo/ligo\t--scopes 'read:/a write:/b'  ")).containsExactly(
                "-i", "https://t.example/vo/ligo", "--scopes", "read:/a write:/b");
        assertThat(ShellWords.split("--scopes=\"read:/a \\\"x\\\" \\$HOME\" a\\ b ''")).containsExactly(
                "--scopes=read:/a \"x\" $HOME", "a b", "");
        assertThat(ShellWords.split("'it'\"'\"'s'")).containsExactly("it's");
        assertThat(ShellWords.split("\"a\\nb\"")).containsExactly("a\\nb"); // only \" \\ \$ \` lose their backslash
        assertThat(ShellWords.split("")).isEmpty();
    }

    @Test
    void unterminatedQuotesAreErrors() {
        assertThatThrownBy(() -> ShellWords.split("--scopes 'read:/a")).hasMessageContaining("unterminated '");
        assertThatThrownBy(() -> ShellWords.split("--scopes \"read:/a")).hasMessageContaining("unterminated \"");
        assertThatThrownBy(() -> ShellWords.split("a\\")).hasMessageContaining("backslash");
    }
}
