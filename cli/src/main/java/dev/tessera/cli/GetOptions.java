package dev.tessera.cli;

import dev.tessera.agent.access.AccessRequest;
import dev.tessera.agent.get.Browser;
import dev.tessera.agent.get.GetRequest;
import dev.tessera.agent.get.ShellWords;
import dev.tessera.agent.get.TokenGetter;
import dev.tessera.agent.oauth.IssuerClient;
import dev.tessera.agent.oauth.Transport;
import dev.tessera.agent.vault.Vault;
import dev.tessera.token.bearer.BearerTokenDiscovery;
import dev.tessera.token.bearer.Uid;
import dev.tessera.token.scope.InvalidScopeException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;

/**
 * The options of {@code tessera get} and {@code tessera sh} (htgettoken's, where they have a match), with
 * defaults from {@code TESSERA_GET_OPTS}: options given on the command line win over those.
 */
final class GetOptions {
    /** Default options, split as a shell would (like htgettoken's HTGETTOKENOPTS). */
    static final String OPTIONS_ENV = "TESSERA_GET_OPTS";

    @Option(names = {"-i", "--issuer"}, paramLabel = "URL", description = "The VO's issuer (its iss), an https URL.")
    String issuer;

    @Option(names = "--client-id", paramLabel = "ID",
            description = "The VO's client for this tool (default: the one the vault holds a grant of at the issuer).")
    String clientId;

    @Option(names = "--client-secret-file", paramLabel = "FILE",
            description = "The client's secret, for a confidential client (default: a public client).")
    Path clientSecretFile;

    @Option(names = "--scopes", paramLabel = "\"S1 S2\"",
            description = "Capabilities to ask for, space-separated, e.g. \"read:/ligo storage.create:/user/alice\" "
                    + "(default: all the grant holds). The token never grants more: a wider answer is refused.")
    String scopes;

    @Option(names = "--audience", paramLabel = "A", description = "The token's audience (repeatable; default: the VO's).")
    List<String> audiences = new ArrayList<>();

    @Option(names = "--minsecs", paramLabel = "SECONDS", defaultValue = "60",
            description = "Reuse a token only with at least this many seconds left (default: ${DEFAULT-VALUE}).")
    long minsecs;

    @Option(names = {"-o", "--outfile"}, paramLabel = "FILE",
            description = "Write the token to FILE (default: $BEARER_TOKEN_FILE, else $XDG_RUNTIME_DIR/bt_u$UID, "
                    + "else /tmp/bt_u$UID).")
    Path outfile;

    @Option(names = "--nobrowser", description = "Do not open a browser for the login; only print its address.")
    boolean noBrowser;

    @Option(names = "--vault", paramLabel = "FILE",
            description = "The refresh-token vault (default: $XDG_CONFIG_HOME/tessera/vault.json, "
                    + "else ~/.config/tessera/vault.json).")
    Path vault;

    @Option(names = "--vault-passphrase-file", paramLabel = "FILE",
            description = "Encrypt the vault with the passphrase in FILE (default: $TESSERA_VAULT_PASSPHRASE). "
                    + "Without a passphrase the vault is protected by its file permissions only.")
    Path passphraseFile;

    @Option(names = {"-q", "--quiet"}, description = "Print nothing but errors and the login prompt.")
    boolean quiet;

    @Mixin
    CaOptions ca;

    /** Parses {@code TESSERA_GET_OPTS} on its own, to copy what the command line left unset. */
    @Command(name = OPTIONS_ENV)
    static final class Defaults {
        @Mixin
        GetOptions options;
    }

    /**
     * Sets every option the command line did not give from {@code TESSERA_GET_OPTS}.
     *
     * @throws UsageError when the variable cannot be parsed
     */
    static void applyDefaults(CommandSpec spec, Map<String, String> env) {
        String line = env.get(OPTIONS_ENV);
        if (line == null || line.isBlank()) {
            return;
        }
        CommandLine defaults = new CommandLine(new Defaults());
        CommandLine.ParseResult fromEnv;
        try {
            fromEnv = defaults.parseArgs(ShellWords.split(line).toArray(String[]::new));
        } catch (IllegalArgumentException | CommandLine.ParameterException e) {
            throw new UsageError(OPTIONS_ENV + ": " + e.getMessage());
        }
        CommandLine.ParseResult given = spec.commandLine().getParseResult();
        for (OptionSpec option : fromEnv.matchedOptions()) {
            if (!given.hasMatchedOption(option.longestName())) {
                spec.findOption(option.longestName()).setValue(option.getValue());
            }
        }
    }

    /** The request these options describe. */
    GetRequest request(Map<String, String> env) {
        if (issuer == null || issuer.isBlank()) {
            throw new UsageError("name the issuer: --issuer URL (or in " + OPTIONS_ENV + ")");
        }
        String iss = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
        try {
            IssuerClient.checkIssuer(iss);
        } catch (IllegalArgumentException e) {
            throw new UsageError(e.getMessage());
        }
        if (minsecs < 0) {
            throw new UsageError("--minsecs cannot be negative");
        }
        AccessRequest access;
        try {
            access = AccessRequest.parse(scopes, audiences, Duration.ofSeconds(minsecs));
        } catch (InvalidScopeException e) {
            throw new UsageError("--scopes: " + e.getMessage());
        }
        return new GetRequest(iss, clientId, clientSecret(), access, outfile != null ? outfile : defaultTokenFile(env),
                null, true);
    }

    /**
     * Where the token goes without {@code --outfile}: {@code $BEARER_TOKEN_FILE} when set (as htgettoken
     * does: that is where discovery looks first), else {@code $XDG_RUNTIME_DIR/bt_u$UID}, else
     * {@code /tmp/bt_u$UID}.
     */
    static Path defaultTokenFile(Map<String, String> env) {
        String named = env.get("BEARER_TOKEN_FILE");
        if (named != null && !named.isBlank()) {
            return Path.of(named);
        }
        return new BearerTokenDiscovery(env, Uid.effective()).defaultTokenFile();
    }

    Vault vault(Map<String, String> env) {
        Path file;
        try {
            file = vault != null ? vault : Vault.defaultFile(env);
        } catch (IllegalStateException e) {
            throw new UsageError(e.getMessage() + " (--vault FILE)");
        }
        return new Vault(file, passphrase(env));
    }

    /** A getter over HTTPS with these options' CAs, prompting on {@code err}. */
    TokenGetter getter(Vault vault, Map<String, String> env, PrintWriter err) throws IOException {
        return TokenGetter.over(Transport.https(ca.paths()), vault, Clock.systemUTC(),
                new TerminalPrompt(err, noBrowser ? null : new Browser(env)));
    }

    private char[] passphrase(Map<String, String> env) {
        if (passphraseFile != null) {
            String content = readSecret(passphraseFile, "--vault-passphrase-file");
            return content.toCharArray();
        }
        String fromEnv = env.get(Vault.PASSPHRASE_ENV);
        return fromEnv == null || fromEnv.isEmpty() ? null : fromEnv.toCharArray();
    }

    private String clientSecret() {
        return clientSecretFile == null ? null : readSecret(clientSecretFile, "--client-secret-file");
    }

    /** The first line of a secret file. */
    static String readSecret(Path file, String option) {
        try {
            String first = Files.readString(file, StandardCharsets.UTF_8).lines().findFirst().orElse("");
            if (first.isEmpty()) {
                throw new UsageError(option + ": " + file + " is empty");
            }
            return first;
        } catch (IOException e) {
            throw new UsageError(option + ": " + FileErrors.describe(e));
        }
    }
}
