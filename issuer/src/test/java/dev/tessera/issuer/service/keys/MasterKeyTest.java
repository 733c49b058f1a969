package dev.tessera.issuer.service.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The master key: sealing with AES-256-GCM bound to a context, and where the key comes from. */
class MasterKeyTest {

    private static final byte[] PLAIN = "-----BEGIN PRIVATE KEY-----\nsecret\n-----END PRIVATE KEY-----\n"
            .getBytes(StandardCharsets.US_ASCII);
    private static final String CONTEXT = "signing_key/ligo/kid-1";

    @TempDir
    Path dir;

    private static byte[] bytes(int n, int fill) {
        byte[] out = new byte[n];
        Arrays.fill(out, (byte) fill);
        return out;
    }

    private static MasterKey key(int fill) {
        return MasterKey.of(bytes(32, fill));
    }

    private static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    private static void assumePosix() {
        assumeTrue(FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "POSIX file system");
    }

    // ---- sealing ----

    @Test
    void sealThenOpenGivesThePlainBytes() throws Exception {
        MasterKey key = key(1);
        String sealed = key.seal(PLAIN, CONTEXT);
        assertThat(sealed).startsWith("aes256gcm:");
        assertThat(sealed).doesNotContain("secret");
        assertThat(key.open(sealed, CONTEXT)).isEqualTo(PLAIN);
    }

    @Test
    void emptyPlainTextRoundTrips() throws Exception {
        MasterKey key = key(1);
        assertThat(key.open(key.seal(new byte[0], CONTEXT), CONTEXT)).isEmpty();
    }

    @Test
    void sealingTwiceGivesDifferentTextsThatBothOpen() throws Exception {
        MasterKey key = key(1);
        String a = key.seal(PLAIN, CONTEXT);
        String b = key.seal(PLAIN, CONTEXT);
        assertThat(a).isNotEqualTo(b); // fresh nonce each time
        assertThat(key.open(a, CONTEXT)).isEqualTo(PLAIN);
        assertThat(key.open(b, CONTEXT)).isEqualTo(PLAIN);
    }

    @Test
    void anotherContextCannotOpen() {
        MasterKey key = key(1);
        String sealed = key.seal(PLAIN, CONTEXT);
        assertThatThrownBy(() -> key.open(sealed, "signing_key/cms/kid-1")).isInstanceOf(GeneralSecurityException.class);
        assertThatThrownBy(() -> key.open(sealed, "")).isInstanceOf(GeneralSecurityException.class);
    }

    @Test
    void anotherKeyCannotOpen() {
        String sealed = key(1).seal(PLAIN, CONTEXT);
        assertThatThrownBy(() -> key(2).open(sealed, CONTEXT)).isInstanceOf(GeneralSecurityException.class);
    }

    @Test
    void sameKeyBytesOpenAcrossInstances() throws Exception {
        String sealed = key(7).seal(PLAIN, CONTEXT);
        assertThat(key(7).open(sealed, CONTEXT)).isEqualTo(PLAIN);
    }

    @Test
    void everyTamperedByteIsDetected() {
        MasterKey key = key(1);
        String sealed = key.seal("short".getBytes(StandardCharsets.US_ASCII), CONTEXT);
        byte[] raw = Base64.getDecoder().decode(sealed.substring("aes256gcm:".length()));
        for (int i = 0; i < raw.length; i++) {
            byte[] tampered = raw.clone();
            tampered[i] ^= 0x01;
            String text = "aes256gcm:" + base64(tampered);
            assertThatThrownBy(() -> key.open(text, CONTEXT)).as("byte %d", i).isInstanceOf(GeneralSecurityException.class);
        }
    }

    @Test
    void truncatedOrMalformedSealedTextIsRefused() {
        MasterKey key = key(1);
        String sealed = key.seal(PLAIN, CONTEXT);
        assertThatThrownBy(() -> key.open(sealed.substring(0, sealed.length() - 4), CONTEXT))
                .isInstanceOf(GeneralSecurityException.class);
        assertThatThrownBy(() -> key.open("aes256gcm:" + base64(new byte[20]), CONTEXT))
                .isInstanceOf(GeneralSecurityException.class).hasMessageContaining("too short");
        assertThatThrownBy(() -> key.open("aes256gcm:not*base64!", CONTEXT))
                .isInstanceOf(GeneralSecurityException.class).hasMessageContaining("base64");
        assertThatThrownBy(() -> key.open(sealed.substring("aes256gcm:".length()), CONTEXT))
                .isInstanceOf(GeneralSecurityException.class).hasMessageContaining("not a sealed value");
        assertThatThrownBy(() -> key.open("", CONTEXT)).isInstanceOf(GeneralSecurityException.class);
    }

    @Test
    void keyMustBe32Bytes() {
        for (int n : new int[] {0, 16, 24, 31, 33, 64}) {
            assertThatThrownBy(() -> MasterKey.of(new byte[n])).as("%d bytes", n)
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("32 bytes");
        }
    }

    @Test
    void ofCopiesTheKeyBytes() throws Exception {
        byte[] raw = bytes(32, 5);
        MasterKey key = MasterKey.of(raw);
        String sealed = key.seal(PLAIN, CONTEXT);
        Arrays.fill(raw, (byte) 0);
        assertThat(key.open(sealed, CONTEXT)).isEqualTo(PLAIN);
    }

    // ---- loading ----

