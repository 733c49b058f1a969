package dev.tessera.cli;

import dev.tessera.issuer.IssuerConfig;
import dev.tessera.issuer.IssuerServer;
import dev.tessera.issuer.domain.Client;
import dev.tessera.issuer.domain.PolicyRule;
import dev.tessera.issuer.domain.Vo;
import dev.tessera.issuer.service.AdminViews;
import dev.tessera.issuer.service.Administration;
import dev.tessera.issuer.service.policy.Policy;
import dev.tessera.token.Profile;
import dev.tessera.token.keys.Algorithm;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code tessera issuer info|vo|client|user|group|policy|keys}: administration of an issuer's data
 * directory or database. A running server sees each change within a second.
 */
final class IssuerAdminCommands {
    private IssuerAdminCommands() {
    }

    /** What every admin command does around its work: open the database, map errors, print. */
    abstract static class AdminTask implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        abstract IssuerCommand issuer();

        abstract Object run(Administration admin, IssuerConfig config) throws IOException;

        /** The human form of {@link #run}'s result. */
        abstract void print(Object result, PrintWriter out);

        @Override
        public Integer call() throws Exception {
            IssuerConfig config = issuer().config();
            Object result;
            try (IssuerServer.Admin admin = IssuerServer.Admin.open(config, System.getenv())) {
                result = run(admin.administration(), config);
            } catch (IllegalArgumentException e) {
                throw new UsageError(e.getMessage(), e);
            }
            PrintWriter out = spec.commandLine().getOut();
            if (json) {
                out.println(JsonText.pretty(result));
            } else {
                print(result, out);
            }
            out.flush();
            return 0;
        }
    }

    @Command(name = "admin", mixinStandardHelpOptions = true,
            description = {"Set a new one-time password for a deployment administrator of the admin API (made if",
                    "missing); it only opens a password change at POST /admin/api/token. For a lost password."},
            footer = {"", "Example:", "  tessera issuer admin --data ./issuer --username admin"})
    static final class AdminPassword extends AdminTask {
        @ParentCommand
        IssuerCommand issuer;

        @Option(names = "--username", defaultValue = "admin", paramLabel = "NAME",
                description = "The administrator (default: ${DEFAULT-VALUE}).")
        String username;

        @Override
        IssuerCommand issuer() {
            return issuer;
        }

        @Override
        Object run(Administration admin, IssuerConfig config) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("username", username);
            m.put("one_time_password", admin.resetAdministratorPassword(username));
            return m;
        }

        @Override
        void print(Object result, PrintWriter out) {
            Map<?, ?> m = (Map<?, ?>) result;
            out.printf("One-time password for %s: %s%n(shown only now; change it at POST /admin/api/token with new_password)%n",
                    m.get("username"), m.get("one_time_password"));
        }
    }

    /** An admin task about one VO ({@code --vo}; may be left out when there is only one). */
    abstract static class VoTask extends AdminTask {
        @Option(names = "--vo", paramLabel = "NAME", description = "The VO (default: the only one).")
        String vo;

        String vo(Administration admin) {
            if (vo != null) {
                return admin.vo(vo).name();
            }
            List<Vo> vos = admin.vos();
            if (vos.size() != 1) {
                throw new UsageError(vos.isEmpty() ? "no VO yet: start the issuer once, or tessera issuer vo add"
                        : "several VOs: choose one with --vo (" + String.join(", ", vos.stream().map(Vo::name).toList()) + ")");
            }
            return vos.get(0).name();
        }
    }

    @Command(name = "info", mixinStandardHelpOptions = true,
            description = "Print the issuers (VOs) and the server's TLS certificate.")
    static final class Info extends AdminTask {
        @ParentCommand
        IssuerCommand issuer;

        @Override
        IssuerCommand issuer() {
            return issuer;
        }

        @Override
        Object run(Administration admin, IssuerConfig config) {
            List<Map<String, Object>> issuers = new ArrayList<>();
            for (Vo vo : admin.vos()) {
                Map<String, Object> one = new LinkedHashMap<>();
                one.put("vo", vo.name());
                one.put("iss", vo.issuer());
                one.put("profile", vo.profile().displayName());
                issuers.add(one);
            }
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("issuers", issuers);
            Path cert = config.tlsCert() != null ? config.tlsCert() : config.data().resolve("tls").resolve("server.pem");
            info.put("tls_cert", cert.toAbsolutePath().toString());
            return info;
        }

        @Override
        @SuppressWarnings("unchecked")
        void print(Object result, PrintWriter out) {
            Map<String, Object> info = (Map<String, Object>) result;
            for (Map<String, Object> vo : (List<Map<String, Object>>) info.get("issuers")) {
                out.printf("VO %s: iss %s (%s)%n", vo.get("vo"), vo.get("iss"), vo.get("profile"));
            }
            out.printf("TLS certificate: %s%n", info.get("tls_cert"));
        }
    }

    @Command(name = "vo", mixinStandardHelpOptions = true, description = "Add and list VOs.",
            subcommands = {VoCommand.Add.class, VoCommand.ListVos.class})
    static final class VoCommand {
        @ParentCommand
        IssuerCommand issuer;

        @Command(name = "add", mixinStandardHelpOptions = true,
                description = "Add a VO: its own iss (PUBLIC_URL/vo/NAME), signing key, clients and policy.")
        static final class Add extends AdminTask {
            @ParentCommand
            VoCommand parent;

            @Option(names = "--name", required = true, paramLabel = "NAME", description = "Short name, e.g. ligo.")
            String name;

            @Option(names = "--public-url", required = true, paramLabel = "URL",
                    description = "The https URL of the server; iss becomes URL/vo/NAME.")
            String publicUrl;

            @Option(names = "--profile", paramLabel = "P", defaultValue = "scitokens",
                    description = "scitokens (SciTokens 2.0) or wlcg (WLCG 1.0); default: ${DEFAULT-VALUE}.")
            String profile;

            @Option(names = "--alg", paramLabel = "ALG", defaultValue = "ES256", description = "ES256 or RS256; default: ${DEFAULT-VALUE}.")
            Algorithm algorithm;

            @Option(names = "--lifetime", paramLabel = "DURATION", defaultValue = "20m", converter = Durations.class,
                    description = "Access token lifetime; default: ${DEFAULT-VALUE}.")
            Duration lifetime;

            @Option(names = "--max-lifetime", paramLabel = "DURATION", defaultValue = "6h", converter = Durations.class,
                    description = "Longest access token lifetime a request may get; default: ${DEFAULT-VALUE}.")
            Duration maxLifetime;

            @Option(names = "--default-audience", paramLabel = "AUD",
                    description = "aud when a request names none (default: the profile's 'any').")
            String defaultAudience;

            @Option(names = "--refresh-lifetime", paramLabel = "DURATION", converter = Durations.class,
                    description = "Refresh token lifetime, renewed on each use (default: 14d).")
            Duration refreshLifetime;

            @Option(names = "--device-code-lifetime", paramLabel = "DURATION", converter = Durations.class,
                    description = "How long a device authorization waits for approval (default: 10m).")
            Duration deviceCodeLifetime;

            @Option(names = "--id-token-lifetime", paramLabel = "DURATION", converter = Durations.class,
                    description = "ID token lifetime (default: 10m).")
            Duration idTokenLifetime;

            @Override
            IssuerCommand issuer() {
                return parent.issuer;
            }

            @Override
            Object run(Administration admin, IssuerConfig config) {
                if (!publicUrl.startsWith("https://")) {
                    throw new UsageError("--public-url must be https: " + publicUrl);
                }
                Profile p = switch (profile.toLowerCase(java.util.Locale.ROOT)) {
                    case "scitokens", "scitokens2", "scitokens-2.0" -> Profile.SCITOKENS_2;
                    case "wlcg", "wlcg1", "wlcg-1.0" -> Profile.WLCG_1;
                    default -> throw new UsageError("--profile is scitokens or wlcg, not " + profile);
                };
                Vo vo = admin.addVo(new Administration.VoSettings(name, p, algorithm, lifetime, maxLifetime, defaultAudience,
                        refreshLifetime, deviceCodeLifetime, idTokenLifetime), publicUrl);
                return AdminViews.of(vo);
            }

            @Override
            void print(Object result, PrintWriter out) {
                out.printf("Added VO %s: iss %s%n", ((Map<?, ?>) result).get("vo"), ((Map<?, ?>) result).get("iss"));
            }
        }

        @Command(name = "list", mixinStandardHelpOptions = true, description = "List the VOs.")
        static final class ListVos extends AdminTask {
            @ParentCommand
            VoCommand parent;

            @Override
            IssuerCommand issuer() {
                return parent.issuer;
            }

            @Override
            Object run(Administration admin, IssuerConfig config) {
                return admin.vos().stream().map(AdminViews::of).toList();
            }

            @Override
            void print(Object result, PrintWriter out) {
                for (Object vo : (List<?>) result) {
                    Map<?, ?> m = (Map<?, ?>) vo;
                    out.printf("%-16s %s  %s, %s tokens of %s (at most %s), aud %s%n", m.get("vo"), m.get("iss"),
                            m.get("profile"), m.get("algorithm"), m.get("lifetime"), m.get("max_lifetime"),
                            m.get("default_audience"));
                }
            }
        }
    }

    @Command(name = "client", mixinStandardHelpOptions = true, description = "Register, list and remove OAuth clients.",
            subcommands = {ClientCommand.Add.class, ClientCommand.ListClients.class, ClientCommand.Remove.class})
    static final class ClientCommand {
        @ParentCommand
        IssuerCommand issuer;

        @Command(name = "add", mixinStandardHelpOptions = true,
                description = {"Register a client. A confidential client's secret is printed once and stored only hashed."})
        static final class Add extends VoTask {
            @ParentCommand
            ClientCommand parent;

            @Option(names = "--name", required = true, paramLabel = "NAME", description = "Shown to people on consent pages.")
            String name;

            @Option(names = "--grant", required = true, paramLabel = "GRANT",
                    description = "Grant type it may use (repeatable): client_credentials, authorization_code, refresh_token, "
                            + "urn:ietf:params:oauth:grant-type:device_code, urn:ietf:params:oauth:grant-type:token-exchange.")
            List<String> grants;

            @Option(names = "--scope", paramLabel = "SCOPES", defaultValue = "",
                    description = "The most it may obtain, e.g. 'read:/data compute.create offline_access' (placeholders as in policy).")
            String scope;

            @Option(names = "--audience", paramLabel = "AUD", description = "An audience it may ask for (repeatable; default: any but the wildcards).")
            List<String> audiences = new ArrayList<>();

            @Option(names = "--redirect-uri", paramLabel = "URI", description = "An exact redirect URI (repeatable).")
            List<String> redirectUris = new ArrayList<>();

            @Option(names = "--public", description = "A public client (no secret; PKCE required).")
            boolean isPublic;

            @Option(names = "--jwks", paramLabel = "FILE",
                    description = "Its public keys (a JWKS file): it authenticates with private_key_jwt, and gets no secret.")
            Path jwks;

            @Option(names = "--access-lifetime", paramLabel = "DURATION", converter = Durations.class,
                    description = "Its default access token lifetime, e.g. 10m (default: the VO's).")
            Duration accessLifetime;

            @Option(names = "--max-access-lifetime", paramLabel = "DURATION", converter = Durations.class,
                    description = "The longest access token a request (expires_in) may get (default and ceiling: the VO's).")
            Duration maxAccessLifetime;

            @Option(names = "--refresh-lifetime", paramLabel = "DURATION", converter = Durations.class,
                    description = "Its refresh tokens' lifetime, renewed on each use (default and ceiling: the VO's).")
            Duration refreshLifetime;

            @Option(names = "--id-token-lifetime", paramLabel = "DURATION", converter = Durations.class,
                    description = "Its ID tokens' lifetime (default and ceiling: the VO's).")
            Duration idTokenLifetime;

            @Option(names = "--device-code-lifetime", paramLabel = "DURATION", converter = Durations.class,
                    description = "How long its device authorizations wait for approval (default and ceiling: the VO's).")
            Duration deviceCodeLifetime;

            @Override
            IssuerCommand issuer() {
                return parent.issuer;
            }

            @Override
            Object run(Administration admin, IssuerConfig config) throws IOException {
                if (isPublic && jwks != null) {
                    throw new IllegalArgumentException("--public and --jwks exclude each other: a public client has no credentials");
                }
                Administration.Credentials credentials = jwks != null ? Administration.Credentials.PRIVATE_KEY_JWT
                        : isPublic ? Administration.Credentials.NONE : Administration.Credentials.SECRET;
                Administration.NewClient created = admin.addClient(vo(admin), new Administration.ClientSettings(name,
                        new LinkedHashSet<>(grants), scope, audiences, redirectUris, credentials,
                        jwks == null ? null : Files.readString(jwks),
                        new Client.Lifetimes(accessLifetime, maxAccessLifetime, refreshLifetime, idTokenLifetime,
                                deviceCodeLifetime), false));
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("client_id", created.client().clientId());
                if (created.secret() != null) {
                    m.put("client_secret", created.secret());
                }
                m.put("vo", created.client().vo());
                m.put("token_endpoint", admin.vo(created.client().vo()).issuer() + "/token");
                return m;
            }

            @Override
            void print(Object result, PrintWriter out) {
                Map<?, ?> m = (Map<?, ?>) result;
                out.printf("client_id:     %s%n", m.get("client_id"));
                if (m.containsKey("client_secret")) {
                    out.printf("client_secret: %s%n(shown only now: it is stored hashed)%n", m.get("client_secret"));
                }
                out.printf("token endpoint: %s%n", m.get("token_endpoint"));
            }
        }

        @Command(name = "list", mixinStandardHelpOptions = true, description = "List a VO's clients.")
        static final class ListClients extends VoTask {
            @ParentCommand
            ClientCommand parent;

            @Override
            IssuerCommand issuer() {
                return parent.issuer;
            }

            @Override
            Object run(Administration admin, IssuerConfig config) {
                return admin.clients(vo(admin)).stream().map(AdminViews::of).toList();
            }

            @Override
            void print(Object result, PrintWriter out) {
                for (Object client : (List<?>) result) {
                    Map<?, ?> m = (Map<?, ?>) client;
                    out.printf("%s  %s (%s)  grants %s  scope '%s'%n", m.get("client_id"), m.get("name"),
                            Boolean.TRUE.equals(m.get("public")) ? "public" : "confidential", m.get("grants"), m.get("scope"));
                }
            }
        }

        @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove a client.")
        static final class Remove extends VoTask {
            @ParentCommand
            ClientCommand parent;

            @Option(names = "--client-id", required = true, paramLabel = "ID")
            String clientId;

            @Override
            IssuerCommand issuer() {
                return parent.issuer;
            }

            @Override
            Object run(Administration admin, IssuerConfig config) {
                admin.removeClient(vo(admin), clientId);
                return Map.of("removed", clientId);
            }

            @Override
            void print(Object result, PrintWriter out) {
                out.printf("Removed client %s%n", clientId);
            }
        }
    }

    @Command(name = "user", mixinStandardHelpOptions = true, description = "Add and list local accounts.",
            subcommands = {UserCommand.Add.class, UserCommand.ListUsers.class})
    static final class UserCommand {
        @ParentCommand
        IssuerCommand issuer;

        @Command(name = "add", mixinStandardHelpOptions = true, description = "Add a local account.")
        static final class Add extends VoTask {
            @ParentCommand
            UserCommand parent;

            @Option(names = "--username", required = true, paramLabel = "NAME")
            String username;

            @Option(names = "--password-stdin", required = true,
                    description = "Read the password (at least 12 characters) from the first line of standard input.")
            boolean passwordStdin;

            @Option(names = "--group", paramLabel = "/GROUP", description = "A group, e.g. /ligo/analysis (repeatable).")
            List<String> groups = new ArrayList<>();

            @Option(names = "--claim", paramLabel = "k=v|k:=json",
                    description = "An identity claim for ID tokens and userinfo (with the profile scope), e.g. uidNumber:=5001 (repeatable).")
            List<String> claims = new ArrayList<>();

            @Override
            IssuerCommand issuer() {
                return parent.issuer;
            }

            @Override
            Object run(Administration admin, IssuerConfig config) throws IOException {
                Map<String, Object> identity = CreateCommand.parseClaims(claims); // before the account exists
                String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
                if (line == null || line.isEmpty()) {
                    throw new UsageError("no password on standard input");
                }
                return AdminViews.of(admin.addUser(vo(admin), username, line.toCharArray(), groups, identity));
            }

            @Override
            void print(Object result, PrintWriter out) {
                Map<?, ?> m = (Map<?, ?>) result;
                out.printf("Added user %s (sub %s) in %s%n", m.get("username"), m.get("sub"), m.get("groups"));
            }
        }

        @Command(name = "list", mixinStandardHelpOptions = true, description = "List a VO's accounts.")
        static final class ListUsers extends VoTask {
            @ParentCommand
            UserCommand parent;

            @Override
            IssuerCommand issuer() {
                return parent.issuer;
            }

            @Override
            Object run(Administration admin, IssuerConfig config) {
                return admin.users(vo(admin)).stream().map(AdminViews::of).toList();
            }

            @Override
            void print(Object result, PrintWriter out) {
                for (Object user : (List<?>) result) {
                    Map<?, ?> m = (Map<?, ?>) user;
                    out.printf("%-20s sub %s  groups %s%n", m.get("username"), m.get("sub"), m.get("groups"));
                }
            }
        }
    }

    @Command(name = "group", mixinStandardHelpOptions = true, description = "Group memberships.",
            subcommands = {GroupCommand.Add.class})
    static final class GroupCommand {
        @ParentCommand
        IssuerCommand issuer;

        @Command(name = "add", mixinStandardHelpOptions = true, description = "Add a user to groups.")
        static final class Add extends VoTask {
            @ParentCommand
            GroupCommand parent;

            @Option(names = "--username", required = true, paramLabel = "NAME")
            String username;

            @Option(names = "--group", required = true, paramLabel = "/GROUP", description = "A group (repeatable).")
            List<String> groups;

            @Override
            IssuerCommand issuer() {
                return parent.issuer;
            }

            @Override
            Object run(Administration admin, IssuerConfig config) {
                String name = vo(admin);
                admin.addGroups(name, username, groups);
                return AdminViews.of(admin.user(name, username));
            }

            @Override
            void print(Object result, PrintWriter out) {
                out.printf("%s is in %s%n", username, ((Map<?, ?>) result).get("groups"));
            }
        }
    }

    @Command(name = "policy", mixinStandardHelpOptions = true, description = "Who may obtain which capability.",
            subcommands = {PolicyCommand.Add.class, PolicyCommand.ListRules.class, PolicyCommand.Remove.class,
                    PolicyCommand.Explain.class})
    static final class PolicyCommand {
        @ParentCommand
        IssuerCommand issuer;

        @Command(name = "add", mixinStandardHelpOptions = true,
                description = {"Add a rule: a group, user or client may (or, with --deny, may not) obtain a scope template.",
                        "Placeholders: {username}, {sub}, {client_id}. A narrower path than a rule grants is granted too."})
        static final class Add extends VoTask {
            @ParentCommand
            PolicyCommand parent;

            @Option(names = "--group", paramLabel = "/GROUP")
            String group;

            @Option(names = "--user", paramLabel = "NAME")
            String user;

            @Option(names = "--client", paramLabel = "ID")
            String client;

            @Option(names = "--scope", required = true, paramLabel = "TEMPLATE",
                    description = "e.g. 'read:/ligo write:/home/{username} compute.create'")
            String scope;

            @Option(names = "--deny", description = "Refuse these scopes (and any overlapping request) instead.")
            boolean deny;

            @Override
            IssuerCommand issuer() {
                return parent.issuer;
            }

            @Override
            Object run(Administration admin, IssuerConfig config) {
                int given = (group != null ? 1 : 0) + (user != null ? 1 : 0) + (client != null ? 1 : 0);
                if (given != 1) {
                    throw new UsageError("name exactly one of --group, --user, --client");
                }
                PolicyRule.Kind kind = group != null ? PolicyRule.Kind.GROUP : user != null ? PolicyRule.Kind.USER
                        : PolicyRule.Kind.CLIENT;
                String subject = group != null ? group : user != null ? user : client;
                return AdminViews.of(admin.addRule(vo(admin), kind, subject, scope,
                        deny ? PolicyRule.Effect.DENY : PolicyRule.Effect.GRANT));
            }

            @Override
            void print(Object result, PrintWriter out) {
                Map<?, ?> m = (Map<?, ?>) result;
                out.printf("Added rule %s: %s%n", m.get("id"), m.get("rule"));
            }
        }

        @Command(name = "list", mixinStandardHelpOptions = true, description = "List a VO's rules.")
        static final class ListRules extends VoTask {
            @ParentCommand
            PolicyCommand parent;

            @Override
            IssuerCommand issuer() {
                return parent.issuer;
            }

            @Override
            Object run(Administration admin, IssuerConfig config) {
                return admin.rules(vo(admin)).stream().map(AdminViews::of).toList();
            }

            @Override
            void print(Object result, PrintWriter out) {
                for (Object rule : (List<?>) result) {
                    Map<?, ?> m = (Map<?, ?>) rule;
                    out.printf("%s  %s%n", m.get("id"), m.get("rule"));
                }
            }
        }

        @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove a rule.")
        static final class Remove extends VoTask {
            @ParentCommand
            PolicyCommand parent;

            @Option(names = "--id", required = true, paramLabel = "ID")
            String id;

            @Override
            IssuerCommand issuer() {
                return parent.issuer;
            }

            @Override
            Object run(Administration admin, IssuerConfig config) {
                admin.removeRule(vo(admin), id);
                return Map.of("removed", id);
            }

            @Override
            void print(Object result, PrintWriter out) {
                out.printf("Removed rule %s%n", id);
            }
        }

        @Command(name = "explain", mixinStandardHelpOptions = true,
                description = {"A dry run: which scopes a user (or, without --user, the client itself) would get through a client,",
                        "and the rule or reason behind each. Exit status 1 when nothing would be granted."})
        static final class Explain extends VoTask {
            @ParentCommand
            PolicyCommand parent;

            @Option(names = "--user", paramLabel = "NAME")
            String user;

            @Option(names = "--client", required = true, paramLabel = "ID")
            String client;

            @Option(names = "--scope", paramLabel = "SCOPES", defaultValue = "",
                    description = "The requested scope (default: nothing named, i.e. everything allowed).")
            String scope;

            private boolean nothingGranted;

            @Override
            IssuerCommand issuer() {
                return parent.issuer;
            }

            @Override
            Object run(Administration admin, IssuerConfig config) {
                Policy.Decision decision = admin.explain(vo(admin), user, client, scope);
                nothingGranted = decision.granted().isEmpty();
                return AdminViews.of(decision);
            }

            @Override
            void print(Object result, PrintWriter out) {
                Map<?, ?> m = (Map<?, ?>) result;
                for (Object verdict : (List<?>) m.get("verdicts")) {
                    Map<?, ?> v = (Map<?, ?>) verdict;
                    out.printf("%-8s %-32s %s%n", Boolean.TRUE.equals(v.get("granted")) ? "GRANTED" : "REFUSED",
                            v.get("scope"), v.get("reason"));
                }
                out.printf("scope: %s%n", m.get("granted"));
            }

            @Override
            public Integer call() throws Exception {
                int status = super.call();
                return status == 0 && nothingGranted ? Tessera.INVALID : status;
            }
        }
    }

    @Command(name = "keys", mixinStandardHelpOptions = true, description = "A VO's signing keys.",
            subcommands = {KeysCommand.Rotate.class, KeysCommand.Schedule.class, KeysCommand.ListKeys.class})
    static final class KeysCommand {
        @ParentCommand
        IssuerCommand issuer;

        @Command(name = "rotate", mixinStandardHelpOptions = true,
                description = {"Start a key rotation: a new key is published now and signs after --prepublish (by then",
                        "every verifier has fetched it); the old key stays published until its last token expired."})
        static final class Rotate extends VoTask {
            @ParentCommand
            KeysCommand parent;

            @Option(names = "--prepublish", paramLabel = "DURATION", converter = Durations.class,
                    description = "How long before it signs (default: the configured verifier_cache_time).")
            Duration prepublish;

            @Override
            IssuerCommand issuer() {
                return parent.issuer;
            }

            @Override
            Object run(Administration admin, IssuerConfig config) {
                return AdminViews.of(admin.rotateKey(vo(admin), prepublish != null ? prepublish : config.verifierCacheTime()));
            }

            @Override
            void print(Object result, PrintWriter out) {
                Map<?, ?> m = (Map<?, ?>) result;
                out.printf("New key %s published now, signing from %s%n", m.get("kid"), m.get("activates_at"));
            }
        }

        @Command(name = "schedule", mixinStandardHelpOptions = true,
                description = {"Rotate a VO's keys automatically: the running server starts a rotation when the active",
                        "key has signed for --every minus the verifier_cache_time, which is how long the next key",
                        "is pre-published. --off returns to rotating by hand."},
                footer = {"", "Example:", "  tessera issuer keys schedule --vo ligo --every 90d"})
        static final class Schedule extends VoTask {
            @ParentCommand
            KeysCommand parent;

            @picocli.CommandLine.ArgGroup(multiplicity = "1")
            When when;

            static final class When {
                @Option(names = "--every", paramLabel = "DURATION", converter = Durations.class,
                        description = "How long each key signs, e.g. 90d (at least a day).")
                Duration every;

                @Option(names = "--off", description = "No automatic rotation.")
                boolean off;
            }

            @Override
            IssuerCommand issuer() {
                return parent.issuer;
            }

            @Override
            Object run(Administration admin, IssuerConfig config) {
                String vo = vo(admin);
                admin.setKeySchedule(vo, when.off ? null : when.every);
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("vo", vo);
                m.put("rotate_every", when.off ? null : Durations.format(when.every));
                return m;
            }

            @Override
            void print(Object result, PrintWriter out) {
                Map<?, ?> m = (Map<?, ?>) result;
                out.println(m.get("rotate_every") == null ? "VO " + m.get("vo") + ": keys rotate only by hand"
                        : "VO " + m.get("vo") + ": keys rotate every " + m.get("rotate_every"));
            }
        }

        @Command(name = "list", mixinStandardHelpOptions = true, description = "List a VO's keys.")
        static final class ListKeys extends VoTask {
            @ParentCommand
            KeysCommand parent;

            @Override
            IssuerCommand issuer() {
                return parent.issuer;
            }

            @Override
            Object run(Administration admin, IssuerConfig config) {
                return admin.keys(vo(admin)).stream().map(AdminViews::of).toList();
            }

            @Override
            void print(Object result, PrintWriter out) {
                for (Object key : (List<?>) result) {
                    Map<?, ?> m = (Map<?, ?>) key;
                    out.printf("%s  %s  created %s, signs from %s%n", m.get("kid"), m.get("algorithm"), m.get("created_at"),
                            m.get("activates_at"));
                }
            }
        }
    }

}
