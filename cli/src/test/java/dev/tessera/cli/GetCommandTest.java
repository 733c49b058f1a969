package dev.tessera.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.agent.testing.TestVo;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code tessera get} and {@code tessera sh} in-process: help, usage errors, and the JSON a script reads. */
class GetCommandTest {
    private static final Pattern PROMPT = Pattern.compile("open (\\S+) and enter the code (\\S+)\\)");

    @RegisterExtension
    static final TestVo vo = new TestVo();

    @TempDir
    Path dir;

    /** The options every run here needs: this issuer, its CA, a vault and token file in the test's directory. */
    List<String> args(String command, String... more) {
        List<String> args = new ArrayList<>(List.of(command, "--issuer", vo.iss(), "--client-id", vo.clientId(),
                "--ca-file", vo.caFile().toString(), "--vault", dir.resolve("vault.json").toString(), "--nobrowser"));
        if (command.equals("get")) {
            args.addAll(List.of("--outfile", dir.resolve("bt_u1000").toString()));
        }
        args.addAll(List.of(more));
        return args;
    }

    Cli.Result tessera(List<String> args) {
        return Cli.tessera(args.toArray(String[]::new));
    }

    @Test
    void helpExplainsTheVaultAndGivesExamples() {
        Cli.Result get = Cli.tessera("get", "--help");
        assertThat(get.exit()).isZero();
        assertThat(get.out()).contains("WITHOUT ONE IT IS PROTECTED BY", "ITS FILE PERMISSIONS ONLY", "TESSERA_GET_OPTS",
                "TESSERA_VAULT_PASSPHRASE", "--minsecs", "--revoke", "Examples:", "tessera get --revoke");
        Cli.Result sh = Cli.tessera("sh", "--help");
        assertThat(sh.exit()).isZero();
        assertThat(sh.out()).contains("BEARER_TOKEN_FILE", "two thirds", "SIGTERM", "Examples:", "tessera sh -- ");
        assertThat(Cli.tessera("--help").out()).contains("get", "sh");
    }

    @Test
    void usageErrorsExitWithTwoAndSayWhatIsWrong() throws Exception {
        Cli.Result noIssuer = Cli.tessera("get", "--outfile", dir.resolve("t").toString(), "--vault",
                dir.resolve("v").toString());
        assertThat(noIssuer.exit()).as(noIssuer.toString()).isEqualTo(2);
        assertThat(noIssuer.err()).contains("name the issuer");

        Cli.Result plainHttp = Cli.tessera("get", "--issuer", "http://tokens.example.org/vo/ligo");
        assertThat(plainHttp.exit()).isEqualTo(2);
        assertThat(plainHttp.err()).contains("https");

        Cli.Result badScope = tessera(args("get", "--scopes", "read:/ligo/../etc"));
        assertThat(badScope.exit()).isEqualTo(2);
        assertThat(badScope.err()).contains("--scopes");

        assertThat(tessera(args("get", "--minsecs", "soon")).exit()).isEqualTo(2);
        assertThat(tessera(args("get", "--minsecs", "-5")).err()).contains("--minsecs");
        assertThat(tessera(args("get", "--vault-passphrase-file", dir.resolve("missing").toString())).err())
                .contains("--vault-passphrase-file", "missing");
        assertThat(Cli.tessera("sh", "--issuer").exit()).isEqualTo(2);
    }

    @Test
    void aDamagedVaultIsAConfigurationErrorAndIsKept() throws Exception {
        Path vault = Files.writeString(dir.resolve("vault.json"), "{\"tessera_vault\": 1, \"entr");
        Files.setPosixFilePermissions(vault, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Cli.Result damaged = tessera(args("get"));
        assertThat(damaged.exit()).as(damaged.toString()).isEqualTo(2);
        assertThat(damaged.err()).contains(vault.toString(), "damaged", "move it aside");
        assertThat(Files.readString(vault)).isEqualTo("{\"tessera_vault\": 1, \"entr");
        assertThat(tessera(args("sh", "--", "true")).exit()).isEqualTo(2);
    }

    @Test
    void loginThenReuseThenRevokeAsJson() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CompletableFuture<Integer> login = CompletableFuture.supplyAsync(() -> Tessera.run(
                args("get", "--json").toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true)));
        Matcher prompt = awaitPrompt(err, login);
        vo.approver().decide(prompt.group(1), prompt.group(2), true);
        vo.clock().advance(Duration.ofSeconds(5)); // as it passes for the command's wait
        assertThat(login.get(2, TimeUnit.MINUTES)).as(out + "\n" + err).isZero();

