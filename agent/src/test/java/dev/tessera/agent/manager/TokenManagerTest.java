package dev.tessera.agent.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tessera.agent.access.AccessRequest;
import dev.tessera.agent.access.TokenInfo;
import dev.tessera.agent.oauth.IssuerClient;
import dev.tessera.agent.testing.Logins;
import dev.tessera.agent.testing.TestVo;
import dev.tessera.issuer.domain.Client;
import dev.tessera.token.TokenVerifier;
import dev.tessera.token.VerifiedToken;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The token manager against the real issuer: grants taken over, jobs' tokens narrowed, cached, renewed. */
class TokenManagerTest {
    static final char[] KEY = "an agent key of enough length".toCharArray();
    static final String GRANTED = "read:/ligo write:/home/alice";

    @RegisterExtension
    static final TestVo vo = new TestVo();
    static String noExchangeClient;

    @TempDir
    Path data;
    TokenManager manager;

    @BeforeAll
    static void start() throws Exception {
        noExchangeClient = vo.issuer().admin().addClient(TestVo.VO, "no exchange", Set.of(Client.DEVICE_CODE,
                Client.REFRESH_TOKEN), "read:/ligo write:/home/{username} offline_access", List.of(), List.of(), true)
                .client().clientId();
        vo.issuer().server().refresh();
    }

    @BeforeEach
    void aManager() {
        manager = manager(vo, data);
    }

    /** A manager of grants in {@code data}, on the VO's clock, over its counting transport. */
    static TokenManager manager(TestVo vo, Path data) {
        return new TokenManager(new GrantStore(data, KEY), new IssuerClients((iss, client) ->
                IssuerClient.discover(iss, client, vo.transport(), vo.clock())), vo.clock(), RenewalPolicy.DEFAULT,
                new Random(7), TokenManager.Settings.DEFAULT);
    }

    static MintRequest request(String scope, String audience, Duration minLifetime) throws Exception {
        return new MintRequest(null, null, AccessRequest.parse(scope, audience == null ? List.of() : List.of(audience),
                minLifetime), null, null);
    }

    GrantInfo stored() throws Exception {
        return manager.store("alice", vo.iss(), vo.clientId(), Logins.refreshToken(vo, GRANTED));
    }

    long tokenRequests() {
        return vo.transport().count("/token");
    }

    @Test
    void aStoredGrantIsTakenOverAndKeptEncryptedAndJobsGetNarrowedTokens() throws Exception {
        String handedOver = Logins.refreshToken(vo, GRANTED);
        vo.transport().reset();
        GrantInfo grant = manager.store("alice", vo.iss() + "/", vo.clientId(), handedOver);
        assertThat(tokenRequests()).as("one refresh checks the token and takes it over").isEqualTo(1);
        assertThat(grant.issuer()).isEqualTo(vo.iss());
        assertThat(grant.scope()).contains("read:/ligo", "write:/home/alice");

        Path file = data.resolve("users/alice/grants.json");
        assertThat(Files.readString(file)).contains("A256GCM").doesNotContain(handedOver);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
        String kept = new GrantStore(data, KEY).vault("alice").entries().get(0).refreshToken();
        assertThat(kept).as("rotated: the copy handed over is spent").isNotEqualTo(handedOver);

        vo.transport().reset();
        Minted job = manager.token("alice", request("read:/ligo/O3", TestVo.DATA, Duration.ofSeconds(60)));
        assertThat(job.how()).isEqualTo(Minted.How.EXCHANGED);
        assertThat(tokenRequests()).isEqualTo(1);
        assertThat(job.token().scope()).isEqualTo("read:/ligo/O3");
        assertThat(job.token().audiences()).containsExactly(TestVo.DATA);
        TokenVerifier verifier = TokenVerifier.builder().issuer(vo.iss()).audience(TestVo.DATA)
                .caFiles(List.of(vo.caFile())).clock(vo.clock()).build();
        VerifiedToken verified = verifier.verify(job.token().token());
        assertThat(verified.subject()).isNotBlank();

        Minted again = manager.token("alice", request("read:/ligo/O3", TestVo.DATA, Duration.ofMinutes(5)));
        assertThat(again.how()).isEqualTo(Minted.How.CACHED);
        assertThat(again.token().token()).isEqualTo(job.token().token());
        assertThat(tokenRequests()).as("a cached token that qualifies costs no request").isEqualTo(1);

        Minted other = manager.token("alice", request("write:/home/alice/out", null, Duration.ofSeconds(60)));
        assertThat(other.token().scope()).isEqualTo("write:/home/alice/out");
        assertThat(tokenRequests()).isEqualTo(2);
        assertThat(manager.grants("alice")).singleElement().satisfies(g -> assertThat(g.cachedTokens()).isEqualTo(3));
    }

