package dev.tessera.issuer;

import static dev.tessera.issuer.testing.RunningIssuer.basicHeader;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.issuer.service.Administration;
import dev.tessera.issuer.testing.Postgres;
import dev.tessera.issuer.testing.RunningIssuer;
import dev.tessera.token.jws.Json;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two issuer processes on one PostgreSQL behave as one issuer: same iss, same published keys, the same
 * clients, and a change made through either (or the CLI) is seen by both without a restart.
 */
class HighAvailabilityTest {
    @TempDir
    static Path dir;
    static RunningIssuer a;
    static RunningIssuer b;

    @BeforeAll
    static void start() throws Exception {
        String url = Postgres.newDatabase();
        IssuerConfig config = RunningIssuer.config(dir.resolve("a"), url);
        IssuerConfig shared = new IssuerConfig(config.data(), config.host(), config.port(), "https://tokens.example.org",
                null, null, url, "postgres", "postgres", Duration.ofMinutes(5), "default");
        a = RunningIssuer.start(shared);
        b = RunningIssuer.start(new IssuerConfig(dir.resolve("b"), shared.host(), shared.port(), shared.publicUrl(),
                null, null, url, "postgres", "postgres", shared.verifierCacheTime(), shared.defaultVo()));
    }

    @AfterAll
    static void stop() {
        a.close();
        b.close();
    }

    @Test
    void bothServeTheSameIssuerWithTheSameKeys() throws Exception {
        assertThat(a.iss("default")).isEqualTo(b.iss("default")).isEqualTo("https://tokens.example.org/vo/default");
        assertThat(jwks(a)).isEqualTo(jwks(b));
    }

    @Test
    void aClientAddedThroughOneIsAcceptedByBothWithoutARestart() throws Exception {
        Administration.NewClient robot = a.admin().addClient("default", "robot", java.util.Set.of("client_credentials"),
                "read:/data", java.util.List.of(), java.util.List.of(), false);
        // no refresh() here: each server polls the database's revision on its own
        eventually(() -> status(a, robot) == 200 && status(b, robot) == 200);
        HttpResponse<String> fromB = b.post("default", "/token", "grant_type=client_credentials", "Authorization",
                basicHeader(robot));
        String token = (String) Json.parseObject(fromB.body()).get("access_token");
        assertThat(Json.parseObject(fromB.body()).get("scope")).isEqualTo("read:/data");
        assertThat(token).isNotBlank();
    }

    @Test
    void aKeyRotationOnOneIsSeenByTheOther() throws Exception {
        String before = jwks(b);
        b.admin().rotateKey("default", Duration.ofHours(1));
        eventually(() -> !jwks(a).equals(before) && jwks(a).equals(jwks(b)));
    }

    private static int status(RunningIssuer issuer, Administration.NewClient client) {
        try {
            return issuer.post("default", "/token", "grant_type=client_credentials", "Authorization", basicHeader(client))
                    .statusCode();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String jwks(RunningIssuer issuer) {
        try {
            return issuer.get(issuer.server().url() + "/vo/default/jwks").body();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Waits for a condition that a background poll makes true; fails if it never does. */
    private static void eventually(BooleanSupplier condition) throws InterruptedException {
        for (int i = 0; i < 300; i++) {
            if (condition.getAsBoolean()) {
                return;
            }
            Thread.sleep(50);
        }
        assertThat(condition.getAsBoolean()).as("condition met within 15 s").isTrue();
    }
}
