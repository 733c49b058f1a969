package dev.tessera.interop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.cli.demo.ScriptedPerson;
import dev.tessera.issuer.domain.Account;
import dev.tessera.issuer.domain.Client;
import dev.tessera.issuer.service.Administration;
import dev.tessera.token.Profile;
import dev.tessera.token.discovery.TrustMaterial;
import dev.tessera.token.keys.Algorithm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * oidc-agent 4.2.6 (Debian's oidc-agent-cli) against Tessera's issuer, the way a person at a terminal uses it:
 * {@code oidc-gen --flow=device} prints a code, the person (here {@link ScriptedPerson}) signs in on the VO's
 * device page and approves or denies, oidc-gen stores the account, and {@code oidc-token} hands out access tokens,
 * refreshing them (for another audience with {@code --aud}) with the refresh token the device flow gave. The
 * tokens are checked by their claims and by scitokens-cpp 0.7.3, which discovers the VO's keys over HTTPS.
 *
 * <p>What oidc-agent sends (from its debug log), all to the VO's metadata endpoints:
 * <ul>
 * <li>{@code POST ISS/device_authorization} {@code client_id=ID&scope=openid offline_access read:/data}, client
 *     authenticated with HTTP Basic; the scope is not percent-encoded;</li>
 * <li>{@code POST ISS/token} {@code grant_type=urn:ietf:params:oauth:grant-type:device_code&device_code=...}
 *     (plus {@code &audience=A} with oidc-gen's {@code --aud=A}) every {@code interval}, each poll preceded by a
 *     discovery GET;</li>
 * <li>{@code oidc-token [--aud A] -f}: {@code POST ISS/token}
 *     {@code grant_type=refresh_token&refresh_token=...&scope=openid offline_access read:/data[&audience=A]}.</li>
 * </ul>
 *
 * <p>Dynamic registration: oidc-gen without {@code --client-id} POSTs JSON to {@code registration_endpoint}:
 * {@code {"application_type":"web","client_name":"oidc-agent:NAME-HOST","response_types":[],
 * "grant_types":["refresh_token","urn:ietf:params:oauth:grant-type:device_code"],"scope":"...",
 * "redirect_uris":["http://localhost:4242","http://localhost:RANDOM","http://localhost:8080",
 * "edu.kit.data.oidc-agent:/redirect"]}} (redirect URIs even for the device flow). The last one is a private-use
 * URI scheme redirect (RFC 8252 §7.1), which the issuer accepts; with {@code --redirect-uri=http://localhost:4242}
 * oidc-gen sends only that one.
 *
 * <p>Three behaviours oidc-agent depends on, each found by this test against an earlier issuer: a refused refresh
 * leaves the refresh token usable (oidc-agent keeps only one); a grant narrower than the account's scope still
 * refreshes (oidc-agent always asks for its configured scope); oidc-gen's default redirect URIs register.
 */
class OidcAgentIT {
    private static final String VO = "sci";
    private static final String USERNAME = "alice";
    private static final String PASSWORD = "correct horse battery staple";
    /** What policy gives alice's group. */
    private static final String GRANTED = "read:/data";
    /** What oidc-gen asks for: an ID token, a refresh token ({@code offline_access}) and what alice may have. */
    private static final String SCOPE = "openid offline_access " + GRANTED;
    /** More than policy gives alice. */
    private static final String BEYOND_POLICY = SCOPE + " write:/data";
    private static final String AUDIENCE = "https://storage.example.org";
    private static final String OTHER_AUDIENCE = "https://other.example.org";
    /** What self-registering clients may get in this VO. */
    private static final Set<String> REGISTRATION_GRANTS = Set.of(Client.DEVICE_CODE, Client.REFRESH_TOKEN);
    private static final String REGISTRATION_SCOPE = SCOPE; // not write:/data

    @TempDir
    static Path work;
    private static TesseraIssuer issuer;
    private static String iss;
    private static Account alice;
    private static Administration.NewClient client;
    private static OidcAgent agent;

    @BeforeAll
    static void start() throws Exception {
        Peers.require("scitokens-verify", "scitokens-test-access");
        issuer = TesseraIssuer.start(work.resolve("issuer"));
        iss = issuer.addVo(VO, Profile.SCITOKENS_2, Algorithm.ES256);
        alice = issuer.person(VO, USERNAME, PASSWORD, "/sci", GRANTED);
        client = issuer.deviceClient(VO, "oidc-agent", BEYOND_POLICY); // policy, not the client, limits alice
        issuer.admin().setRegistration(VO, REGISTRATION_GRANTS, REGISTRATION_SCOPE);
        issuer.server().refresh();
        agent = OidcAgent.start(work.resolve("agent"));
    }

    @AfterAll
    static void stop() {
        try {
            if (agent != null) {
                agent.close();
            }
        } finally {
            if (issuer != null) {
                issuer.close();
            }
        }
    }

    @Test
    void aPreRegisteredClientGetsAlicesTokensAndRefreshesThemForEachAudience() throws Exception {
        ScriptedPerson.Decision approved = generateApproved("pre", preRegistered(SCOPE));
        assertThat(approved.offered().values()).containsExactlyInAnyOrder(GRANTED, "openid", "offline_access");

        String first = token("pre");
        Map<String, Object> claims = TesseraIssuer.part(first, 1);
        assertThat(claims).containsEntry("iss", iss).containsEntry("sub", alice.subject()).containsEntry("scope", GRANTED)
                .containsEntry("aud", Profile.SCITOKENS_2.anyAudience()) // nothing asked: the VO's default
                .containsEntry("client_id", client.client().clientId());
        assertVerified(first);

        int logged = agent.requests().length();
        String forStorage = token("pre", "--aud=" + AUDIENCE, "-f");
        assertThat(TesseraIssuer.part(forStorage, 1)).containsEntry("aud", AUDIENCE).containsEntry("sub", alice.subject())
                .containsEntry("scope", GRANTED);
        assertThat(agent.requests().substring(logged)).as("a refresh grant naming the audience")
                .contains("Data to send: grant_type=refresh_token&refresh_token=", "&audience=" + AUDIENCE);
        assertVerified(forStorage);
        assertThat(allowed(forStorage, AUDIENCE, "read", "/data/file")).isTrue();
        assertThat(allowed(forStorage, AUDIENCE, "write", "/data/file")).isFalse();

        String forOther = token("pre", "--aud=" + OTHER_AUDIENCE, "-f");
        assertThat(TesseraIssuer.part(forOther, 1)).containsEntry("aud", OTHER_AUDIENCE);
        assertVerified(forOther);
        assertThat(allowed(forOther, AUDIENCE, "read", "/data/file")).as("a token for another service").isFalse();

        // every refresh rotated the refresh token: the agent must have kept the newest
        String again = token("pre", "-f");
        assertThat(TesseraIssuer.part(again, 1).get("jti")).isNotEqualTo(claims.get("jti"));
    }

    @Test
    void anAudienceGivenToOidcGenIsTheAccountsAudienceAndItsLimit() throws Exception {
        generateApproved("aud", preRegistered(SCOPE, "--aud=" + AUDIENCE));
        String token = token("aud");
        assertThat(TesseraIssuer.part(token, 1)).containsEntry("aud", AUDIENCE);
        assertThat(allowed(token, AUDIENCE, "read", "/data/file")).isTrue();

        // oidc-gen's --aud "limits issued tokens to the specified audience", and the grant is for that audience
        Peers.Result elsewhere = agent.token("aud", "--aud=" + OTHER_AUDIENCE, "-f");
        assertThat(elsewhere.exit()).as(elsewhere.output()).isNotZero();
        assertThat(elsewhere.output()).contains("invalid_target", "can only narrow the audience");
    }

    /**
     * A refresh the issuer refuses must leave the refresh token usable: the client got no new one, and
     * oidc-agent's next refresh presents the same (its only) token, which must not count as reuse.
     */
    @Test
    void aRefusedRefreshLeavesTheAccountUsable() throws Exception {
        generateApproved("retry", preRegistered(SCOPE, "--aud=" + AUDIENCE));
        assertThat(agent.token("retry", "--aud=" + OTHER_AUDIENCE, "-f").exit()).isNotZero();
        assertThat(TesseraIssuer.part(token("retry", "-f"), 1)).containsEntry("aud", AUDIENCE);
    }

    /**
     * Policy gives alice less than oidc-gen asked for (or she unticks a scope on the consent page): the token
     * response says what was granted ({@code "scope":"read:/data openid offline_access"}), but oidc-agent keeps
     * asking for its account's scope on every refresh ({@code scope=openid offline_access read:/data write:/data}):
     * the issuer grants what the grant holds of it.
     */
    @Test
    void aGrantNarrowerThanAskedForStillRefreshes() throws Exception {
        generateApproved("narrower", preRegistered(BEYOND_POLICY));
        assertThat(TesseraIssuer.part(token("narrower", "-f"), 1)).containsEntry("scope", GRANTED);
    }

    @Test
    void oidcGenRegistersItsOwnClientWithinTheRegistrationPolicy() throws Exception {
        List<String> before = clientIds();
        generateApproved("dyn", List.of("--iss=" + iss, "--scope=" + BEYOND_POLICY, "--redirect-uri=http://localhost:4242"));
        assertThat(agent.requests()).contains("Https POST to: " + iss + "/register");

        List<Client> registered = issuer.admin().clients(VO).stream().filter(c -> !before.contains(c.clientId())).toList();
        assertThat(registered).hasSize(1);
        Client self = registered.get(0);
        assertThat(self.selfRegistered()).isTrue();
        assertThat(self.isPublic()).as("oidc-gen registers a confidential client").isFalse();
        assertThat(self.name()).startsWith("oidc-agent:dyn");
        assertThat(self.grants()).isSubsetOf(REGISTRATION_GRANTS).contains(Client.DEVICE_CODE, Client.REFRESH_TOKEN);
        assertThat(self.scope()).as("write:/data asked, not allowed to self-registered clients").isEqualTo(REGISTRATION_SCOPE);
        assertThat(self.redirectUris()).containsExactly("http://localhost:4242");
        // oidc-agent took the registered scope for the account: it asked the device endpoint for no more
        assertThat(agent.requests())
                .containsPattern("(?m)Data to send: client_id=" + Pattern.quote(self.clientId() + "&scope=" + REGISTRATION_SCOPE) + "$");

        String token = token("dyn");
        assertThat(TesseraIssuer.part(token, 1)).containsEntry("iss", iss).containsEntry("sub", alice.subject())
                .containsEntry("scope", GRANTED).containsEntry("client_id", self.clientId());
        assertVerified(token);
        String refreshed = token("dyn", "--aud=" + AUDIENCE, "-f");
        assertThat(TesseraIssuer.part(refreshed, 1)).containsEntry("aud", AUDIENCE).containsEntry("client_id", self.clientId());
        assertVerified(refreshed);
    }

    /**
     * Plain {@code oidc-gen --iss=ISS --flow=device} registers with its default redirect URIs, among them
     * {@code edu.kit.data.oidc-agent:/redirect}, a private-use URI scheme redirect that RFC 8252 (§7.1, Appendix
     * A) asks servers for native apps to support.
     */
    @Test
    void oidcGenRegistersWithItsDefaultRedirectUris() throws Exception {
        generateApproved("plain", List.of("--iss=" + iss, "--scope=" + SCOPE));
        assertVerified(token("plain"));
    }

    @Test
    void aDeniedRequestEndsOidcGenWithAccessDeniedAndNoAccount() throws Exception {
        try (OidcAgent.Generation gen = agent.generateWithDeviceFlow("denied", preRegistered(SCOPE).toArray(String[]::new))) {
            OidcAgent.Instructions instructions = gen.instructions();
            ScriptedPerson.Decision denied = alice().decide(instructions.verificationUri(), instructions.userCode(), false);
            assertThat(denied.title()).isEqualTo("Denied");
            Peers.Result result = gen.await();
            assertThat(result.exit()).as(result.output()).isNotZero();
            assertThat(result.output()).contains("access_denied").doesNotContain("Everything setup correctly");
        }
        assertThat(agent.configDir().resolve("denied")).doesNotExist();
        Peers.Result token = agent.token("denied");
        assertThat(token.exit()).isNotZero();
        assertThat(token.stdout()).isBlank();
        assertThat(token.stderr()).contains("account not loaded");
    }

    /** Alice with a fresh browser that trusts the interop CA. */
    private static ScriptedPerson alice() throws Exception {
        return new ScriptedPerson(USERNAME, PASSWORD, TrustMaterial.sslContext(List.of(Peers.CA_PEM)));
    }

    /** oidc-gen's options for the pre-registered confidential client (HTTP Basic), asking for {@code scope}. */
    private static List<String> preRegistered(String scope, String... extra) {
        List<String> options = new ArrayList<>(List.of("--iss=" + iss, "--client-id=" + client.client().clientId(),
                "--client-secret=" + client.secret(), "--scope=" + scope));
        options.addAll(List.of(extra));
        return options;
    }

    /** Runs oidc-gen's device flow for {@code account}, alice approving all she is offered; the consent outcome. */
    private static ScriptedPerson.Decision generateApproved(String account, List<String> options) throws Exception {
        try (OidcAgent.Generation gen = agent.generateWithDeviceFlow(account, options.toArray(String[]::new))) {
            OidcAgent.Instructions instructions = gen.instructions();
            assertThat(instructions.verificationUri()).isEqualTo(iss + "/device");
            ScriptedPerson.Decision approved = alice().decide(instructions.verificationUri(), instructions.userCode(), true);
            assertThat(approved.title()).as(approved.page()).isEqualTo("Approved");
            Peers.Result result = gen.await();
            assertThat(result.exit()).as("oidc-gen:\n%s\nagent:\n%s", result.output(), agent.requests()).isZero();
            assertThat(result.output()).contains("Everything setup correctly!");
            assertThat(agent.configDir().resolve(account)).as("the encrypted account file").isNotEmptyFile();
            return approved;
        }
    }

    /** {@code oidc-token OPTIONS ACCOUNT}'s access token; fails unless it printed one. */
    private static String token(String account, String... options) throws Exception {
        Peers.Result result = agent.token(account, options);
        assertThat(result.exit()).as("oidc-token %s:\n%s\nagent:\n%s", List.of(options), result.output(), agent.requests())
                .isZero();
        return result.stdout().strip();
    }

    private static List<String> clientIds() {
        return issuer.admin().clients(VO).stream().map(Client::clientId).toList();
    }

    /** scitokens-cpp, with a key cache of its own in the test's directory (never the user's). */
    private static Peers.Result cpp(String... command) throws Exception {
        Path cache = Files.createDirectories(work.resolve("scitokens-cache"));
        return Peers.run(Map.of("XDG_CACHE_HOME", cache.toString()), command);
    }

    private static void assertVerified(String token) throws Exception {
        Peers.Result verified = cpp("scitokens-verify", token);
        assertThat(verified.exit()).as(verified.output()).isZero();
        assertThat(verified.output()).contains("Token deserialization successful");
    }

    /** What scitokens-cpp's enforcer decides for a service at {@code audience}. */
    private static boolean allowed(String token, String audience, String authz, String path) throws Exception {
        Peers.Result result = cpp("scitokens-test-access", token, iss, audience, authz, path);
        assertThat(result.output()).as("%s %s", authz, path)
                .contains(result.exit() == 0 ? "Access test successful" : "Access test failed");
        return result.exit() == 0;
    }
}
