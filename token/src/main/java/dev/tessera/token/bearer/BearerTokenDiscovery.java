package dev.tessera.token.bearer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Finds the bearer token a tool should use, by the WLCG Bearer Token Discovery steps, in order:
 * <ol>
 *   <li>the {@code BEARER_TOKEN} environment variable;
 *   <li>the file named by {@code BEARER_TOKEN_FILE};
 *   <li>if {@code XDG_RUNTIME_DIR} is set, the file {@code $XDG_RUNTIME_DIR/bt_u$ID};
 *   <li>otherwise {@code /tmp/bt_u$ID},
 * </ol>
 * where {@code $ID} is the effective user id. Only the six C whitespace characters are stripped.
 * An empty value continues with the next step; a value that is not an RFC 6750 token stops with an
 * error.
 *
 * <p>Where the specification is silent: a {@code BEARER_TOKEN_FILE} that does not exist counts as
 * empty (as in python scitokens); a missing {@code $XDG_RUNTIME_DIR/bt_u$ID} ends the search without
 * falling back to {@code /tmp}, as the spec's "otherwise" reads and because the private runtime
 * directory is the safer place; and a {@code /tmp/bt_u$ID} owned by another user is refused, since
 * anyone can create files in {@code /tmp}.
 */
public final class BearerTokenDiscovery {
    /** RFC 6750 §2.1 {@code b64token}. */
    private static final Pattern B64TOKEN = Pattern.compile("[A-Za-z0-9\\-._~+/]+=*");

    private final Map<String, String> env;
    private final long euid;
    private final Path tmp;

    /** Discovery over the given environment and effective uid, with {@code /tmp} as the fallback directory. */
    public BearerTokenDiscovery(Map<String, String> env, long euid) {
        this(env, euid, Path.of("/tmp"));
    }

    BearerTokenDiscovery(Map<String, String> env, long euid, Path tmp) {
        this.env = Map.copyOf(env);
        this.euid = euid;
        this.tmp = tmp;
    }

    /** Discovery for this process. */
    public static BearerTokenDiscovery fromEnvironment() {
        return new BearerTokenDiscovery(System.getenv(), Uid.effective());
    }

    /** One place looked at, and what was there. */
    public record Step(String source, String outcome) {
    }

    /**
     * The outcome.
     *
     * @param token the token, or {@code null}
     * @param source where it was found ({@code BEARER_TOKEN}, or a file path), or {@code null}
     * @param error why the search stopped without a token, or {@code null} when one was found
     * @param steps every place looked at, in order
     */
    public record Result(String token, String source, String error, List<Step> steps) {
        public boolean found() {
            return token != null;
        }
    }

    /** Runs the discovery steps. Never throws. */
    public Result discover() {
        List<Step> steps = new ArrayList<>();
        String value = env.get("BEARER_TOKEN");
        if (value != null) {
            Result r = check(strip(value), "BEARER_TOKEN", steps);
            if (r != null) {
                return r;
            }
        } else {
            steps.add(new Step("BEARER_TOKEN", "not set"));
        }
        String file = env.get("BEARER_TOKEN_FILE");
        if (file != null && !file.isEmpty()) {
            Result r = fromFile(Path.of(file), "BEARER_TOKEN_FILE=" + file, false, steps);
            if (r != null) {
                return r;
            }
        } else {
            steps.add(new Step("BEARER_TOKEN_FILE", "not set"));
        }
        String xdg = env.get("XDG_RUNTIME_DIR");
        if (xdg != null && !xdg.isEmpty()) {
            Path path = Path.of(xdg, "bt_u" + euid);
            Result r = fromFile(path, path.toString(), false, steps);
            if (r != null) {
                return r;
            }
            if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                return new Result(null, null, "no bearer token found (XDG_RUNTIME_DIR is set, so /tmp is not searched)",
                        steps);
            }
        }
        Path path = tmp.resolve("bt_u" + euid);
        Result r = fromFile(path, path.toString(), true, steps);
        if (r != null) {
            return r;
        }
        return new Result(null, null, "no bearer token found", steps);
    }

    /** The file a tool should write this user's token to: {@code $XDG_RUNTIME_DIR/bt_u$ID}, else {@code /tmp/bt_u$ID}. */
    public Path defaultTokenFile() {
        String xdg = env.get("XDG_RUNTIME_DIR");
        return xdg != null && !xdg.isEmpty() ? Path.of(xdg, "bt_u" + euid) : tmp.resolve("bt_u" + euid);
    }

    private Result fromFile(Path path, String source, boolean mustBeOwned, List<Step> steps) {
        String content;
        try {
            long owner = mustBeOwned ? owner(path) : euid;
            if (owner != euid) {
                steps.add(new Step(source, "owned by uid " + owner + ", not " + euid + ": refused"));
                return new Result(null, null, source + " is owned by another user (uid " + owner + ")", steps);
            }
            content = Files.readString(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            steps.add(new Step(source, "no such file"));
            return null;
        } catch (IOException e) {
            steps.add(new Step(source, "unreadable: " + e.getMessage()));
            return new Result(null, null, "cannot read " + source + ": " + e.getMessage(), steps);
        }
        return check(strip(content), source, steps);
    }

    /** The file's owner, or our own uid where the file system has no owners. */
    private long owner(Path path) throws IOException {
        try {
            return ((Number) Files.getAttribute(path, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue();
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return euid;
        }
    }

    private static Result check(String token, String source, List<Step> steps) {
        if (token.isEmpty()) {
            steps.add(new Step(source, "empty"));
            return null;
        }
        if (!isBearerToken(token)) {
            steps.add(new Step(source, "not a valid bearer token"));
            return new Result(null, null, source + " does not hold a valid bearer token (RFC 6750 characters only)",
                    steps);
        }
        steps.add(new Step(source, "token found"));
        return new Result(token, source, null, steps);
    }

    /** Whether {@code token} is an RFC 6750 §2.1 {@code b64token}. */
    public static boolean isBearerToken(String token) {
        return token != null && B64TOKEN.matcher(token).matches();
    }

    /** Strips the C99 {@code isspace} characters only: space, \t, \n, \v, \f, \r. */
    static String strip(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && isCSpace(s.charAt(start))) {
            start++;
        }
        while (end > start && isCSpace(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(start, end);
    }

    private static boolean isCSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0b || c == '\f' || c == '\r';
    }
}