    @Test
    void aClientThatMayNotExchangeGetsJobsTokensByNarrowedRefreshesEachStoredBeforeUse() throws Exception {
        manager.store("alice", vo.iss(), noExchangeClient, Logins.refreshToken(vo, noExchangeClient, GRANTED));
        GrantStore store = new GrantStore(data, KEY);
        String before = store.vault("alice").entries().get(0).refreshToken();

        vo.transport().reset();
        Minted first = manager.token("alice", request("read:/ligo/O1", null, Duration.ofSeconds(60)));
        assertThat(first.how()).isEqualTo(Minted.How.REFRESHED);
        assertThat(first.token().scope()).isEqualTo("read:/ligo/O1");
        assertThat(tokenRequests()).as("the refused exchange, once, then the refresh").isEqualTo(2);
        String after = store.vault("alice").entries().get(0).refreshToken();
        assertThat(after).isNotEqualTo(before);

        vo.transport().reset();
        Minted second = manager.token("alice", request("read:/ligo/O2", null, Duration.ofSeconds(60)));
        assertThat(second.how()).isEqualTo(Minted.How.REFRESHED);
        assertThat(tokenRequests()).isEqualTo(1);
        assertThat(store.vault("alice").entries().get(0).refreshToken()).isNotEqualTo(after);
    }

    @Test
    void identicalRequestsArrivingTogetherShareOneIssuerRequest() throws Exception {
        stored();
        vo.transport().reset();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Minted>> jobs = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                jobs.add(pool.submit(() -> {
                    go.await();
                    return manager.token("alice", request("read:/ligo/O4", TestVo.DATA, Duration.ofSeconds(60)));
                }));
            }
            go.countDown();
            Set<String> tokens = new java.util.HashSet<>();
            for (Future<Minted> job : jobs) {
                tokens.add(job.get().token().token());
            }
            assertThat(tokens).hasSize(1);
            assertThat(tokenRequests()).isEqualTo(1);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void withoutAGrantOrWithSeveralTheCallerIsToldWhatToDo() throws Exception {
        assertThatThrownBy(() -> manager.token("alice", request("read:/ligo", null, Duration.ZERO)))
                .isInstanceOfSatisfying(AgentException.class, e -> {
                    assertThat(e.code()).isEqualTo(AgentException.Code.NO_GRANT);
                    assertThat(e.getMessage()).contains("tessera agent store");
                });
        stored();
        manager.store("alice", vo.iss(), noExchangeClient, Logins.refreshToken(vo, noExchangeClient, GRANTED));
        assertThatThrownBy(() -> manager.token("alice", request("read:/ligo", null, Duration.ZERO)))
                .isInstanceOfSatisfying(AgentException.class, e -> {
                    assertThat(e.code()).isEqualTo(AgentException.Code.INVALID_REQUEST);
                    assertThat(e.getMessage()).contains("several clients", "name the client");
                });
        Minted named = manager.token("alice", new MintRequest(vo.iss(), noExchangeClient,
                AccessRequest.parse("read:/ligo", List.of(), Duration.ZERO), null, null));
        assertThat(named.clientId()).isEqualTo(noExchangeClient);
        assertThat(manager.grants("bob")).isEmpty();
    }

