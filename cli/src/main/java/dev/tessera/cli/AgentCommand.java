package dev.tessera.cli;

import dev.tessera.agent.access.AccessRequest;
import dev.tessera.agent.credmon.CredentialDirectory;
import dev.tessera.agent.credmon.Credmon;
import dev.tessera.agent.daemon.AgentDaemon;
import dev.tessera.agent.get.Browser;
import dev.tessera.agent.manager.AgentKey;
import dev.tessera.agent.manager.Minted;
import dev.tessera.agent.manager.RenewalPolicy;
import dev.tessera.agent.manager.TokenManager;
import dev.tessera.agent.oauth.ClientCredentials;
import dev.tessera.agent.oauth.DeviceAuthorization;
import dev.tessera.agent.oauth.DevicePoller;
import dev.tessera.agent.oauth.IssuedTokens;
import dev.tessera.agent.oauth.IssuerClient;
import dev.tessera.agent.oauth.Narrowing;
import dev.tessera.agent.oauth.OAuthError;
import dev.tessera.agent.oauth.Sleeper;
import dev.tessera.agent.oauth.Transport;
import dev.tessera.agent.socket.AgentClient;
import dev.tessera.agent.vault.Vault;
import dev.tessera.agent.vault.VaultEntry;
import dev.tessera.agent.vault.VaultSession;
import dev.tessera.token.bearer.TokenFiles;
import dev.tessera.token.jws.Json;
import dev.tessera.token.scope.InvalidScopeException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tessera agent}: the token manager of a submit host, and its client commands. */
@Command(name = "agent", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
                "Run the token manager of a submit host. Users hand it refresh tokens (tessera agent store); it keeps",
                "them per user, issuer and client, encrypted (AES-256-GCM) under a key in DATA/agent.key (0600) or",
                "$" + AgentKey.ENV + ", and mints each job an access token narrowed to what the job asks",
                "(tessera run, tessera agent token): a cached one that still qualifies costs no issuer request, else",
                "one token exchange or refresh. Tokens in use are renewed at half their lifetime (with jitter);",
                "while the issuer fails, the wait doubles (30 s to 10 min) and valid tokens are still served.",
                "",
                "The API is a Unix socket (--socket) every local user may connect to; the kernel names the caller",
                "(SO_PEERCRED), so a user only ever reaches their own grants. Protocol: JSON lines (see README).",
                "",
                "With --credmon-dir (or $SEC_CREDENTIAL_DIRECTORY_OAUTH) it also replaces HTCondor's",
                "condor_credmon_oauth: for every USER/NAME.top the credd stores, it writes USER/NAME.use (0400,",
                "atomically) narrowed to the .top's scopes and audience, writes the rotated refresh token back to",
                "the .top first, removes a .use whose .top is gone, writes its pid, rescans on SIGHUP and every",
                "--credmon-interval, and touches CREDMON_COMPLETE after each pass.",
                "",
                "Logs go to stdout. SIGTERM stops it. Exit status: 2 when it cannot start (data, key, socket)."},
        subcommands = {AgentCommand.Store.class, AgentCommand.Token.class, AgentCommand.ListGrants.class,
                AgentCommand.Forget.class},
        footerHeading = "%nExamples:%n",
        footer = {
                "  tessera agent --data /var/lib/tessera/agent --socket /run/tessera/agent.sock",
                "  SEC_CREDENTIAL_DIRECTORY_OAUTH=/var/lib/condor/oauth_credentials tessera agent --ca-file /etc/pki/ca.pem",
                "  tessera agent store -i https://tokens.example.org/vo/ligo --client-id 8f1c2e...   # log in for the agent",
                "  tessera agent store -i https://tokens.example.org/vo/ligo --from-vault          # hand over tessera get's grant",
                "  tessera agent token --scopes 'read:/ligo/O4' --audience https://data.example.org",
                "  tessera agent list"})
final class AgentCommand implements Callable<Integer> {
    /** HTCondor's name for the OAuth credential directory. */
    static final String CREDMON_DIR_ENV = "SEC_CREDENTIAL_DIRECTORY_OAUTH";

    @Spec
    CommandSpec spec;

    @Option(names = "--data", paramLabel = "DIR",
            description = "Data directory: agent.key and the users' grants (default: $XDG_DATA_HOME/tessera/agent).")
    Path data;

