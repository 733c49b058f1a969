package dev.tessera.cli.demo;

import dev.tessera.agent.daemon.AgentDaemon;
import dev.tessera.agent.manager.RenewalPolicy;
import dev.tessera.agent.manager.TokenManager;
import dev.tessera.agent.oauth.ClientCredentials;
import dev.tessera.agent.oauth.DeviceAuthorization;
import dev.tessera.agent.oauth.DevicePoller;
import dev.tessera.agent.oauth.IssuedTokens;
import dev.tessera.agent.oauth.IssuerClient;
import dev.tessera.agent.oauth.Narrowing;
import dev.tessera.agent.oauth.Sleeper;
import dev.tessera.agent.oauth.Transport;
import dev.tessera.agent.socket.AgentClient;
import dev.tessera.token.discovery.TrustMaterial;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The seed architecture, step by step: a person logs in once with the device flow, the token manager keeps
 * her refresh token, a job run by {@code tessera run} reads and writes its data with a token narrowed to its
 * request, and a second job trying to read outside its capability is refused by the storage service.
 */
public final class Demo implements AutoCloseable {
    /** The first job's capabilities: within what policy gives the person's group. */
    static final String JOB_SCOPES = "read:/data/public write:/data/scratch/" + DemoSite.PERSON;
    static final String INPUT = "/data/public/events.csv";
    static final String OUTPUT = "/data/scratch/" + DemoSite.PERSON + "/summary.csv";
    static final String OUTSIDE = "/data/private/embargoed.csv";
    /** What the person asks for at login: her group's capabilities, and a refresh token for the token manager. */
    static final String LOGIN_SCOPES = "read:/data/public write:/data/scratch/" + DemoSite.PERSON + " offline_access";

    private final Path data;
    private final PrintWriter out;
    private final List<String> command;
    private DemoSite site;
    private AgentDaemon agent;

    /**
     * @param data    the demo's directory (new)
     * @param command how to run {@code tessera} as a process (the job runs under {@code tessera run})
     */
    public Demo(Path data, PrintWriter out, List<String> command) {
        this.data = data;
        this.out = out;
        this.command = List.copyOf(command);
    }

    /**
     * Runs every step; true when the job worked and the trespassing one was refused.
     *
     * @param explore whether to say how to look around afterwards (the services stay up)
     */
    public boolean run(boolean explore) throws Exception {
        out.printf("Tessera demo: a VO's issuer, a storage service and a token manager on this machine%n");
        out.printf("(state in %s)%n%n", data);
        site = DemoSite.start(data);
        out.printf("1. Issuer    %s  (VO %s, SciTokens 2.0; person %s in group %s)%n", site.issuerUrl(), DemoSite.VO,
                DemoSite.PERSON, DemoSite.GROUP);
        out.printf("   policy    group %s may have: %s%n", DemoSite.GROUP, DemoSite.POLICY);
        out.printf("2. Storage   %s  (trusts the VO; tokens must name %s)%n", site.storageUrl(), DemoSite.AUDIENCE);
        Path socket = data.resolve("agent/agent.sock");
        agent = AgentDaemon.start(new AgentDaemon.Config(data.resolve("agent"), socket, null, null, null,
                TokenManager.Settings.DEFAULT, RenewalPolicy.DEFAULT), Transport.https(List.of(site.issuerCertificate())),
                Clock.systemUTC(), Map.of());
        out.printf("3. Agent     the token manager listens on %s%n%n", socket);
        out.flush();

        String refreshToken = logIn();
        try (AgentClient client = AgentClient.connect(socket)) {
            client.store(site.issuerUrl(), site.clientId(), refreshToken);
        }
        out.printf("5. The token manager keeps %s's refresh token (encrypted in %s); nothing else does.%n%n",
                DemoSite.PERSON, data.resolve("agent"));
        out.flush();

        out.printf("6. A job asks for %s and runs with it:%n", JOB_SCOPES);
        int first = job(JOB_SCOPES, INPUT, OUTPUT);
        Path written = site.root().resolve(OUTPUT.substring(1));
        boolean worked = first == 0 && Files.exists(written);
        out.printf("   -> %s%n%n", worked ? "wrote " + written + ": " + Files.readString(written).strip()
                : "FAILED (exit " + first + ")");

        out.printf("7. A second job with the same capabilities tries to read %s:%n", OUTSIDE);
        int second = job(JOB_SCOPES, OUTSIDE, "/data/scratch/" + DemoSite.PERSON + "/stolen.csv");
        boolean refused = second != 0 && !Files.exists(site.root().resolve("data/scratch/" + DemoSite.PERSON + "/stolen.csv"));
        out.printf("   -> %s%n%n", refused ? "refused by the storage service: the token does not grant it"
                : "NOT REFUSED: something is wrong");
        if (explore) {
            explore();
        }
        out.flush();
        return worked && refused;
    }

