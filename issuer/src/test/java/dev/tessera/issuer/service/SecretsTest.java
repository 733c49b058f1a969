package dev.tessera.issuer.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.token.jws.Base64Url;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Random secrets and their stored SHA-256 form. */
class SecretsTest {

    @ParameterizedTest
    @CsvSource({"1, 2", "2, 3", "3, 4", "16, 22", "32, 43", "48, 64"})
    void randomIsUnpaddedBase64urlOfTheGivenBytes(int bytes, int chars) {
        String r = Secrets.random(bytes);
        assertThat(r).hasSize(chars).matches("[A-Za-z0-9_-]+");
        assertThat(Base64Url.decode(r, 0, r.length())).hasSize(bytes);
    }

    @Test
    void randomOfZeroBytesIsEmpty() {
        assertThat(Secrets.random(0)).isEmpty();
    }

    @Test
    void newSecretIs256BitsIn43Characters() {
        String secret = Secrets.newSecret();
        assertThat(secret).hasSize(43).matches("[A-Za-z0-9_-]{43}");
    }

    @Test
    void randomValuesDoNotRepeat() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            assertThat(seen.add(Secrets.newSecret())).isTrue();
        }
    }

    @Test
    void hashIsPrefixedSha256Base64url() {
        // SHA-256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
        assertThat(Secrets.hash("abc")).isEqualTo("sha256:ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0");
        assertThat(Secrets.hash("")).isEqualTo("sha256:47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU");
    }

    @Test
    void hashIsDeterministicAndDoesNotRevealTheSecret() {
        String secret = Secrets.newSecret();
        assertThat(Secrets.hash(secret)).isEqualTo(Secrets.hash(secret)).doesNotContain(secret);
    }

    @Test
    void hashOfUnicodeSecretUsesUtf8() {
        assertThat(Secrets.hash("\u00e9")).isNotEqualTo(Secrets.hash("e\u0301"));
        assertThat(Secrets.matches("\u00e9", Secrets.hash("\u00e9"))).isTrue();
    }

    @Test
    void matchesTheRightSecretOnly() {
        String secret = Secrets.newSecret();
        String stored = Secrets.hash(secret);
        assertThat(Secrets.matches(secret, stored)).isTrue();
        assertThat(Secrets.matches(secret + "x", stored)).isFalse();
        assertThat(Secrets.matches(secret.substring(1), stored)).isFalse();
        assertThat(Secrets.matches(Secrets.newSecret(), stored)).isFalse();
        assertThat(Secrets.matches("", stored)).isFalse();
    }

    @Test
    void matchesComparesAgainstTheHashNotThePlainSecret() {
        String secret = Secrets.newSecret();
        assertThat(Secrets.matches(secret, secret)).isFalse();
        assertThat(Secrets.matches(Secrets.hash(secret), Secrets.hash(secret))).isFalse();
    }

    @Test
    void nullsNeverMatch() {
        assertThat(Secrets.matches(null, Secrets.hash("x"))).isFalse();
        assertThat(Secrets.matches("x", null)).isFalse();
        assertThat(Secrets.matches(null, null)).isFalse();
    }

    @Test
    void malformedStoredHashDoesNotMatch() {
        assertThat(Secrets.matches("x", "")).isFalse();
        assertThat(Secrets.matches("x", "sha256:")).isFalse();
        assertThat(Secrets.matches("x", Secrets.hash("x").toUpperCase())).isFalse();
        assertThat(Secrets.matches("x", Secrets.hash("x").substring("sha256:".length()))).isFalse();
    }
}
