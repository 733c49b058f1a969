package dev.tessera.agent.manager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tessera.agent.testing.Logins;
import dev.tessera.agent.testing.TestVo;
import dev.tessera.issuer.IssuerConfig;
import dev.tessera.issuer.testing.RunningIssuer;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The issuer stopped for a while: jobs keep getting the cached tokens that still qualify, renewal backs off
 * (30 s, 60 s, 120 s by the test clock) and resumes once the issuer is back on its address.
 */
class IssuerDownTest {
    @TempDir
    static Path shared;
    static TestVo vo;
    static RunningIssuer restarted;

    @TempDir
    Path data;

    @BeforeAll
    static void start() throws Exception {
        vo = TestVo.start(shared.resolve("issuer"));
    }

    @AfterAll
    static void stop() {
        if (restarted != null) {
            restarted.close();
        } else {
            vo.close();
        }
    }

    @Test
    void cachedTokensAreServedWhileTheIssuerIsDownAndRenewalResumesWhenItIsBack() throws Exception {
        TokenManager manager = TokenManagerTest.manager(vo, data);
        manager.store("alice", vo.iss(), vo.clientId(), Logins.refreshToken(vo, TokenManagerTest.GRANTED));
        MintRequest job = TokenManagerTest.request("read:/ligo", TestVo.DATA, Duration.ofSeconds(60));
        Minted first = manager.token("alice", job);
        Instant issued = first.token().issuedAt();

        int port = URI.create(vo.iss()).getPort();
        vo.issuer().close();
        vo.transport().reset();

        vo.clock().set(issued.plus(Duration.ofMinutes(12))); // both the grant's token and the job's are due
        Instant now = vo.clock().instant();
        assertThat(manager.renewDue()).as("first retry").isEqualTo(now.plusSeconds(30));
        assertThat(vo.transport().count("/token")).as("renewals were tried").isPositive();

        vo.transport().reset();
        Minted meanwhile = manager.token("alice", job);
        assertThat(meanwhile.how()).isEqualTo(Minted.How.CACHED);
        assertThat(meanwhile.token().token()).isEqualTo(first.token().token());
        assertThat(vo.transport().count("/token")).as("a qualifying cached token needs no issuer").isZero();

        vo.clock().advance(Duration.ofSeconds(30));
        assertThat(manager.renewDue()).isEqualTo(vo.clock().instant().plusSeconds(60));
        vo.clock().advance(Duration.ofSeconds(60));
        assertThat(manager.renewDue()).isEqualTo(vo.clock().instant().plusSeconds(120));

        assertThatThrownBy(() -> manager.token("alice", TokenManagerTest.request("read:/ligo", TestVo.DATA,
                Duration.ofMinutes(10)))).as("more than the cached token has left").isInstanceOfSatisfying(
                AgentException.class, e -> assertThat(e.code()).isEqualTo(AgentException.Code.UNAVAILABLE));

        restarted = RunningIssuer.start(new IssuerConfig(shared.resolve("issuer"), "127.0.0.1", port, null, null, null, null,
                "postgres", "postgres", Duration.ofMinutes(5), TestVo.VO), vo.clock());
        vo.clock().advance(Duration.ofSeconds(120));
        vo.transport().reset();
        Instant next = manager.renewDue();
        assertThat(vo.transport().count("/token")).isEqualTo(2);
        // renewed before the longest minimum asked for (10 min) and a twentieth of the lifetime are left
        assertThat(next).as("back on the normal schedule").isEqualTo(vo.clock().instant().plus(Duration.ofMinutes(9)));
        Minted renewed = manager.token("alice", job);
        assertThat(renewed.how()).isEqualTo(Minted.How.CACHED);
        assertThat(renewed.token().expiresAt()).isAfter(first.token().expiresAt());
        assertThat(renewed.token().remaining(vo.clock().instant())).isEqualTo(Duration.ofMinutes(20));
    }
}
