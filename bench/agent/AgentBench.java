import dev.tessera.agent.access.AccessRequest;
import dev.tessera.agent.manager.GrantStore;
import dev.tessera.agent.manager.IssuerClients;
import dev.tessera.agent.manager.MintRequest;
import dev.tessera.agent.manager.Minted;
import dev.tessera.agent.manager.RenewalPolicy;
import dev.tessera.agent.manager.TokenManager;
import dev.tessera.agent.oauth.IssuerClient;
import dev.tessera.agent.socket.AgentClient;
import dev.tessera.agent.socket.AgentProtocol;
import dev.tessera.agent.socket.AgentServer;
import dev.tessera.agent.testing.Logins;
import dev.tessera.agent.testing.TestVo;
import dev.tessera.issuer.domain.Client;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Per-job token mint latency through the token manager's socket, jobs/s, and issuer requests per job
 * (bench/agent.sh runs it). The agent (AgentServer + TokenManager, as tessera agent runs them) and a real
 * issuer (HTTPS on loopback, SQLite) run in this JVM; every job opens a connection to the agent's Unix
 * socket, asks for a token and closes, as tessera run does. Scenarios:
 *   cached    every job asks the same thing: served from the agent's cache
 *   exchange  every job asks a scope of its own (read:/ligo/job-N): one token exchange each
 *   refresh   the same, for a client that may not exchange: one narrowed refresh each (rotated refresh
 *             token fsynced before use; refreshes of one user's grants are serialized)
 * The issuer's clock is a test clock that stands still (no renewal falls due while measuring).
 * Usage: java -cp CLASSPATH bench/agent/AgentBench.java [JOBS] [CONCURRENCY...]
 */
public final class AgentBench {
    public static void main(String[] args) throws Exception {
        int jobs = args.length > 0 ? Integer.parseInt(args[0]) : 2000;
        List<Integer> concurrencies = args.length > 1
                ? Arrays.stream(args).skip(1).map(Integer::parseInt).toList() : List.of(1, 8);
        Path dir = Files.createTempDirectory("tessera-agent-bench-");
        TestVo vo = TestVo.start(dir.resolve("issuer"));
        String noExchange = vo.issuer().admin().addClient(TestVo.VO, "no exchange", Set.of(Client.DEVICE_CODE,
                Client.REFRESH_TOKEN), "read:/ligo offline_access", List.of(), List.of(), true).client().clientId();
        vo.issuer().server().refresh();
        TokenManager manager = new TokenManager(new GrantStore(dir.resolve("agent"), "a benchmark agent key".toCharArray()),
                new IssuerClients((iss, client) -> IssuerClient.discover(iss, client, vo.transport(), vo.clock())),
                vo.clock(), RenewalPolicy.DEFAULT, new Random(), TokenManager.Settings.DEFAULT);
        Path socket = dir.resolve("agent.sock");
        AgentServer server = AgentServer.start(socket, new AgentProtocol(manager, vo.clock()));
        String user = System.getProperty("user.name");
        manager.store(user, vo.iss(), vo.clientId(), Logins.refreshToken(vo, "read:/ligo"));
        manager.store(user, vo.iss(), noExchange, Logins.refreshToken(vo, noExchange, "read:/ligo"));
        System.out.printf("%-9s %5s %6s %9s %9s %9s %9s %s%n", "scenario", "conc", "jobs", "p50 ms", "p99 ms", "max ms",
                "jobs/s", "issuer requests/job (obtained)");
        AtomicInteger next = new AtomicInteger();
        for (String scenario : List.of("cached", "exchange", "refresh")) {
            String client = scenario.equals("refresh") ? noExchange : vo.clientId();
            for (int concurrency : concurrencies) {
                // warm-up: the JIT, the connection path, and for "cached" the one token every job gets
                run(socket, client, scenario, Math.min(jobs, 500), concurrency, next);
                vo.transport().reset();
                Result result = run(socket, client, scenario, jobs, concurrency, next);
                double perJob = (double) vo.transport().count("/token") / jobs;
                System.out.printf("%-9s %5d %6d %9.2f %9.2f %9.2f %9.0f %.2f (%s)%n", scenario, concurrency, jobs,
                        result.percentile(50), result.percentile(99), result.percentile(100), result.perSecond(), perJob,
                        result.how);
                String key = "agent." + scenario + ".c" + concurrency;
                System.out.printf("RESULT %s.p50_ms %.2f%nRESULT %s.p99_ms %.2f%nRESULT %s.jobs_per_s %.0f%n"
                        + "RESULT %s.issuer_requests_per_job %.2f%n", key, result.percentile(50), key,
                        result.percentile(99), key, result.perSecond(), key, perJob);
            }
        }
        server.close();
        vo.close();
    }

    record Result(long[] nanos, long wallNanos, String how) {
        double percentile(int p) {
            long[] sorted = nanos.clone();
            Arrays.sort(sorted);
            int at = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
            return sorted[Math.max(0, Math.min(sorted.length - 1, at))] / 1e6;
        }

        double perSecond() {
            return nanos.length / (wallNanos / 1e9);
        }
    }

    static Result run(Path socket, String client, String scenario, int jobs, int concurrency, AtomicInteger next)
            throws Exception {
        long[] nanos = new long[jobs];
        AtomicInteger index = new AtomicInteger();
        java.util.Map<Minted.How, AtomicInteger> hows = new java.util.concurrent.ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        long start = System.nanoTime();
        List<Future<?>> workers = new ArrayList<>();
        for (int w = 0; w < concurrency; w++) {
            workers.add(pool.submit(() -> {
                int i;
                while ((i = index.getAndIncrement()) < jobs) {
                    String scope = scenario.equals("cached") ? "read:/ligo/frames" : "read:/ligo/job-" + next.incrementAndGet();
                    MintRequest request = new MintRequest(null, client, AccessRequest.parse(scope,
                            List.of("https://data.example.org"), Duration.ofSeconds(60)), null, null);
                    long t0 = System.nanoTime();
                    try (AgentClient agent = AgentClient.connect(socket)) {
                        Minted minted = agent.token(request);
                        hows.computeIfAbsent(minted.how(), h -> new AtomicInteger()).incrementAndGet();
                    }
                    nanos[i] = System.nanoTime() - t0;
                }
                return null;
            }));
        }
        for (Future<?> worker : workers) {
            worker.get();
        }
        long wall = System.nanoTime() - start;
        pool.shutdown();
        return new Result(nanos, wall, hows.toString());
    }
}
