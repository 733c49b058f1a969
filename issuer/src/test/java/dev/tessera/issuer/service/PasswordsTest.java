package dev.tessera.issuer.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** People's passwords: Argon2id in the PHC string format. */
class PasswordsTest {

    private static final String PASSWORD = "correct horse battery staple";
    private static String stored;

    @BeforeAll
    static void hashOnce() {
        stored = Passwords.hash(PASSWORD.toCharArray());
    }

    @Test
    void hashIsArgon2idPhcWithOwaspParameters() {
        assertThat(stored).matches("\\$argon2id\\$v=19\\$m=19456,t=2,p=1\\$[A-Za-z0-9+/]+\\$[A-Za-z0-9+/]+");
        String[] parts = stored.split("\\$");
        assertThat(Base64.getDecoder().decode(parts[4])).hasSize(16);
        assertThat(Base64.getDecoder().decode(parts[5])).hasSize(32);
        assertThat(stored).doesNotContain("=" + "=").doesNotContain(PASSWORD);
    }

    @Test
    void rightPasswordMatches() {
        assertThat(Passwords.matches(PASSWORD.toCharArray(), stored)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "correct horse battery stapl", "correct horse battery staple ", "Correct horse battery staple",
        "correct horse battery staple\u0000"})
    void wrongPasswordDoesNotMatch(String attempt) {
        assertThat(Passwords.matches(attempt.toCharArray(), stored)).isFalse();
    }

    @Test
    void samePasswordHashesDifferentlyEachTime() {
        String again = Passwords.hash(PASSWORD.toCharArray());
        assertThat(again).isNotEqualTo(stored);
        assertThat(Passwords.matches(PASSWORD.toCharArray(), again)).isTrue();
    }

    @Test
    void unicodePasswordsAreHashedAsUtf8() {
        String password = "p\u00e4ssw\u00f6rd-\u6f22\u5b57-\ud83d\udd11";
        String hash = Passwords.hash(password.toCharArray());
        assertThat(Passwords.matches(password.toCharArray(), hash)).isTrue();
        // a different normalization or a lost supplementary character is a different password
        assertThat(Passwords.matches("pa\u0308ssw\u00f6rd-\u6f22\u5b57-\ud83d\udd11".toCharArray(), hash)).isFalse();
        assertThat(Passwords.matches("p\u00e4ssw\u00f6rd-\u6f22\u5b57-".toCharArray(), hash)).isFalse();
        assertThat(Passwords.matches("passwort-??-?".toCharArray(), hash)).isFalse();
    }

    @Test
    void emptyPasswordCanBeHashedAndMatchesOnlyItself() {
        String hash = Passwords.hash(new char[0]);
        assertThat(Passwords.matches(new char[0], hash)).isTrue();
        assertThat(Passwords.matches(" ".toCharArray(), hash)).isFalse();
    }

    @Test
    void missingHashDoesNotMatch() {
        assertThat(Passwords.matches(PASSWORD.toCharArray(), null)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "garbage", "sha256:abc", "$argon2i$v=19$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "$argon2id$v=16$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "$argon2id$v=19$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "$argon2id$v=19$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA",
        "$argon2id$v=19$m=19456,t=2$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "$argon2id$v=19$m=99999999,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"})
    void malformedStoredHashDoesNotMatch(String bad) {
        assertThat(Passwords.matches(PASSWORD.toCharArray(), bad)).as(bad).isFalse();
    }

    @Test
    void tamperedHashDoesNotMatch() {
        String[] parts = stored.split("\\$");
        byte[] hash = Base64.getDecoder().decode(parts[5]);
        hash[0] ^= 1;
        String tampered = "$" + parts[1] + "$" + parts[2] + "$" + parts[3] + "$" + parts[4] + "$"
                + Base64.getEncoder().withoutPadding().encodeToString(hash);
        assertThat(Passwords.matches(PASSWORD.toCharArray(), tampered)).isFalse();
        assertThat(Passwords.matches(PASSWORD.toCharArray(), stored + "x")).isFalse();
    }

    @Test
    void parametersTravelWithTheHash() {
        // a hash made elsewhere with other (valid) parameters is verified with those, not the current defaults
        byte[] salt = "saltsaltsaltsalt".getBytes(StandardCharsets.US_ASCII);
        Argon2BytesGenerator generator = new Argon2BytesGenerator();
        generator.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id).withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withSalt(salt).withMemoryAsKB(64).withIterations(3).withParallelism(2).build());
        byte[] out = new byte[24];
        generator.generateBytes("hunter2".getBytes(StandardCharsets.UTF_8), out);
        Base64.Encoder b64 = Base64.getEncoder().withoutPadding();
        String phc = "$argon2id$v=19$m=64,t=3,p=2$" + b64.encodeToString(salt) + "$" + b64.encodeToString(out);

        assertThat(Passwords.matches("hunter2".toCharArray(), phc)).isTrue();
        assertThat(Passwords.matches("hunter3".toCharArray(), phc)).isFalse();
        assertThat(Passwords.matches("hunter2".toCharArray(), phc.replace("t=3", "t=2"))).isFalse();
    }

    @Test
    void undecodableBase64InStoredHashDoesNotMatch() {
        assertThat(Passwords.matches(PASSWORD.toCharArray(), "$argon2id$v=19$m=19456,t=2,p=1$A$A")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "$argon2id$v=19$m=19456,t=0,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "$argon2id$v=19$m=19456,t=2,p=0$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "$argon2id$v=19$m=0,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "$argon2id$v=19$m=19456,t=2,p=1$AAAAAAAAAAAAAAAAAAAAAA$AA"})
    void storedHashWithImpossibleParametersDoesNotMatch(String bad) {
        assertThat(Passwords.matches(PASSWORD.toCharArray(), bad)).as(bad).isFalse();
    }
}
