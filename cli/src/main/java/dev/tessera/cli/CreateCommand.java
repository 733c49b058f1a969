package dev.tessera.cli;

import dev.tessera.token.Profile;
import dev.tessera.token.TokenBuilder;
import dev.tessera.token.bearer.TokenFiles;
import dev.tessera.token.jws.Json;
import dev.tessera.token.keys.SigningKey;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tessera create}: mints a token, like {@code scitokens-admin-create-token}. */
@Command(name = "create", mixinStandardHelpOptions = true,
        description = {
                "Create and sign a token with a private key (e.g. one from tessera keygen).",
                "Prints the token, or writes it with --out (mode 0600, replaced atomically)."},
        footerHeading = "%nExamples:%n",
        footer = {
                "  tessera create --key keys/es256-1a2b3c4d.pem --issuer https://tokens.example.org \\",
                "      --sub alice --scope 'read:/ligo write:/ligo/user/alice' --aud https://storage.example.org",
                "  tessera create --key k.pem --issuer https://tokens.example.org --sub robot --profile wlcg \\",
                "      --scope 'storage.read:/ compute.create' --group /cms --claim uidNumber:=5001 --out /tmp/bt_u1000",
                "",
                "Claims: --claim name=value sets a string; --claim name:=JSON sets a number, boolean, list or object."})