        assertThat(err.toString()).contains("approve this request in a browser", prompt.group(1) + "?user_code=")
                .doesNotContain("Opening it in your browser");
        Map<String, Object> first = new Cli.Result(0, out.toString(), "").json();
        assertThat(first).containsOnlyKeys("token_file", "obtained", "issuer", "client_id", "subject", "scope", "audience",
                "expires_at", "expires_in", "vault");
        assertThat(first).containsEntry("obtained", "device_flow").containsEntry("issuer", vo.iss())
                .containsEntry("client_id", vo.clientId()).containsEntry("scope", "read:/ligo write:/home/alice")
                .containsEntry("token_file", dir.resolve("bt_u1000").toString())
                .containsEntry("vault", dir.resolve("vault.json").toString());
        assertThat((Long) first.get("expires_in")).isPositive();
        assertThat(out.toString()).doesNotContain(Files.readString(dir.resolve("bt_u1000")).strip());

        double tokenRequests = tokenEndpointAnswers();
        assertThat(tokenRequests).isPositive(); // the device flow's polls
        Cli.Result again = tessera(args("get", "--json"));
        assertThat(again.exit()).as(again.toString()).isZero();
        assertThat(again.json()).containsEntry("obtained", "reused");
        assertThat(tokenEndpointAnswers()).isEqualTo(tokenRequests); // the issuer was not asked

        Cli.Result human = tessera(args("get", "--scopes", "read:/ligo/O3"));
        assertThat(human.exit()).as(human.toString()).isZero();
        assertThat(human.out()).contains("Storing bearer token in " + dir.resolve("bt_u1000"), "scope: read:/ligo/O3");

        Cli.Result revoked = tessera(args("get", "--revoke", "--json"));
        assertThat(revoked.exit()).as(revoked.toString()).isZero();
        assertThat(revoked.json()).containsEntry("refresh_token_revoked", true).containsEntry("token_file_deleted", true)
                .containsEntry("client_id", vo.clientId());
        assertThat(dir.resolve("bt_u1000")).doesNotExist();
        Cli.Result nothingLeft = tessera(args("get", "--revoke"));
        assertThat(nothingLeft.out()).contains("No refresh token of " + vo.iss());
    }

    @Test
    void aDeniedLoginExitsWithOne() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CompletableFuture<Integer> login = CompletableFuture.supplyAsync(() -> Tessera.run(
                args("get").toArray(String[]::new), new PrintWriter(out, true), new PrintWriter(err, true)));
        Matcher prompt = awaitPrompt(err, login);
        vo.approver().decide(prompt.group(1), prompt.group(2), false);
        assertThat(login.get(2, TimeUnit.MINUTES)).isEqualTo(1);
        assertThat(err.toString()).contains("tessera get: no token from " + vo.iss() + ": the request was denied");
        assertThat(dir.resolve("bt_u1000")).doesNotExist();
    }

    /** How many answers the issuer's token endpoint gave, by its own metrics. */
    static double tokenEndpointAnswers() throws Exception {
        String metrics = vo.issuer().get(vo.issuer().server().url() + "/metrics").body();
        return metrics.lines().filter(l -> l.startsWith("tessera_issuer_tokens_issued") || l.startsWith(
                "tessera_issuer_token_errors")).mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
                .sum();
    }

    /** Waits for the device-flow prompt on standard error. */
    static Matcher awaitPrompt(StringWriter err, CompletableFuture<Integer> command) throws Exception {
        for (int i = 0; i < 1200 && !command.isDone(); i++) {
            Matcher m = PROMPT.matcher(err.toString());
            if (m.find()) {
                return m;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no device-flow prompt; the command printed: " + err);
    }

}