    /** Step 4: the device flow, approved on the issuer's pages as the person would in a browser. */
    private String logIn() throws Exception {
        Transport transport = Transport.https(List.of(site.issuerCertificate()));
        IssuerClient client = IssuerClient.discover(site.issuerUrl(), ClientCredentials.publicClient(site.clientId()),
                transport, Clock.systemUTC());
        DeviceAuthorization device = client.startDeviceAuthorization(new Narrowing(LOGIN_SCOPES, List.of(DemoSite.AUDIENCE),
                null));
        out.printf("4. %s logs in with the device flow: open %s and enter %s%n", DemoSite.PERSON, device.verificationUri(),
                device.userCode());
        List<String> approved = new ScriptedPerson(DemoSite.PERSON, site.password(),
                TrustMaterial.sslContext(List.of(site.issuerCertificate()))).approve(device.pageToOpen().toString(),
                device.userCode());
        out.printf("   approved as %s would in a browser: %s%n", DemoSite.PERSON, String.join(" ", approved));
        IssuedTokens tokens = new DevicePoller(Clock.systemUTC(), Sleeper.SYSTEM).await(client, device);
        out.printf("   granted: %s%n", tokens.scope());
        out.flush();
        return tokens.refreshToken();
    }

    /** Runs the demo job under {@code tessera run}, its output indented; its exit status. */
    private int job(String scopes, String read, String write) throws IOException, InterruptedException {
        List<String> run = new ArrayList<>(command);
        run.addAll(List.of("run", "--socket", data.resolve("agent/agent.sock").toString(), "--issuer", site.issuerUrl(),
                "--client-id", site.clientId(), "--scopes", scopes, "--audience", DemoSite.AUDIENCE, "--",
                jobScript().toString(), read, write));
        Process process = new ProcessBuilder(run).redirectErrorStream(true).start();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                out.printf("   %s%n", line);
            }
        }
        return process.waitFor();
    }

    /** {@code DATA/job.sh READ WRITE}: the job as a batch system would run it, a script. */
    private Path jobScript() throws IOException {
        Path script = data.resolve("job.sh");
        if (!Files.exists(script)) {
            StringBuilder line = new StringBuilder("exec");
            for (String word : command) {
                line.append(" '").append(word.replace("'", "'\\''")).append('\'');
            }
            line.append(" demo job --storage '").append(site.storageUrl()).append("' --ca-file '")
                    .append(site.storageCertificate()).append("' --read \"$1\" --write \"$2\"");
            Files.writeString(script, "#!/bin/sh\n# the demo's job: read $1, write a summary to $2 (token: $BEARER_TOKEN_FILE)\n"
                    + line + "\n");
            Files.setPosixFilePermissions(script, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        }
        return script;
    }

    private void explore() {
        out.printf("Explore while it runs:%n");
        out.printf("  sign in at %s/device as %s, password %s%n", site.issuerUrl(), DemoSite.PERSON, site.password());
        out.printf("  the data: %s%n", site.root());
        out.printf("  a token of your own: tessera get --issuer %s --client-id %s --ca-file %s --audience %s%n",
                site.issuerUrl(), site.clientId(), site.issuerCertificate(), DemoSite.AUDIENCE);
        out.printf("  then:    tessera verify --issuer %s --audience %s --ca-file %s --test read:%s --explain%n",
                site.issuerUrl(), DemoSite.AUDIENCE, site.issuerCertificate(), INPUT);
    }

    @Override
    public void close() {
        try {
            if (agent != null) {
                agent.close();
            }
        } finally {
            if (site != null) {
                site.close();
            }
        }
    }
}