    @Option(names = "--socket", paramLabel = "PATH",
            description = "The socket to listen on (default: $" + AgentClient.SOCKET_ENV + ", else DATA/agent.sock).")
    Path socket;

    @Option(names = "--credmon-dir", paramLabel = "DIR",
            description = "Keep this HTCondor OAuth credential directory (default: $" + CREDMON_DIR_ENV + ").")
    Path credmonDir;

    @Option(names = "--credmon-interval", paramLabel = "DURATION", defaultValue = "60s", converter = Durations.class,
            description = "How often to rescan the credential directory besides SIGHUP (default: ${DEFAULT-VALUE}).")
    Duration credmonInterval;

    @Option(names = "--credmon-token-format", paramLabel = "json|bare", defaultValue = "json",
            description = "How .use files hold the token: the token response as JSON, as condor_credmon_oauth writes "
                    + "it, or the bare token (default: ${DEFAULT-VALUE}).")
    String credmonFormat;

    @Option(names = "--credmon-mark-lifetime", paramLabel = "DURATION", defaultValue = "24h", converter = Durations.class,
            description = "Delete a credential whose .mark is older than this (CREDMON_OAUTH_TOKEN_LIFETIME; "
                    + "default: ${DEFAULT-VALUE}).")
    Duration markLifetime;

    @Option(names = "--refresh-token-lifetime", paramLabel = "DURATION", defaultValue = "14d", converter = Durations.class,
            description = "How long the issuers' refresh tokens last unused; one unused for half of it is renewed "
                    + "(default: ${DEFAULT-VALUE}, the Tessera issuer's).")
    Duration refreshLifetime;

    @Option(names = "--idle-after", paramLabel = "DURATION", defaultValue = "1h", converter = Durations.class,
            description = "Stop renewing a cached token nobody asked for in this long (default: ${DEFAULT-VALUE}).")
    Duration idleAfter;

    @Option(names = "--client-secret-file", paramLabel = "CLIENT_ID=FILE",
            description = "The secret of a confidential client, for the grants of that client (repeatable).")
    Map<String, Path> clientSecrets = new LinkedHashMap<>();

    @Mixin
    CaOptions ca;

