package dev.tessera.cli;

import dev.tessera.agent.access.TokenInfo;
import dev.tessera.agent.get.GetException;
import dev.tessera.agent.get.GetRequest;
import dev.tessera.agent.get.Outcome;
import dev.tessera.agent.get.TokenGetter;
import dev.tessera.agent.vault.Vault;
import dev.tessera.token.jws.Json;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tessera get}: an access token where WLCG discovery finds it (htgettoken for Tessera issuers). */
@Command(name = "get", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
                "Get an access token from a VO's issuer and write it where tools find it (WLCG bearer-token",
                "discovery): --outfile, else $BEARER_TOKEN_FILE, else $XDG_RUNTIME_DIR/bt_u$UID, else /tmp/bt_u$UID;",
                "mode 0600, replaced atomically. The token there is reused while it is from the issuer, has",
                "--minsecs left and grants exactly the --scopes and --audience given (if any). Else the refresh token",
                "in your vault gets a new one, narrowed to --scopes/--audience. Else you log in once with the device",
                "flow: open the address shown and approve; the refresh token is kept in the vault for next time.",
                "",
                "The vault (--vault) is a 0600 file in a 0700 directory. With a passphrase ($TESSERA_VAULT_PASSPHRASE",
                "or --vault-passphrase-file) it is encrypted (AES-256-GCM, Argon2id); WITHOUT ONE IT IS PROTECTED BY",
                "ITS FILE PERMISSIONS ONLY: anyone who can read your files (root, a backup) can use your tokens.",
                "",
                "Options may also come from $TESSERA_GET_OPTS (split as a shell would); the command line wins.",
                "Exit status: 0 token written or reused, 1 no token (refused, denied, unreachable, more than asked),",
                "2 usage or configuration error (bad option, unreadable vault, wrong passphrase)."},
        footerHeading = "%nExamples:%n",
        footer = {
                "  tessera get --issuer https://tokens.example.org/vo/ligo --client-id 8f1c2e... ",
                "  tessera get -i https://tokens.example.org/vo/ligo --scopes 'read:/ligo/O4' --audience https://data.example.org",
                "  export TESSERA_GET_OPTS='-i https://tokens.example.org/vo/ligo --client-id 8f1c2e...'",
                "  tessera get --minsecs 3600 --json",
                "  tessera get --revoke          # revoke the refresh token at the issuer, forget it, delete the token"})
final class GetCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    GetOptions options;

    @Option(names = "--revoke", description = "Revoke the stored refresh token at the issuer, remove it from the vault, "
            + "and delete the token file.")
    boolean revoke;

    @Option(names = "--json", description = "Print what was done as JSON (never the token itself).")
    boolean json;

    @Override
    public Integer call() throws IOException, InterruptedException {
        Map<String, String> env = System.getenv();
        GetOptions.applyDefaults(spec, env);
        GetRequest request = options.request(env);
        Vault vault = options.vault(env);
        TokenGetter getter = options.getter(vault, env, spec.commandLine().getErr());
        return GetFailures.run("get", spec.commandLine().getErr(),
                () -> revoke ? revoke(getter, request, vault) : get(getter, request, vault));
    }

    private int get(TokenGetter getter, GetRequest request, Vault vault)
            throws GetException, IOException, InterruptedException {
        Outcome outcome = getter.get(request);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.write(describe(outcome, vault.file(), Instant.now())));
        } else if (!options.quiet) {
            out.println((outcome.how() == Outcome.How.REUSED ? "Reusing the bearer token in " : "Storing bearer token in ")
                    + outcome.file());
            out.println("  " + summary(outcome.token(), Instant.now()));
        }
        return 0;
    }

    private int revoke(TokenGetter getter, GetRequest request, Vault vault) throws GetException, IOException {
        TokenGetter.Revoked revoked = getter.revoke(request.issuer(), request.clientId(), request.clientSecret(),
                request.tokenFile());
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("issuer", request.issuer());
            data.put("client_id", revoked.clientId());
            data.put("refresh_token_revoked", revoked.refreshTokenRevoked());
            data.put("token_file", request.tokenFile().toString());
            data.put("token_file_deleted", revoked.tokenFileDeleted());
            data.put("vault", vault.file().toString());
            out.println(Json.write(data));
        } else if (!options.quiet) {
            out.println(revoked.refreshTokenRevoked()
                    ? "Revoked the refresh token of " + request.issuer() + " and removed it from " + vault.file()
                    : "No refresh token of " + request.issuer() + " in " + vault.file());
            if (revoked.tokenFileDeleted()) {
                out.println("Deleted " + request.tokenFile());
            }
        }
        return 0;
    }

    /** The JSON shape of a result: what a script needs, never the token. */
    static Map<String, Object> describe(Outcome outcome, Path vault, Instant now) {
        TokenInfo token = outcome.token();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("token_file", outcome.file().toString());
        data.put("obtained", outcome.how().label());
        data.put("issuer", token.issuer());
        data.put("client_id", outcome.clientId());
        data.put("subject", token.subject());
        data.put("scope", token.scope());
        data.put("audience", token.audiences());
        data.put("expires_at", token.expiresAt() == null ? null : token.expiresAt().toString());
        data.put("expires_in", token.expiresAt() == null ? null : Math.max(0, token.remaining(now).toSeconds()));
        data.put("vault", vault.toString());
        return data;
    }

    /** One line for people: what the token allows and for how long. */
    static String summary(TokenInfo token, Instant now) {
        Duration left = token.remaining(now);
        return "scope: " + (token.scope() == null || token.scope().isEmpty() ? "(none)" : token.scope())
                + "; audience: " + String.join(" ", token.audiences())
                + "; expires in " + (left.isNegative() ? "0s" : Durations.format(left.withNanos(0)));
    }
}
