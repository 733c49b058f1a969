package dev.tessera.token.bearer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The effective user id, which bearer-token file names use ({@code bt_u$ID}). */
public final class Uid {
    private Uid() {
    }

    /** The effective uid: from {@code /proc/self/status} on Linux, else the owner of a fresh temporary file. */
    public static long effective() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return Long.parseLong(line.substring(4).trim().split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: fall through
        }
        try {
            Path probe = Files.createTempFile("tessera-uid", null);
            try {
                return ((Number) Files.getAttribute(probe, "unix:uid")).longValue();
            } finally {
                Files.deleteIfExists(probe);
            }
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot determine the effective user id", e);
        }
    }
}
