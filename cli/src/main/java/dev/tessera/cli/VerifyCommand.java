package dev.tessera.cli;

import dev.tessera.token.Decision;
import dev.tessera.token.Enforcer;
import dev.tessera.token.Profile;
import dev.tessera.token.TokenException;
import dev.tessera.token.Trace;
import dev.tessera.token.VerifiedToken;
import com.nimbusds.jose.jwk.JWKSet;
import dev.tessera.token.bearer.BearerTokenDiscovery;
import dev.tessera.token.discovery.IssuerKeyCache;
import dev.tessera.token.jws.CompactJws;
import dev.tessera.token.jws.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tessera verify}: full verification with discovery, access tests, and a step-by-step explanation. */
@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {
                "Verify a token as a service would: trusted issuer, keys fetched by discovery over https,",
                "signature, profile rules, times, audience, scopes; --test evaluates access. With no TOKEN,",
                "finds it by WLCG bearer-token discovery. --explain prints every step and why it passed or failed.",
                "Exit status: 0 valid (and every --test allowed), 1 invalid or denied, 2 usage error."},
        footerHeading = "%nExamples:%n",
        footer = {
                "  tessera verify --explain",
                "  tessera verify --issuer https://cilogon.org/igwn --audience https://data.example.org \\",
                "      --base-path https://cilogon.org/igwn=/igwn --test read:/igwn/frames/H1.gwf",
                "  tessera verify --test compute.create --json -",
                "  tessera verify --jwks keys/jwks.json --explain token.jwt      # offline, keys from a file",
                "",
                "Without --issuer the token's own issuer is trusted; without --audience the audience is not checked:",
                "fine for looking at your own token, but a service must pin both."})
