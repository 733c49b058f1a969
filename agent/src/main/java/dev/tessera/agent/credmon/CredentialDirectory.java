package dev.tessera.agent.credmon;

import dev.tessera.agent.access.TokenInfo;
import dev.tessera.token.TokenException;
import dev.tessera.token.files.PrivateFiles;
import dev.tessera.token.jws.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * HTCondor's OAuth credential directory ({@code SEC_CREDENTIAL_DIRECTORY_OAUTH}), as the credd and the
 * Python credmon ({@code condor_credmon_oauth}) use it:
 * <ul>
 *   <li>{@code USER/NAME.top}: the refresh token the credd stored, JSON
 *       {@code {"refresh_token": ..., "scopes": "s1,s2", "audience": "a"}} ({@code NAME} is the service, or
 *       {@code SERVICE_HANDLE}); a Vault credmon's {@code {"vault_token", "vault_url"}} is not ours;</li>
 *   <li>{@code USER/NAME.meta}: {@code {"client_id", "client_secret", "token_url", "use_refresh_token"}},
 *       and, a Tessera extension, {@code "issuer"} (the issuer's metadata is then discovered);</li>
 *   <li>{@code USER/NAME.use}: the access token the credmon writes (atomically, mode 0400), JSON
 *       {@code {"access_token", "token_type", "expires_in", "expires_at", "scope"}} or the bare token;</li>
 *   <li>{@code USER/NAME.mark}: the credential is to be deleted once the mark is old enough;</li>
 *   <li>{@code pid}: the credmon's process id, which the credd sends SIGHUP to after storing a credential;</li>
 *   <li>{@code CREDMON_COMPLETE}: removed when the credmon starts, touched after each full pass.</li>
 * </ul>
 * The directory must not be accessible to others (the credmon refuses to start otherwise).
 */
public final class CredentialDirectory {
    /** The file touched after each full pass. */
    public static final String COMPLETE = "CREDMON_COMPLETE";
    /** The credmon's pid file. */
    public static final String PID = "pid";
    static final String TOP = ".top";
    static final String USE = ".use";
    static final String META = ".meta";
    static final String MARK = ".mark";
    /** The mode the credmon gives access-token files (owner read only). */
    static final Set<PosixFilePermission> USE_MODE = PosixFilePermissions.fromString("r--------");

    /** How the access token is written into {@code .use} files. */
    public enum UseFormat {
        /** The token response without the refresh token, as condor_credmon_oauth writes it. */
        JSON,
        /** The token and a newline, as the Vault credmon writes it. */
        BARE
    }

    /** One credential: a {@code .top} file of a user. */
    public record Credential(String user, String name, Path userDir) {
        Path top() {
            return userDir.resolve(name + TOP);
        }

        Path use() {
            return userDir.resolve(name + USE);
        }

        Path meta() {
            return userDir.resolve(name + META);
        }

        Path mark() {
            return userDir.resolve(name + MARK);
        }

        /** The credential of the service a handle belongs to ({@code SERVICE} of {@code SERVICE_HANDLE}). */
        Optional<Credential> service() {
            int underscore = name.lastIndexOf('_');
            return underscore > 0 ? Optional.of(new Credential(user, name.substring(0, underscore), userDir))
                    : Optional.empty();
        }

        @Override
        public String toString() {
            return user + "/" + name;
        }
    }

    /** A {@code .top} file read: the refresh token (or none), the scopes and audience asked for, all its members. */
    record Top(String refreshToken, String scopes, String audience, boolean vault, Map<String, Object> members) {
    }

    /** A {@code .meta} file read. */
    record Meta(String clientId, String clientSecret, String tokenUrl, String issuer, boolean useRefreshToken) {
    }

    /** A file that is not what the credd writes. */
    static final class Malformed extends Exception {
        private static final long serialVersionUID = 1L;

        Malformed(String message) {
            super(message);
        }
    }

    private final Path root;

    private CredentialDirectory(Path root) {
        this.root = root;
    }

    /**
     * The credential directory at {@code root}, created (0770) when missing.
     *
     * @throws IOException when others can access it, or it cannot be created
     */
    public static CredentialDirectory open(Path root) throws IOException {
        Path dir = root.toAbsolutePath();
        if (!Files.isDirectory(dir)) {
            Set<PosixFilePermission> shared = PosixFilePermissions.fromString("rwxrwx---"); // the credd's group too
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(shared));
            Files.setPosixFilePermissions(dir, shared); // whatever the umask took away
        }
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(dir);
        if (mode.contains(PosixFilePermission.OTHERS_READ) || mode.contains(PosixFilePermission.OTHERS_WRITE)
                || mode.contains(PosixFilePermission.OTHERS_EXECUTE)) {
            throw new IOException("the credential directory " + dir + " is accessible to other users ("
                    + PosixFilePermissions.toString(mode) + "): chmod o-rwx " + dir);
        }
        return new CredentialDirectory(dir);
    }

    public Path root() {
        return root;
    }

    /** Removes {@code CREDMON_COMPLETE} (at start: no pass is complete yet). */
    public void markIncomplete() throws IOException {
        Files.deleteIfExists(root.resolve(COMPLETE));
    }

    /** Touches {@code CREDMON_COMPLETE}: a full pass is done. */
    public void markComplete() throws IOException {
        Path complete = root.resolve(COMPLETE);
        if (Files.exists(complete)) {
            Files.setLastModifiedTime(complete, FileTime.from(Instant.now()));
        } else {
            PrivateFiles.writeAtomically(complete, new byte[0], PrivateFiles.WORLD_READABLE);
        }
    }

    /** Writes the {@code pid} file the credd signals. */
    public void writePid(long pid) throws IOException {
        PrivateFiles.writeAtomically(root.resolve(PID), Long.toString(pid).getBytes(StandardCharsets.US_ASCII),
                PrivateFiles.WORLD_READABLE);
    }

    /** Removes the {@code pid} file if it names {@code pid}. */
    public void removePid(long pid) {
        try {
            if (Files.readString(root.resolve(PID)).strip().equals(Long.toString(pid))) {
                Files.deleteIfExists(root.resolve(PID));
            }
        } catch (IOException e) {
            // gone already, or another credmon's
        }
    }

    /** The users' directories. */
    List<Path> userDirs() throws IOException {
        List<Path> dirs = new ArrayList<>();
        try (var entries = Files.list(root)) {
            for (Path p : (Iterable<Path>) entries::iterator) {
                if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) && !p.getFileName().toString().startsWith(".")) {
                    dirs.add(p);
                }
            }
        }
        dirs.sort(null);
        return dirs;
    }

    /** The names of the files with {@code suffix} in a user's directory, without the suffix. */
    static List<String> names(Path userDir, String suffix) throws IOException {
        List<String> names = new ArrayList<>();
        try (var entries = Files.list(userDir)) {
            for (Path p : (Iterable<Path>) entries::iterator) {
                String file = p.getFileName().toString();
                if (file.endsWith(suffix) && file.length() > suffix.length() && !file.startsWith(".")
                        && Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    names.add(file.substring(0, file.length() - suffix.length()));
                }
            }
        } catch (NoSuchFileException e) {
            return List.of();
        }
        names.sort(null);
        return names;
    }

    static Top readTop(Path file) throws IOException, Malformed {
        String content = Files.readString(file, StandardCharsets.UTF_8).strip();
        if (content.isEmpty()) {
            throw new Malformed("empty");
        }
        if (!content.startsWith("{")) {
            // a bare refresh token, as some storers write it
            return new Top(content, null, null, false, new LinkedHashMap<>(Map.of("refresh_token", content)));
        }
        Map<String, Object> json;
        try {
            json = new LinkedHashMap<>(Json.parseObject(content));
        } catch (java.text.ParseException e) {
            throw new Malformed("not JSON");
        }
        boolean vault = json.containsKey("vault_token") || json.containsKey("vault_url");
        String refresh = json.get("refresh_token") instanceof String s && !s.isBlank() ? s.strip() : null;
        return new Top(refresh, text(json.get("scopes")), text(json.get("audience")), vault, json);
    }

    /** Rewrites a {@code .top} file with a rotated refresh token, keeping its other members and its mode. */
    static void rotate(Path top, Top read, String refreshToken) throws IOException {
        Map<String, Object> members = new LinkedHashMap<>(read.members());
        members.put("refresh_token", refreshToken);
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(top);
        PrivateFiles.writeAtomically(top, Json.write(members).getBytes(StandardCharsets.UTF_8), mode);
    }

    static Optional<Meta> readMeta(Path file) throws IOException, Malformed {
        String content;
        try {
            content = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        Map<String, Object> json;
        try {
            json = Json.parseObject(content);
        } catch (java.text.ParseException e) {
            throw new Malformed("not JSON");
        }
        return Optional.of(new Meta(text(json.get("client_id")), text(json.get("client_secret")),
                text(json.get("token_url")), text(json.get("issuer")), !Boolean.FALSE.equals(json.get("use_refresh_token"))));
    }

    /** The token in a {@code .use} file (JSON with {@code access_token}, or bare), if it decodes. */
    static Optional<TokenInfo> readUse(Path file) throws IOException {
        String content;
        try {
            content = Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        String token = content;
        if (content.startsWith("{")) {
            try {
                token = Json.parseObject(content).get("access_token") instanceof String s ? s : "";
            } catch (java.text.ParseException e) {
                return Optional.empty();
            }
        }
        try {
            return Optional.of(TokenInfo.decode(token));
        } catch (TokenException e) {
            return Optional.empty();
        }
    }

    static void writeUse(Path file, TokenInfo token, UseFormat format, Instant now) throws IOException {
        String content;
        if (format == UseFormat.BARE) {
            content = token.token() + "\n";
        } else {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("access_token", token.token());
            json.put("token_type", "bearer");
            json.put("expires_in", Math.max(0, token.remaining(now).toSeconds()));
            json.put("expires_at", token.expiresAt().getEpochSecond());
            if (token.scope() != null) {
                json.put("scope", token.scope());
            }
            content = Json.write(json);
        }
        PrivateFiles.writeAtomically(file, content.getBytes(StandardCharsets.UTF_8), USE_MODE);
    }

    private static String text(Object value) {
        return value instanceof String s && !s.isBlank() ? s.strip() : null;
    }
}
