package dev.tessera.cli;

import dev.tessera.token.TokenException;
import dev.tessera.token.jws.CompactJws;
import dev.tessera.token.jws.Json;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tessera decode}: shows a token's header and claims without verifying anything. */
@Command(name = "decode", mixinStandardHelpOptions = true,
        description = {
                "Show a token's header and claims. Does NOT verify the token (use tessera verify).",
                "With no TOKEN, finds it by WLCG bearer-token discovery and says where."},
        footerHeading = "%nExamples:%n",
        footer = {
                "  tessera decode -H                     # the token BEARER_TOKEN / BEARER_TOKEN_FILE / bt_u$UID points at",
                "  tessera decode eyJhbGciOi...          # a token given on the command line",
                "  htgettoken ... && tessera decode -H - < /tmp/bt_u$(id -u)"})
final class DecodeCommand implements Callable<Integer> {
    private static final Set<String> TIME_CLAIMS = Set.of("exp", "nbf", "iat", "auth_time");
    /** End of year 9999: later values are shown as numbers, not dates. */
    private static final double MAX_EPOCH = 253402300800d;
    private static final DateTimeFormatter HUMAN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'")
            .withZone(ZoneOffset.UTC);

    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..1", paramLabel = "TOKEN|-", description = "The token, or - for standard input.")
    String token;

    @Option(names = "-H", description = "Show times as dates, with the remaining lifetime.")
    boolean human;

    @Option(names = "--json", description = "Print header, claims and source as JSON.")
    boolean json;

    @Override
    public Integer call() {
        TokenInput input = TokenInput.read(token, System.in);
        PrintWriter out = spec.commandLine().getOut();
        CompactJws jws;
        try {
            jws = CompactJws.parse(input.token(), CompactJws.DEFAULT_MAX_LENGTH);
        } catch (TokenException e) {
            spec.commandLine().getErr().println("tessera decode: cannot decode the token (" + e.reason().code() + "): "
                    + e.getMessage());
            return Tessera.INVALID;
        }
        Instant now = Instant.now();
        if (json) {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("source", input.source());
            result.put("verified", false);
            result.put("header", jws.header());
            result.put("payload", jws.claims());
            out.println(Json.write(result));
            return 0;
        }
        if (token == null) {
            out.println("Token from " + input.source());
        }
        out.println("NOT VERIFIED: this shows what the token claims; use tessera verify to check it.");
        out.println("Header:");
        out.println(JsonText.pretty(jws.header()));
        out.println("Payload:");
        out.println(JsonText.pretty(human ? humanTimes(jws.claims(), now) : jws.claims()));
        if (human && jws.claims().get("exp") instanceof Number exp && exp.doubleValue() < MAX_EPOCH) {
            Duration left = Duration.between(now, Instant.ofEpochSecond(exp.longValue()));
            out.println(left.isNegative() ? "Expired " + describe(left.negated()) + " ago."
                    : "Remaining lifetime: " + describe(left) + ".");
        }
        return 0;
    }

    private static Map<String, Object> humanTimes(Map<String, Object> claims, Instant now) {
        Map<String, Object> shown = new LinkedHashMap<>(claims);
        for (String name : TIME_CLAIMS) {
            if (claims.get(name) instanceof Number n && n.doubleValue() >= 0 && n.doubleValue() < MAX_EPOCH) {
                Instant t = Instant.ofEpochSecond(n.longValue());
                Duration d = Duration.between(now, t);
                shown.put(name, HUMAN.format(t) + (d.isNegative() ? " (" + describe(d.negated()) + " ago)"
                        : " (in " + describe(d) + ")"));
            }
        }
        return shown;
    }

    /** {@code 1h 5m 3s}, {@code 42s}, {@code 3d 2h}. */
    static String describe(Duration d) {
        long s = d.getSeconds();
        if (s >= 86400) {
            return s / 86400 + "d " + s % 86400 / 3600 + "h";
        }
        if (s >= 3600) {
            return s / 3600 + "h " + s % 3600 / 60 + "m " + s % 60 + "s";
        }
        return s >= 60 ? s / 60 + "m " + s % 60 + "s" : s + "s";
    }
}