    @Test
    void aRequestBeyondTheGrantIsRefusedAndTheGrantKept() throws Exception {
        stored();
        assertThatThrownBy(() -> manager.token("alice", request("compute.create", null, Duration.ZERO)))
                .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.code()).isEqualTo(AgentException.Code.REFUSED));
        assertThat(manager.grants("alice")).hasSize(1);
        assertThat(manager.token("alice", request("read:/ligo", null, Duration.ZERO)).token().scope()).isEqualTo("read:/ligo");
    }

    @Test
    void aBadRefreshTokenOrIssuerIsNotStored() throws Exception {
        assertThatThrownBy(() -> manager.store("alice", vo.iss(), vo.clientId(), "not-a-refresh-token"))
                .isInstanceOfSatisfying(AgentException.class, e -> {
                    assertThat(e.code()).isEqualTo(AgentException.Code.REFUSED);
                    assertThat(e.getMessage()).contains("nothing was stored");
                });
        assertThat(manager.grants("alice")).isEmpty();
        assertThatThrownBy(() -> manager.store("alice", vo.iss().replace("https:", "http:"), vo.clientId(), "x"))
                .isInstanceOfSatisfying(AgentException.class,
                        e -> assertThat(e.code()).isEqualTo(AgentException.Code.INVALID_REQUEST));
        assertThatThrownBy(() -> manager.store("alice", vo.iss(), vo.clientId(), "two words"))
                .isInstanceOfSatisfying(AgentException.class,
                        e -> assertThat(e.code()).isEqualTo(AgentException.Code.INVALID_REQUEST));
    }

    @Test
    void tokensInUseAreRenewedWithJitterBeforeTheMinimumAndIdleOnesAreForgotten() throws Exception {
        stored();
        Minted first = manager.token("alice", request("read:/ligo/O5", null, Duration.ofSeconds(60)));
        TokenInfo token = first.token();
        assertThat(token.lifetime()).isEqualTo(Duration.ofMinutes(20));
        Instant due = manager.nextRenewal();
        assertThat(due).isBetween(token.issuedAt().plus(Duration.ofMinutes(10)), token.issuedAt().plus(Duration.ofMinutes(12)));

        vo.transport().reset();
        assertThat(manager.renewDue()).as("nothing is due yet").isEqualTo(due);
        assertThat(tokenRequests()).isZero();

        vo.clock().set(token.issuedAt().plus(Duration.ofMinutes(12)));
        manager.renewDue();
        assertThat(tokenRequests()).as("the grant's broad token and the job's, renewed").isEqualTo(2);
        Minted renewed = manager.token("alice", request("read:/ligo/O5", null, Duration.ofSeconds(60)));
        assertThat(renewed.how()).isEqualTo(Minted.How.CACHED);
        assertThat(renewed.token().expiresAt()).isAfter(token.expiresAt());
        assertThat(tokenRequests()).isEqualTo(2);

        // a job wrapper renewing its token is handed the newer one, without a request
        Minted wrapper = manager.token("alice", request("read:/ligo/O5", null, Duration.ofSeconds(60))
                .fresherThan(token.expiresAt()));
        assertThat(wrapper.how()).isEqualTo(Minted.How.CACHED);

        vo.clock().advance(Duration.ofHours(2)); // nobody asks any more
        vo.transport().reset();
        manager.renewDue();
        assertThat(tokenRequests()).isZero();
        assertThat(manager.grants("alice")).singleElement().satisfies(g -> assertThat(g.cachedTokens()).isZero());
        assertThat(manager.nextRenewal()).as("only the refresh token is watched, renewed at half its lifetime")
                .isEqualTo(manager.grants("alice").get(0).renewedAt().plus(Duration.ofDays(7)));
    }

    @Test
    void aRefreshTokenUnusedForHalfItsLifetimeIsRenewed() throws Exception {
        stored();
        vo.clock().advance(Duration.ofDays(7).plusMinutes(1));
        vo.transport().reset();
        manager.renewDue();
        assertThat(tokenRequests()).isEqualTo(1);
        GrantInfo grant = manager.grants("alice").get(0);
        assertThat(grant.renewedAt()).isEqualTo(vo.clock().instant());
        assertThat(grant.expiresAbout()).isEqualTo(vo.clock().instant().plus(Duration.ofDays(14)));
        vo.transport().reset();
        manager.renewDue();
        assertThat(tokenRequests()).isZero();
    }

    @Test
    void aRefreshTokenTheIssuerNoLongerHonoursIsRemovedAndReported() throws Exception {
        stored();
        String current = new GrantStore(data, KEY).vault("alice").entries().get(0).refreshToken();
        vo.client().revokeRefreshToken(current);
        TokenManager restarted = manager(vo, data); // nothing cached: the job's token needs the refresh token
        assertThatThrownBy(() -> restarted.token("alice", request("read:/ligo", null, Duration.ZERO)))
                .isInstanceOfSatisfying(AgentException.class, e -> {
                    assertThat(e.code()).isEqualTo(AgentException.Code.REFUSED);
                    assertThat(e.getMessage()).contains("no longer works", "tessera agent store");
                });
        assertThat(restarted.grants("alice")).isEmpty();
        assertThat(new GrantStore(data, KEY).vault("alice").entries()).isEmpty();
    }

    @Test
    void forgettingRevokesWhenAsked() throws Exception {
        stored();
        String current = new GrantStore(data, KEY).vault("alice").entries().get(0).refreshToken();
        GrantInfo forgotten = manager.forget("alice", null, null, true);
        assertThat(forgotten.issuer()).isEqualTo(vo.iss());
        assertThat(manager.grants("alice")).isEmpty();
        assertThatThrownBy(() -> vo.client().refresh(current, dev.tessera.agent.oauth.Narrowing.NONE))
                .hasMessageContaining("invalid_grant");
        assertThatThrownBy(() -> manager.forget("alice", null, null, false))
                .isInstanceOfSatisfying(AgentException.class, e -> assertThat(e.code()).isEqualTo(AgentException.Code.NO_GRANT));
    }

    @Test
    void requestsDifferingOnlyInOrderShareACachedToken() throws Exception {
        AccessRequest one = AccessRequest.parse("read:/a write:/b", List.of("https://x", "https://y"), Duration.ZERO);
        AccessRequest two = AccessRequest.parse("write:/b read:/a", List.of("https://y", "https://x"), Duration.ofHours(1));
        assertThat(TokenManager.requestKey(one, null)).isEqualTo(TokenManager.requestKey(two, null));
        assertThat(TokenManager.requestKey(one, Duration.ofMinutes(5))).isNotEqualTo(TokenManager.requestKey(one, null));
    }
}