    @Override
    public Integer call() throws IOException, InterruptedException {
        Map<String, String> env = System.getenv();
        Path dataDir = data != null ? data : ServerOptions.defaultData("agent");
        Path socketPath = socket != null ? socket : Optional.ofNullable(env.get(AgentClient.SOCKET_ENV))
                .filter(s -> !s.isBlank()).map(Path::of).orElse(dataDir.resolve("agent.sock"));
        Path credentials = credmonDir != null ? credmonDir : Optional.ofNullable(env.get(CREDMON_DIR_ENV))
                .filter(s -> !s.isBlank()).map(Path::of).orElse(null);
        CredentialDirectory.UseFormat format;
        try {
            format = CredentialDirectory.UseFormat.valueOf(credmonFormat.toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UsageError("--credmon-token-format is json or bare, not " + credmonFormat);
        }
        if (credmonInterval.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new UsageError("--credmon-interval must be at least 1s");
        }
        Map<String, String> secrets = new LinkedHashMap<>();
        clientSecrets.forEach((client, file) -> secrets.put(client, GetOptions.readSecret(file, "--client-secret-file")));
        AgentDaemon.Config config = new AgentDaemon.Config(dataDir, socketPath, credentials, credmonInterval,
                new Credmon.Settings(format, markLifetime), new TokenManager.Settings(refreshLifetime, idleAfter, secrets),
                RenewalPolicy.DEFAULT);
        AgentDaemon daemon;
        try {
            daemon = AgentDaemon.start(config, Transport.https(ca.paths()), Clock.systemUTC(), env);
        } catch (IOException e) {
            throw new UsageError("cannot start: " + FileErrors.describe(e), e);
        }
        PrintWriter out = spec.commandLine().getOut();
        out.println("tessera agent: listening on " + daemon.socket() + " (data " + dataDir.toAbsolutePath() + ")"
                + (credentials == null ? "" : "; HTCondor credential directory " + credentials.toAbsolutePath()));
        out.println("  store a grant:    tessera agent store --socket " + daemon.socket() + " -i ISSUER --client-id ID");
        out.println("  run a job:        tessera run --socket " + daemon.socket() + " --scopes 'read:/...' -- CMD");
        out.flush();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            daemon.close();
            stopped.countDown();
        }, "tessera-agent-shutdown"));
        stopped.await();
        return 0;
    }

    /** Prints one JSON object, or lines for people. */
    static void print(PrintWriter out, boolean json, Map<String, Object> data, List<String> lines) {
        if (json) {
            out.println(Json.write(data));
        } else {
            lines.forEach(out::println);
        }
    }

    /** {@code tessera agent store}: hand the agent a refresh token. */
    @Command(name = "store", mixinStandardHelpOptions = true, sortOptions = false,
            description = {
                    "Give the agent a refresh token for your jobs: log in with the device flow for the agent (default),",
                    "move the grant tessera get keeps in your vault (--from-vault; it is removed from the vault, since",
                    "the agent rotates it at once), or hand over a refresh token from a file (--refresh-token-file).",
                    "The agent checks it with the issuer and takes it over; nothing is stored if that fails.",
                    "Exit status: 0 stored, 1 refused or no agent, 2 usage error."},
            footerHeading = "%nExamples:%n",
            footer = {
                    "  tessera agent store -i https://tokens.example.org/vo/ligo --client-id 8f1c2e... --scopes 'read:/ligo'",
                    "  tessera agent store -i https://tokens.example.org/vo/ligo --from-vault",
                    "  htgettoken-like-tool --print-refresh-token | tessera agent store -i ISS --client-id ID --refresh-token-file -"})
    static final class Store implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        AgentOptions.Socket socket;

        @Option(names = {"-i", "--issuer"}, paramLabel = "URL", required = true, description = "The VO's issuer.")
        String issuer;

        @Option(names = "--client-id", paramLabel = "ID",
                description = "The client the refresh token is (to be) issued to (with --from-vault: default, the only "
                        + "one of the issuer in the vault).")
        String clientId;

        @Option(names = "--from-vault", description = "Move the grant of tessera get's vault to the agent.")
        boolean fromVault;

        @Option(names = "--vault", paramLabel = "FILE", description = "With --from-vault: the vault (default: tessera get's).")
        Path vault;

        @Option(names = "--vault-passphrase-file", paramLabel = "FILE",
                description = "With --from-vault: the vault's passphrase (default: $" + Vault.PASSPHRASE_ENV + ").")
        Path passphraseFile;

        @Option(names = "--refresh-token-file", paramLabel = "FILE",
                description = "Hand over the refresh token in FILE (- for standard input).")
        Path refreshTokenFile;

        @Option(names = "--scopes", paramLabel = "\"S1 S2\"",
                description = "For a login: the capabilities to ask for (default: all the client may have).")
        String scopes;

        @Option(names = "--audience", paramLabel = "A", description = "For a login: the audience to ask for (repeatable).")
        List<String> audiences = new java.util.ArrayList<>();

        @Option(names = "--nobrowser", description = "For a login: do not open a browser; only print the address.")
        boolean noBrowser;

        @Option(names = "--json", description = "Print the stored grant as JSON (never a token).")
        boolean json;

        @Mixin
        CaOptions ca;

        @Override
        public Integer call() throws InterruptedException {
            Map<String, String> env = System.getenv();
            if (fromVault && refreshTokenFile != null) {
                throw new UsageError("--from-vault and --refresh-token-file are two ways to give a token: choose one");
            }
            String iss = issuer.replaceAll("/+$", "");
            try {
                IssuerClient.checkIssuer(iss);
            } catch (IllegalArgumentException e) {
                throw new UsageError(e.getMessage());
            }
            PrintWriter err = spec.commandLine().getErr();
            Path agentSocket = socket.path(env);
            return AgentOptions.run("agent store", err, () -> {
                Map<String, Object> answer;
                if (fromVault) {
                    answer = moveFromVault(env, iss, agentSocket);
                } else {
                    if (clientId == null || clientId.isBlank()) {
                        throw new UsageError("name the client: --client-id ID");
                    }
                    String refreshToken = refreshTokenFile != null ? readRefreshToken() : login(iss, env, err);
                    answer = socket.call(env, agent -> agent.store(iss, clientId, refreshToken));
                }
                @SuppressWarnings("unchecked")
                Map<String, Object> grant = (Map<String, Object>) answer.get("grant");
                print(spec.commandLine().getOut(), json, grant, List.of("Stored a grant of " + grant.get("issuer")
                        + " (client " + grant.get("client_id") + ") with the agent at " + agentSocket,
                        "  scope: " + grant.get("scope")));
                return 0;
            });
        }

        private Map<String, Object> moveFromVault(Map<String, String> env, String iss, Path agentSocket)
                throws IOException, dev.tessera.agent.manager.AgentException {
            Path file;
            try {
                file = vault != null ? vault : Vault.defaultFile(env);
            } catch (IllegalStateException e) {
                throw new UsageError(e.getMessage() + " (--vault FILE)");
            }
            String fromEnv = env.get(Vault.PASSPHRASE_ENV);
            char[] passphrase = passphraseFile != null ? GetOptions.readSecret(passphraseFile, "--vault-passphrase-file")
                    .toCharArray() : fromEnv == null || fromEnv.isEmpty() ? null : fromEnv.toCharArray();
            try (VaultSession session = new Vault(file, passphrase).lock()) {
                List<VaultEntry> held = session.entries().stream().filter(e -> e.issuer().equals(iss)
                        && (clientId == null || e.clientId().equals(clientId))).toList();
                if (held.size() != 1) {
                    throw new UsageError(held.isEmpty() ? "the vault " + file + " holds no grant of " + iss
                            + (clientId == null ? "" : " for client " + clientId) + ": log in with tessera get first"
                            : "the vault holds grants of several clients at " + iss + ": name one (--client-id)");
                }
                VaultEntry entry = held.get(0);
                Map<String, Object> answer;
                try (AgentClient agent = AgentClient.connect(agentSocket)) {
                    answer = agent.store(entry.issuer(), entry.clientId(), entry.refreshToken());
                }
                session.remove(entry.issuer(), entry.clientId()); // the agent rotated it: the vault's copy is spent
                return answer;
            } catch (dev.tessera.agent.vault.VaultException e) {
                throw new UsageError(e.getMessage());
            }
        }

        private String readRefreshToken() throws IOException {
            String content = refreshTokenFile.toString().equals("-")
                    ? new String(System.in.readAllBytes(), StandardCharsets.UTF_8)
                    : Files.readString(refreshTokenFile, StandardCharsets.UTF_8);
            String token = content.strip();
            if (token.isEmpty()) {
                throw new UsageError("--refresh-token-file: no refresh token in " + refreshTokenFile);
            }
            return token;
        }

        /** A device-flow login for the agent's own grant. */
        private String login(String iss, Map<String, String> env, PrintWriter err) throws IOException, InterruptedException {
            AccessRequest access;
            try {
                access = AccessRequest.parse(scopes, audiences, Duration.ZERO);
            } catch (InvalidScopeException e) {
                throw new UsageError("--scopes: " + e.getMessage());
            }
            IssuerClient client = IssuerClient.discover(iss, ClientCredentials.publicClient(clientId),
                    Transport.https(ca.paths()), Clock.systemUTC());
            try {
                DeviceAuthorization started = client.startDeviceAuthorization(new Narrowing(access.grantScope(),
                        access.audiences(), null));
                new TerminalPrompt(err, noBrowser ? null : new Browser(env)).show(iss, started);
                IssuedTokens tokens = new DevicePoller(Clock.systemUTC(), Sleeper.SYSTEM).await(client, started);
                if (tokens.refreshToken() == null) {
                    throw new IOException(iss + " issued no refresh token (offline_access was not granted)");
                }
                return tokens.refreshToken();
            } catch (OAuthError e) {
                throw new IOException("no refresh token from " + iss + ": " + e.getMessage(), e);
            }
        }
    }

    /** {@code tessera agent token}: a token from the agent, for scripts and queue hooks. */
    @Command(name = "token", mixinStandardHelpOptions = true, sortOptions = false,
            description = {
                    "Print an access token the agent mints for you, narrowed to --scopes and --audience with at least",
                    "--min-lifetime left (or write it to --outfile, 0600, atomically). A cached token that qualifies",
                    "costs no issuer request.",
                    "Exit status: 0 token, 1 refused or no agent, 2 usage error."},
            footerHeading = "%nExamples:%n",
            footer = {
                    "  tessera agent token --scopes 'read:/ligo/O4' --audience https://data.example.org --min-lifetime 10m",
                    "  tessera agent token -i https://tokens.example.org/vo/ligo -o \"$_CONDOR_SCRATCH_DIR/token\""})
    static final class Token implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        AgentOptions.Socket socket;

        @Mixin
        AgentOptions.Request request;

        @Option(names = {"-o", "--outfile"}, paramLabel = "FILE", description = "Write the token to FILE instead of printing it.")
        Path outfile;

        @Option(names = "--json", description = "Print what was obtained as JSON (the token only without --outfile).")
        boolean json;

        @Override
        public Integer call() throws InterruptedException {
            Map<String, String> env = System.getenv();
            var mint = request.mintRequest();
            return AgentOptions.run("agent token", spec.commandLine().getErr(), () -> {
                Minted minted = socket.call(env, agent -> agent.token(mint));
                if (outfile != null) {
                    TokenFiles.write(outfile, minted.token().token());
                }
                Map<String, Object> data = new LinkedHashMap<>();
                if (outfile == null) {
                    data.put("access_token", minted.token().token());
                } else {
                    data.put("token_file", outfile.toString());
                }
                data.put("obtained", minted.how().label());
                data.put("issuer", minted.issuer());
                data.put("client_id", minted.clientId());
                data.put("scope", minted.token().scope());
                data.put("audience", minted.token().audiences());
                data.put("expires_at", minted.token().expiresAt().toString());
                data.put("expires_in", Math.max(0, minted.token().remaining(Instant.now()).toSeconds()));
                print(spec.commandLine().getOut(), json, data, outfile == null ? List.of(minted.token().token())
                        : List.of("Wrote the token to " + outfile, "  " + GetCommand.summary(minted.token(), Instant.now())));
                return 0;
            });
        }
    }

    /** {@code tessera agent list}: your grants. */
    @Command(name = "list", mixinStandardHelpOptions = true,
            description = {"List the grants the agent keeps for you (never a token).",
                    "Exit status: 0 listed, 1 no agent."})
    static final class ListGrants implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        AgentOptions.Socket socket;

        @Option(names = "--json", description = "Print the agent's answer as JSON.")
        boolean json;

        @Override
        public Integer call() throws InterruptedException {
            Map<String, String> env = System.getenv();
            return AgentOptions.run("agent list", spec.commandLine().getErr(), () -> {
                Map<String, Object> answer = new LinkedHashMap<>(socket.call(env, AgentClient::list));
                answer.remove("ok");
                List<String> lines = new java.util.ArrayList<>();
                List<?> grants = (List<?>) answer.get("grants");
                lines.add("Grants of " + answer.get("user") + ": " + grants.size());
                for (Object g : grants) {
                    Map<?, ?> grant = (Map<?, ?>) g;
                    lines.add("  " + grant.get("issuer") + "  client " + grant.get("client_id") + "  scope: "
                            + grant.get("scope") + "  renewed " + Instant.ofEpochSecond((Long) grant.get("renewed_at"))
                            + ", cached tokens: " + grant.get("cached_tokens"));
                }
                print(spec.commandLine().getOut(), json, answer, lines);
                return 0;
            });
        }
    }

    /** {@code tessera agent forget}: drop (and revoke) a grant. */
    @Command(name = "forget", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Make the agent forget one of your grants and its cached tokens; with --revoke, revoke",
                    "the refresh token at the issuer first (it is kept if the issuer cannot be told).",
                    "Exit status: 0 forgotten, 1 no such grant, refused or no agent, 2 usage error."})
    static final class Forget implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Mixin
        AgentOptions.Socket socket;

        @Option(names = {"-i", "--issuer"}, paramLabel = "URL", description = "The grant's issuer (default: your only one).")
        String issuer;

        @Option(names = "--client-id", paramLabel = "ID", description = "The grant's client (default: the only one).")
        String clientId;

        @Option(names = "--revoke", description = "Revoke the refresh token at the issuer too.")
        boolean revoke;

        @Option(names = "--json", description = "Print the forgotten grant as JSON.")
        boolean json;

        @Override
        public Integer call() throws InterruptedException {
            Map<String, String> env = System.getenv();
            return AgentOptions.run("agent forget", spec.commandLine().getErr(), () -> {
                Map<String, Object> answer = new LinkedHashMap<>(socket.call(env, agent -> agent.forget(issuer, clientId,
                        revoke)));
                Map<?, ?> grant = (Map<?, ?>) answer.get("grant");
                answer.remove("ok");
                print(spec.commandLine().getOut(), json, answer, List.of("Forgot the grant of " + grant.get("issuer")
                        + " (client " + grant.get("client_id") + ")" + (revoke ? "; revoked at the issuer" : "")));
                return 0;
            });
        }
    }
}