final class VerifyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..1", paramLabel = "TOKEN|-", description = "The token, or - for standard input.")
    String token;

    @Option(names = "--issuer", paramLabel = "URL", description = "Trusted issuer (repeatable; default: the token's own).")
    List<String> issuers = new ArrayList<>();

    @Option(names = "--audience", paramLabel = "A", description = "Accepted audience (repeatable; default: not checked).")
    List<String> audiences = new ArrayList<>();

    @Option(names = "--profile", paramLabel = "PROFILE",
            description = "Accept only these profiles: scitokens, wlcg, scitokens1, atjwt (repeatable).")
    List<String> profiles = new ArrayList<>();

    @Option(names = "--test", paramLabel = "AUTHZ:PATH",
            description = "Evaluate access, e.g. read:/data/x, storage.create:/out/ (paths start with /), "
                    + "or a named capability such as compute.create (repeatable).")
    List<String> tests = new ArrayList<>();

    @Option(names = "--base-path", paramLabel = "ISS=PATH", description = "Map an issuer's scopes under PATH (repeatable).")
    List<String> basePaths = new ArrayList<>();

    @Option(names = "--skew", paramLabel = "DURATION", defaultValue = "60s", converter = Durations.class,
            description = "Allowed clock skew for nbf and iat (default: ${DEFAULT-VALUE}).")
    Duration skew;

    @Option(names = "--max-lifetime", paramLabel = "DURATION", converter = Durations.class,
            description = "Refuse tokens valid for longer than this.")
    Duration maxLifetime;

    @Option(names = "--jwks", paramLabel = "FILE",
            description = "Verify offline with the keys in this JWKS file instead of fetching the issuer's.")
    Path jwks;

    @Option(names = "--explain", description = "Print each verification step.")
    boolean explain;

    @Option(names = "--json", description = "Print the result and every step as JSON.")
    boolean json;

    @Mixin
    CaOptions ca;

    @Override
    public Integer call() {
        TokenInput input = TokenInput.read(token, System.in);
        Trace.Recorder trace = Trace.recorder();
        trace.info("token", "from " + input.source());
        for (BearerTokenDiscovery.Step step : input.discovery()) {
            trace.info("token", step.source() + ": " + step.outcome());
        }
        Enforcer enforcer = enforcer(input.token(), trace);

        VerifiedToken verified = null;
        TokenException failure = null;
        try {
            verified = enforcer.verifier().verify(input.token(), trace);
        } catch (TokenException e) {
            failure = e;
        }
        List<Map<String, Object>> results = new ArrayList<>();
        boolean allAllowed = true;
        if (verified != null) {
            for (String test : tests) {
                int colon = test.indexOf(':');
                boolean pathTest = colon > 0 && test.startsWith("/", colon + 1);
                String authz = pathTest ? test.substring(0, colon) : test;
                String path = pathTest ? test.substring(colon + 1) : null;
                Decision decision = enforcer.test(verified, authz, path);
                trace.step("access", decision.allowed() ? Trace.Status.PASS : Trace.Status.FAIL,
                        test + ": " + decision.message());
                allAllowed &= decision.allowed();
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("test", test);
                result.put("allowed", decision.allowed());
                result.put("reason", decision.reason() == null ? null : decision.reason().code());
                result.put("granted_by", decision.grantedBy());
                result.put("message", decision.message());
                results.add(result);
            }
        }
        boolean ok = verified != null && allAllowed;
        if (json) {
            printJson(input, verified, failure, results, trace, ok);
        } else {
            printHuman(verified, failure, results, trace);
        }
        return ok ? 0 : Tessera.INVALID;
    }

    /** The enforcer for the options; unset issuers and audiences default to the token's own, with a note. */
    private Enforcer enforcer(String tokenText, Trace trace) {
        Map<String, Object> claims = Map.of();
        try {
            claims = CompactJws.parse(tokenText, CompactJws.DEFAULT_MAX_LENGTH).claims();
        } catch (TokenException e) {
            // reported by the verification itself
        }
        // one verification per run: the verified-token cache would only cost class loading
        Enforcer.Builder builder = Enforcer.builder().caFiles(ca.paths()).skew(skew).maxLifetime(maxLifetime)
                .verifiedTokenCacheSize(0);
        if (jwks != null) {
            JWKSet keys = readJwks(jwks);
            builder.keys(IssuerKeyCache.builder().fetcher((issuer, t) -> {
                t.info("discovery", "keys from " + jwks + " (offline: no discovery)");
                return keys;
            }).build());
        }
        try {
            List<String> trusted = new ArrayList<>(issuers);
            if (trusted.isEmpty() && claims.get("iss") instanceof String iss && iss.startsWith("https://")) {
                trusted.add(iss);
                trace.info("issuer", "no --issuer given: trusting the token's own issuer " + iss);
            }
            if (trusted.isEmpty()) {
                trusted.add("https://unknown.invalid"); // nothing to trust: verification reports the token's issuer
            }
            trusted.forEach(builder::issuer);
            for (String mapping : basePaths) {
                int eq = mapping.lastIndexOf('=');
                if (eq <= 0) {
                    throw new UsageError("--base-path must be ISSUER=PATH: " + mapping);
                }
                builder.issuer(mapping.substring(0, eq), mapping.substring(eq + 1));
            }
            List<String> accepted = new ArrayList<>(audiences);
            if (accepted.isEmpty()) {
                for (Object aud : claims.get("aud") instanceof List<?> list ? list : java.util.Collections.singletonList(claims.get("aud"))) {
                    if (aud instanceof String a && !isWildcard(a)) {
                        accepted.add(a);
                    }
                }
                if (!accepted.isEmpty()) {
                    trace.info("audience", "no --audience given: not checking the audience (token is for "
                            + String.join(", ", accepted) + ")");
                }
            }
            builder.audiences(accepted);
            if (!profiles.isEmpty()) {
                Profile first = CreateCommand.profile(profiles.get(0));
                Profile[] more = profiles.stream().skip(1).map(CreateCommand::profile).toArray(Profile[]::new);
                builder.profiles(first, more);
            }
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage(), e);
        }
    }

    private static JWKSet readJwks(Path file) {
        try {
            return JWKSet.parse(Files.readString(file));
        } catch (IOException | ParseException e) {
            throw new UsageError("cannot read the JWKS " + file + ": " + e.getMessage(), e);
        }
    }

    private static boolean isWildcard(String audience) {
        for (Profile p : Profile.values()) {
            if (audience.equals(p.anyAudience())) {
                return true;
            }
        }
        return false;
    }

    private void printHuman(VerifiedToken verified, TokenException failure, List<Map<String, Object>> results,
                            Trace.Recorder trace) {
        PrintWriter out = spec.commandLine().getOut();
        if (explain) {
            for (Trace.Step step : trace.steps()) {
                String mark = switch (step.status()) {
                    case PASS -> " ok ";
                    case FAIL -> "FAIL";
                    case INFO -> "    ";
                };
                out.printf("[%s] %-10s %s%n", mark, step.check(), step.detail());
            }
        }
        if (verified == null) {
            out.printf("INVALID (%s): %s%n", failure.reason().code(), failure.getMessage());
            return;
        }
        Duration left = Duration.between(Instant.now(), verified.expiresAt());
        out.printf("VALID: %s token from %s for %s, expires in %s%n", verified.profile().displayName(),
                verified.issuer(), verified.subject() == null ? "(no subject)" : verified.subject(),
                DecodeCommand.describe(left.isNegative() ? Duration.ZERO : left));
        long denied = 0;
        for (Map<String, Object> result : results) {
            boolean allowed = (Boolean) result.get("allowed");
            denied += allowed ? 0 : 1;
            out.printf("%s: %s: %s%n", allowed ? "ALLOWED" : "DENIED (" + result.get("reason") + ")", result.get("test"),
                    result.get("message"));
        }
        if (denied > 0) {
            out.printf("Result: token valid, but %d of %d requested accesses denied%n", denied, results.size());
        }
    }

    private void printJson(TokenInput input, VerifiedToken verified, TokenException failure,
                           List<Map<String, Object>> results, Trace.Recorder trace, boolean ok) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("ok", ok);
        data.put("valid", verified != null);
        data.put("reason", failure == null ? null : failure.reason().code());
        data.put("message", failure == null ? null : failure.getMessage());
        data.put("source", input.source());
        if (verified != null) {
            data.put("profile", verified.profile().name());
            data.put("issuer", verified.issuer());
            data.put("subject", verified.subject());
            data.put("expires_at", verified.expiresAt().toString());
            data.put("scopes", verified.scopes().asList().stream().map(Object::toString).toList());
            data.put("claims", verified.claims());
        }
        data.put("tests", results);
        List<Object> steps = new ArrayList<>();
        for (Trace.Step step : trace.steps()) {
            Map<String, Object> s = new LinkedHashMap<>();
            s.put("check", step.check());
            s.put("status", step.status().name().toLowerCase(java.util.Locale.ROOT));
            s.put("detail", step.detail());
            steps.add(s);
        }
        data.put("steps", steps);
        spec.commandLine().getOut().println(Json.write(data));
    }
}