final class CreateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--key", required = true, paramLabel = "PEM", description = "Private key (PEM; encrypted keys read $"
            + SigningKeys.PASSPHRASE_ENV + ").")
    Path keyFile;

    @Option(names = "--kid", paramLabel = "ID", description = "Key id (default: from jwks.json beside the key).")
    String kid;

    @Option(names = "--issuer", required = true, paramLabel = "URL", description = "Issuer (iss), an https URL.")
    String issuer;

    @Option(names = "--sub", required = true, paramLabel = "S", description = "Subject (sub).")
    String subject;

    @Option(names = "--scope", paramLabel = "SCOPES", defaultValue = "", description = "Space-separated scopes, e.g. \"read:/x write:/y\".")
    String scope;

    @Option(names = "--aud", paramLabel = "A", description = "Audience (repeatable; default: any service, ANY or the WLCG any-URI).")
    List<String> audiences = new ArrayList<>();

    @Option(names = "--lifetime", paramLabel = "DURATION", defaultValue = "20m", converter = Durations.class,
            description = "Lifetime, e.g. 20m, 1h (default: ${DEFAULT-VALUE}).")
    Duration lifetime;

    @Option(names = "--max-lifetime", paramLabel = "DURATION", converter = Durations.class,
            description = "Refuse longer lifetimes unless --force (default: $TESSERA_MAX_LIFETIME or 6h).")
    Duration maxLifetime;

    @Option(names = "--profile", paramLabel = "PROFILE", defaultValue = "scitokens",
            description = "scitokens (SciTokens 2.0), wlcg (WLCG 1.0), scitokens1, or atjwt (default: ${DEFAULT-VALUE}).")
    String profile;

    @Option(names = "--group", paramLabel = "/vo/g", description = "wlcg.groups entry (repeatable).")
    List<String> groups = new ArrayList<>();

    @Option(names = "--claim", paramLabel = "k=v|k:=json", description = "Extra claim (repeatable).")
    List<String> claims = new ArrayList<>();

    @Option(names = "--typ", paramLabel = "TYPE", defaultValue = "JWT", description = "Header typ: JWT or at+jwt.")
    String type;

    @Option(names = "--out", paramLabel = "FILE", description = "Write the token here (mode 0600, atomically).")
    Path out;

    @Option(names = "--force", description = "Allow a lifetime above the maximum.")
    boolean force;

    @Option(names = "--json", description = "Print the token and its claims as JSON.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        Duration max = maxLifetime != null ? maxLifetime : Durations.parse(
                System.getenv().getOrDefault("TESSERA_MAX_LIFETIME", "6h"));
        if (lifetime.compareTo(max) > 0 && !force) {
            throw new UsageError("lifetime " + Durations.format(lifetime) + " is above the maximum of "
                    + Durations.format(max) + " (short-lived tokens are the point; use --force to override)");
        }
        Profile tokenProfile = profile(profile);
        if (tokenProfile == Profile.WLCG_1 && lifetime.compareTo(Duration.ofHours(6)) > 0) {
            err.println("warning: WLCG verifiers refuse tokens valid for more than 6 hours");
        }
        SigningKey key = SigningKeys.load(keyFile, kid, err);
        TokenBuilder builder;
        try {
            builder = TokenBuilder.forKey(key).profile(tokenProfile).issuer(issuer).subject(subject)
                    .scope(scope).lifetime(lifetime).type(type);
            if (audiences.isEmpty() && tokenProfile.anyAudience() != null) {
                err.println("note: no --aud: the token is for any service (aud " + tokenProfile.anyAudience() + ")");
                builder.audience(tokenProfile.anyAudience());
            }
            builder.audiences(audiences);
            groups.forEach(builder::group);
            for (Map.Entry<String, Object> claim : parseClaims(claims).entrySet()) {
                builder.claim(claim.getKey(), claim.getValue());
            }
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage(), e);
        }
        Map<String, Object> tokenClaims;
        String token;
        try {
            TokenBuilder.Minted minted = builder.mint();
            tokenClaims = minted.claims();
            token = minted.token();
        } catch (IllegalStateException e) {
            throw new UsageError(e.getMessage(), e);
        }
        if (out != null) {
            TokenFiles.write(out, token);
        }
        PrintWriter w = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("token", token);
            result.put("kid", key.keyId());
            result.put("claims", tokenClaims);
            if (out != null) {
                result.put("out", out.toString());
            }
            w.println(Json.write(result));
        } else if (out != null) {
            w.printf("Wrote a %s token for %s (kid %s, expires in %s) to %s%n", tokenProfile.displayName(), subject,
                    key.keyId(), Durations.format(lifetime), out);
        } else {
            w.println(token);
        }
        return 0;
    }

    static Profile profile(String name) {
        return switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "scitokens", "scitokens2", "scitokens:2.0" -> Profile.SCITOKENS_2;
            case "wlcg", "wlcg1" -> Profile.WLCG_1;
            case "scitokens1" -> Profile.SCITOKENS_1;
            case "atjwt", "at+jwt" -> Profile.AT_JWT;
            default -> throw new UsageError("unknown profile " + name + " (scitokens, wlcg, scitokens1, atjwt)");
        };
    }

    private static final Map<String, String> CLAIM_OPTIONS = Map.of("iss", "--issuer", "sub", "--sub", "aud", "--aud",
            "scope", "--scope", "wlcg.groups", "--group", "exp", "--lifetime", "nbf", "--lifetime", "iat", "--lifetime",
            "jti", "(always random)", "ver", "--profile");

    private static String checkName(String name) {
        String option = CLAIM_OPTIONS.get(name);
        if (option != null || "wlcg.ver".equals(name)) {
            throw new UsageError("claim '" + name + "' is set with " + (option == null ? "--profile" : option)
                    + ", not --claim");
        }
        return name;
    }

    /** {@code name=value} as a string, {@code name:=json} as a JSON value. */
    static Map<String, Object> parseClaims(List<String> specs) {
        Map<String, Object> parsed = new LinkedHashMap<>();
        for (String spec : specs) {
            int typed = spec.indexOf(":=");
            int plain = spec.indexOf('=');
            if (plain <= 0 || typed == 0) {
                throw new UsageError("claim must be name=value or name:=json: " + spec);
            }
            if (typed > 0 && typed < plain) {
                String json = spec.substring(typed + 2);
                String name = checkName(spec.substring(0, typed));
                try {
                    Map<String, Object> wrapper = Json.parseObject("{\"v\":" + json + "}");
                    if (wrapper.size() != 1) { // e.g. 1,"other":2 would smuggle in a second member
                        throw new ParseException("more than one value", 0);
                    }
                    parsed.put(name, wrapper.get("v"));
                } catch (ParseException e) {
                    throw new UsageError("claim " + name + ": not a JSON value (one value expected): " + json, e);
                }
            } else {
                parsed.put(checkName(spec.substring(0, plain)), spec.substring(plain + 1));
            }
        }
        return parsed;
    }
}