    @Test
    void loadCreatesAnOwnerOnlyKeyFileAndLoadsItNextTime() throws Exception {
        assumePosix();
        Path data = dir.resolve("data");
        MasterKey first = MasterKey.load(data, Map.of(), true);
        Path file = data.resolve(MasterKey.FILE_NAME);
        assertThat(file).exists();
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Base64.getDecoder().decode(Files.readString(file).strip())).hasSize(32);

        String sealed = first.seal(PLAIN, CONTEXT);
        MasterKey second = MasterKey.load(data, Map.of(), true);
        assertThat(second.open(sealed, CONTEXT)).isEqualTo(PLAIN);
        MasterKey third = MasterKey.load(data, Map.of(), false);
        assertThat(third.open(sealed, CONTEXT)).isEqualTo(PLAIN);
    }

    @Test
    void loadWithoutCreateAndWithoutAKeyFails() {
        assertThatThrownBy(() -> MasterKey.load(dir, Map.of(), false))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(MasterKey.ENVIRONMENT)
                .hasMessageContaining(MasterKey.FILE_NAME);
        assertThat(dir.resolve(MasterKey.FILE_NAME)).doesNotExist();
    }

    @Test
    void environmentKeyWinsOverTheFile() throws Exception {
        MasterKey fromFile = MasterKey.load(dir, Map.of(), true);
        byte[] envBytes = bytes(32, 9);
        MasterKey fromEnv = MasterKey.load(dir, Map.of(MasterKey.ENVIRONMENT, base64(envBytes)), true);

        String sealed = MasterKey.of(envBytes).seal(PLAIN, CONTEXT);
        assertThat(fromEnv.open(sealed, CONTEXT)).isEqualTo(PLAIN);
        assertThatThrownBy(() -> fromFile.open(sealed, CONTEXT)).isInstanceOf(GeneralSecurityException.class);
    }

    @Test
    void environmentKeyCreatesNoFile() throws Exception {
        byte[] envBytes = bytes(32, 9);
        MasterKey.load(dir, Map.of(MasterKey.ENVIRONMENT, "  " + base64(envBytes) + "\n"), true);
        assertThat(dir.resolve(MasterKey.FILE_NAME)).doesNotExist();
    }

    @Test
    void blankEnvironmentValueFallsBackToTheFile() throws Exception {
        MasterKey created = MasterKey.load(dir, Map.of(), true);
        String sealed = created.seal(PLAIN, CONTEXT);
        MasterKey loaded = MasterKey.load(dir, Map.of(MasterKey.ENVIRONMENT, "  "), false);
        assertThat(loaded.open(sealed, CONTEXT)).isEqualTo(PLAIN);
    }

    @Test
    void environmentKeyOfTheWrongLengthIsRejected() {
        assertThatThrownBy(() -> MasterKey.load(dir, Map.of(MasterKey.ENVIRONMENT, base64(new byte[16])), true))
                .hasMessageContaining("32 bytes");
    }

    @Test
    void environmentKeyThatIsNotBase64IsRejectedNamingTheVariable() {
        assertThatThrownBy(() -> MasterKey.load(dir, Map.of(MasterKey.ENVIRONMENT, "not base64 !!"), true))
                .isInstanceOf(IOException.class).hasMessageContaining(MasterKey.ENVIRONMENT);
    }

    @Test
    void groupReadableKeyFileIsRefused() throws Exception {
        assumePosix();
        MasterKey.load(dir, Map.of(), true);
        Path file = dir.resolve(MasterKey.FILE_NAME);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
        assertThatThrownBy(() -> MasterKey.load(dir, Map.of(), true))
                .isInstanceOf(IOException.class).hasMessageContaining("chmod");
        // and it is left alone, not replaced
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-r-----"));
    }

    @Test
    void worldReadableKeyFileIsRefused() throws Exception {
        assumePosix();
        Path file = dir.resolve(MasterKey.FILE_NAME);
        Files.writeString(file, base64(bytes(32, 3)));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> MasterKey.load(dir, Map.of(), false))
                .isInstanceOf(IOException.class).hasMessageContaining("chmod 600");
    }

    @Test
    void handWrittenOwnerOnlyKeyFileIsLoaded() throws Exception {
        assumePosix();
        byte[] raw = bytes(32, 3);
        Path file = dir.resolve(MasterKey.FILE_NAME);
        Files.writeString(file, base64(raw) + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        MasterKey loaded = MasterKey.load(dir, Map.of(), false);
        assertThat(loaded.open(MasterKey.of(raw).seal(PLAIN, CONTEXT), CONTEXT)).isEqualTo(PLAIN);
    }

    @Test
    void keyFileThatIsNotBase64IsRejected() throws Exception {
        assumePosix();
        Path file = dir.resolve(MasterKey.FILE_NAME);
        Files.writeString(file, "this is not a key\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        assertThatThrownBy(() -> MasterKey.load(dir, Map.of(), true))
                .isInstanceOf(IOException.class).hasMessageContaining("not base64");
    }

    @Test
    void keyFileOfTheWrongLengthIsRejected() throws Exception {
        assumePosix();
        Path file = dir.resolve(MasterKey.FILE_NAME);
        Files.writeString(file, base64(new byte[16]));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        assertThatThrownBy(() -> MasterKey.load(dir, Map.of(), true)).hasMessageContaining("32 bytes");
        assertThat(Files.readString(file)).isEqualTo(base64(new byte[16])); // not overwritten
    }
}
