package dev.tessera.agent.shell;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.agent.access.AccessRequest;
import dev.tessera.agent.access.TokenInfo;
import dev.tessera.agent.get.GetRequest;
import dev.tessera.agent.get.Outcome;
import dev.tessera.agent.get.TokenGetter;
import dev.tessera.agent.testing.TestVo;
import dev.tessera.agent.vault.Vault;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A command run with a private token file that is renewed while it runs and removed after. */
class TokenShellTest {
    @RegisterExtension
    static final TestVo vo = new TestVo();

    @TempDir
    Path dir;
    TokenGetter getter;
    GetRequest request;
    final List<String> warnings = new CopyOnWriteArrayList<>();

    @BeforeEach
    void loggedIn() throws Exception {
        getter = vo.getter(new Vault(dir.resolve("vault.json"), null), vo.approver());
        request = new GetRequest(vo.iss(), vo.clientId(), null, AccessRequest.parse("read:/ligo", List.of(),
                Duration.ofSeconds(60)), dir.resolve("bt_u1000"), null, true);
        getter.get(request); // the device flow, once
    }

    TokenRenewer renewer(PrivateTokenFile file, TokenInfo current, Duration minLifetime) {
        GetRequest own = request.withTokenFile(file.path()).nonInteractive();
        return new TokenRenewer(() -> getter.renew(own).token(), current, minLifetime, vo.clock(), warnings::add);
    }

    @Test
    void theCommandReadsItsPrivateTokenFileWhichIsGoneAfterAndItsStatusIsReturned() throws Exception {
        Path out = dir.resolve("out.txt");
        Path tokenDir;
        String token;
        int status;
        try (PrivateTokenFile file = PrivateTokenFile.create(dir)) {
            tokenDir = file.path().getParent();
            Outcome first = getter.get(request.withTokenFile(file.path()));
            token = first.token().token();
            ProcessBuilder command = new ProcessBuilder("sh", "-c", "cat \"$BEARER_TOKEN_FILE\"; "
                    + "stat -c %a \"$BEARER_TOKEN_FILE\" \"$(dirname \"$BEARER_TOKEN_FILE\")\"; exit 3")
                    .redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT);
            command.environment().put("BEARER_TOKEN", "must not shadow the file");
            status = TokenShell.run(command, file, renewer(file, first.token(), Duration.ofSeconds(60)));
        }
        assertThat(status).isEqualTo(3);
        assertThat(Files.readAllLines(out)).containsExactly(token, "600", "700");
        assertThat(tokenDir).doesNotExist();
    }

    @Test
    void aCommandThatCannotStartIsReported() throws Exception {
        try (PrivateTokenFile file = PrivateTokenFile.create(dir)) {
            Outcome first = getter.get(request.withTokenFile(file.path()));
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> TokenShell.run(
                    new ProcessBuilder(dir.resolve("no-such-command").toString()), file,
                    renewer(file, first.token(), Duration.ofSeconds(60))))
                    .isInstanceOf(TokenShell.NotStarted.class).hasMessageContaining("no-such-command");
        }
    }

    @Test
    void theTokenIsRenewedAtTwoThirdsOfItsLifetime() throws Exception {
        try (PrivateTokenFile file = PrivateTokenFile.create(dir)) {
            TokenInfo first = getter.get(request.withTokenFile(file.path())).token();
            try (TokenRenewer renewer = renewer(file, first, Duration.ofSeconds(60))) {
                Duration lifetime = first.lifetime();
                assertThat(renewer.nextRenewal()).isEqualTo(first.issuedAt().plus(lifetime.multipliedBy(2).dividedBy(3)));
                assertThat(renewer.renewIfDue()).isFalse();

                vo.clock().set(renewer.nextRenewal());
                assertThat(renewer.renewIfDue()).isTrue();

                TokenInfo second = TokenInfo.read(file.path()).orElseThrow();
                assertThat(second.token()).isNotEqualTo(first.token()).isEqualTo(renewer.current().token());
                assertThat(second.scope()).isEqualTo("read:/ligo");
                assertThat(renewer.nextRenewal()).isAfter(vo.clock().instant());
                assertThat(warnings).isEmpty();
            }
        }
    }

    @Test
    void aLongMinimumLifetimeRenewsEarlier() throws Exception {
        try (PrivateTokenFile file = PrivateTokenFile.create(dir)) {
            TokenInfo first = getter.get(request.withTokenFile(file.path())).token();
            Duration minimum = first.lifetime().dividedBy(2);
            try (TokenRenewer renewer = renewer(file, first, minimum)) {
                assertThat(renewer.nextRenewal()).isEqualTo(first.expiresAt().minus(minimum));
            }
        }
    }

    @Test
    void aFailedRenewalKeepsTheTokenAndRetries() throws Exception {
        try (PrivateTokenFile file = PrivateTokenFile.create(dir)) {
            TokenInfo first = getter.get(request.withTokenFile(file.path())).token();
            TokenRenewer renewer = new TokenRenewer(() -> {
                throw new IOException("issuer unreachable");
            }, first, Duration.ofSeconds(60), vo.clock(), warnings::add);
            try (renewer) {
                vo.clock().set(renewer.nextRenewal());
                assertThat(renewer.renewIfDue()).isFalse();
                assertThat(renewer.nextRenewal()).isEqualTo(vo.clock().instant().plusSeconds(30));
                vo.clock().advance(Duration.ofSeconds(30));
                assertThat(renewer.renewIfDue()).isFalse();
                assertThat(renewer.nextRenewal()).isEqualTo(vo.clock().instant().plusSeconds(60));
            }
            assertThat(warnings).hasSize(2).first().asString().contains("issuer unreachable", "valid for", "retrying in 30 s");
            assertThat(TokenInfo.read(file.path()).orElseThrow().token()).isEqualTo(first.token());
        }
    }
}
