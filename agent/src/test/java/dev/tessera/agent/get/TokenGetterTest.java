package dev.tessera.agent.get;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.oauth2.sdk.http.HTTPResponse;
import dev.tessera.agent.access.AccessRequest;
import dev.tessera.agent.access.TokenInfo;
import dev.tessera.agent.oauth.Narrowing;
import dev.tessera.agent.oauth.OAuthError;
import dev.tessera.agent.testing.Approver;
import dev.tessera.agent.testing.TestVo;
import dev.tessera.agent.vault.Vault;
import dev.tessera.agent.vault.VaultEntry;
import dev.tessera.token.TokenBuilder;
import dev.tessera.token.bearer.TokenFiles;
import dev.tessera.token.jws.Json;
import dev.tessera.token.keys.Algorithm;
import dev.tessera.token.keys.SigningKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code tessera get}'s logic end to end against the real issuer: login, reuse, refresh, downscoping, revocation. */
class TokenGetterTest {
    static final char[] PASSPHRASE = "a long enough vault passphrase".toCharArray();

    @RegisterExtension
    static final TestVo vo = new TestVo();

    @TempDir
    Path dir;
    Path tokenFile;
    Vault vault;
    Approver approver;
    TokenGetter getter;

    @BeforeEach
    void aFreshUser() {
        tokenFile = dir.resolve("run/bt_u1000");
        vault = new Vault(dir.resolve("config/tessera/vault.json"), PASSPHRASE);
        approver = vo.approver();
        getter = vo.getter(vault, approver);
        vo.transport().reset();
    }

    GetRequest request(String scopes, List<String> audiences, long minsecs) throws Exception {
        return new GetRequest(vo.iss(), vo.clientId(), null, AccessRequest.parse(scopes, audiences, Duration.ofSeconds(minsecs)),
                tokenFile, null, true);
    }

    GetRequest request() throws Exception {
        return request(null, List.of(), 60);
    }

    String storedRefreshToken() throws Exception {
        return vault.entries().stream().filter(e -> e.isFor(vo.iss(), vo.clientId())).findFirst()
                .map(VaultEntry::refreshToken).orElseThrow();
    }

    static String mode(Path path) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    @Test
    void aFirstGetLogsInWithTheDeviceFlowAndKeepsTheRefreshTokenEncrypted() throws Exception {
        Outcome outcome = getter.get(request());

        assertThat(outcome.how()).isEqualTo(Outcome.How.DEVICE_FLOW);
        assertThat(approver.shown()).hasSize(1);
        assertThat(outcome.token().scope()).isEqualTo("read:/ligo write:/home/alice");
        assertThat(outcome.token().issuer()).isEqualTo(vo.iss());
        assertThat(Files.readString(tokenFile)).isEqualTo(outcome.token().token() + "\n");
        assertThat(mode(tokenFile)).isEqualTo("rw-------");

        String refreshToken = storedRefreshToken();
        String stored = Files.readString(vault.file());
        assertThat(stored).doesNotContain(refreshToken).doesNotContain(vo.iss()).contains("A256GCM");
        assertThat(mode(vault.file())).isEqualTo("rw-------");
        assertThat(mode(vault.file().getParent())).isEqualTo("rwx------");
        assertThat(vault.entries().get(0).scope()).isEqualTo("read:/ligo write:/home/alice offline_access");
    }

    @Test
    void theNextGetReusesTheTokenWithoutAskingTheIssuer() throws Exception {
        Outcome first = getter.get(request());
        vo.transport().reset();

        Outcome second = vo.getter(vault, approver).get(request());

        assertThat(second.how()).isEqualTo(Outcome.How.REUSED);
        assertThat(second.token().token()).isEqualTo(first.token().token());
        assertThat(vo.transport().requests()).isEmpty();
        assertThat(approver.shown()).hasSize(1);
    }

    @Test
    void minsecsBeyondTheRemainingLifeRefreshesAndRotatesTheStoredRefreshToken() throws Exception {
        Outcome first = getter.get(request());
        String refreshToken = storedRefreshToken();
        long remaining = first.token().remaining(vo.clock().instant()).toSeconds();
        vo.transport().reset();

        Outcome refreshed = getter.get(request(null, List.of(), remaining + 1));

        assertThat(refreshed.how()).isEqualTo(Outcome.How.REFRESHED);
        assertThat(vo.transport().count("/token")).isEqualTo(1);
        assertThat(vo.transport().count("/device_authorization")).isZero();
        assertThat(storedRefreshToken()).isNotEqualTo(refreshToken);
        assertThat(Files.readString(tokenFile).strip()).isEqualTo(refreshed.token().token()).isNotEqualTo(first.token().token());

        vo.clock().advance(first.token().lifetime().minusSeconds(30)); // 30 s left of 60 required
        assertThat(getter.get(request()).how()).isEqualTo(Outcome.How.REFRESHED);
    }

    @Test
    void scopesAndAudienceNarrowTheTokenAndItIsThenReused() throws Exception {
        getter.get(request());

        Outcome narrowed = getter.get(request("read:/ligo/O3", List.of(TestVo.DATA), 60));

        assertThat(narrowed.how()).isEqualTo(Outcome.How.REFRESHED);
        assertThat(narrowed.token().scope()).isEqualTo("read:/ligo/O3");
        assertThat(narrowed.token().audiences()).containsExactly(TestVo.DATA);
        assertThat(getter.get(request("read:/ligo/O3", List.of(TestVo.DATA), 60)).how()).isEqualTo(Outcome.How.REUSED);
        // the broader token is not reused for a narrower request, nor the narrower one for a broader request
        assertThat(getter.get(request("read:/ligo", List.of(TestVo.DATA), 60)).how()).isEqualTo(Outcome.How.REFRESHED);
    }

    @Test
    void aTokenGrantingMoreThanAskedIsRefusedAndNotWritten() throws Exception {
        Outcome first = getter.get(request("read:/ligo/O3", List.of(), 60));
        SigningKey rogue = SigningKey.generate(Algorithm.ES256, "rogue");
        String broader = TokenBuilder.forKey(rogue).issuer(vo.iss()).subject("alice").scope("read:/ligo write:/home/alice")
                .audience("ANY").sign();
        vo.transport().rewriteTokenAnswers(response -> withAccessToken(response, broader));
        try {
            assertThatThrownBy(() -> getter.get(request("read:/ligo/O3", List.of(), 24 * 3600)))
                    .isInstanceOfSatisfying(GetException.class, e -> {
                        assertThat(e.kind()).isEqualTo(GetException.Kind.REFUSED);
                        assertThat(e.getMessage()).contains("grants more than asked", "scope read:/ligo",
                                "scope write:/home/alice", "not written");
                    });
        } finally {
            vo.transport().rewriteTokenAnswers(r -> r);
        }
        assertThat(Files.readString(tokenFile).strip()).isEqualTo(first.token().token());
        // the rotated refresh token was stored before the answer was checked: the grant still works
        assertThat(getter.get(request("read:/ligo/O3", List.of(), 24 * 3600)).how()).isEqualTo(Outcome.How.REFRESHED);
    }

    static HTTPResponse withAccessToken(HTTPResponse response, String token) {
        try {
            Map<String, Object> body = new java.util.LinkedHashMap<>(Json.parseObject(response.getBody()));
            body.put("access_token", token);
            HTTPResponse changed = new HTTPResponse(response.getStatusCode());
            changed.setContentType(response.getHeaderValue("Content-Type"));
            changed.setBody(Json.write(body));
            return changed;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void revokeRevokesAtTheIssuerForgetsTheGrantAndDeletesTheToken() throws Exception {
        getter.get(request());
        String refreshToken = storedRefreshToken();

        TokenGetter.Revoked revoked = getter.revoke(vo.iss(), null, null, tokenFile);

        assertThat(revoked.refreshTokenRevoked()).isTrue();
        assertThat(revoked.tokenFileDeleted()).isTrue();
        assertThat(revoked.clientId()).isEqualTo(vo.clientId());
        assertThat(tokenFile).doesNotExist();
        assertThat(vault.entries()).isEmpty();
        assertThatThrownBy(() -> vo.client().refresh(refreshToken, Narrowing.NONE)).isInstanceOfSatisfying(OAuthError.class,
                e -> assertThat(e.code()).isEqualTo(OAuthError.INVALID_GRANT));
        assertThatThrownBy(() -> getter.get(request().nonInteractive())).isInstanceOfSatisfying(GetException.class,
                e -> assertThat(e.getMessage()).contains("no usable refresh token", "tessera get"));
    }

    @Test
    void aRefreshTokenRevokedElsewhereIsForgottenAndTheUserLogsInAgain() throws Exception {
        getter.get(request());
        vo.client().revokeRefreshToken(storedRefreshToken());

        Outcome again = getter.get(request(null, List.of(), 24 * 3600));

        assertThat(again.how()).isEqualTo(Outcome.How.DEVICE_FLOW);
        assertThat(approver.notes()).anySatisfy(n -> assertThat(n).contains("no longer works"));
        assertThat(approver.shown()).hasSize(2);
        assertThat(vault.entries()).hasSize(1);
    }

    @Test
    void aGrantThatDoesNotCoverTheRequestIsKeptUntilANewLoginReplacesIt() throws Exception {
        getter.get(request("read:/ligo", List.of(), 60));
        String narrowGrant = storedRefreshToken();

        Outcome wider = getter.get(request("write:/home/alice", List.of(), 60));

        assertThat(wider.how()).isEqualTo(Outcome.How.DEVICE_FLOW);
        assertThat(wider.token().scope()).isEqualTo("write:/home/alice");
        assertThat(approver.notes()).anySatisfy(n -> assertThat(n).contains("does not cover"));
        assertThat(storedRefreshToken()).isNotEqualTo(narrowGrant);
        assertThat(vault.entries().get(0).scope()).isEqualTo("write:/home/alice offline_access");
    }

    @Test
    void withoutAClientIdTheVaultsOnlyGrantAtTheIssuerIsUsed() throws Exception {
        GetRequest anonymous = new GetRequest(vo.iss(), null, null, AccessRequest.parse(null, List.of(), Duration.ZERO),
                tokenFile, null, true);
        assertThatThrownBy(() -> getter.get(anonymous)).isInstanceOfSatisfying(GetException.class, e -> {
            assertThat(e.kind()).isEqualTo(GetException.Kind.USAGE);
            assertThat(e.getMessage()).contains("--client-id");
        });
        getter.get(request());
        Outcome refreshed = getter.renew(anonymous);
        assertThat(refreshed.how()).isEqualTo(Outcome.How.REFRESHED);
        assertThat(refreshed.clientId()).isEqualTo(vo.clientId());
    }

    @Test
    void aDeniedLoginWritesNothing() throws Exception {
        approver.deciding(Approver.Decision.DENY);
        assertThatThrownBy(() -> getter.get(request())).isInstanceOfSatisfying(GetException.class, e -> {
            assertThat(e.kind()).isEqualTo(GetException.Kind.REFUSED);
            assertThat(e.getMessage()).contains("denied");
        });
        assertThat(tokenFile).doesNotExist();
        assertThat(vault.entries()).isEmpty();
    }

    @Test
    void aReaderNeverSeesAPartialOrEmptyTokenWhileTheFileIsReplaced() throws Exception {
        String one = getter.get(request()).token().token();
        String two = getter.renew(request()).token().token();
        Set<String> written = ConcurrentHashMap.newKeySet();
        written.add(one);
        written.add(two);
        Set<String> seen = ConcurrentHashMap.newKeySet(); // every distinct content a reader found
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicLong reads = new AtomicLong();
        Thread reader = new Thread(() -> {
            while (writing.get() || reads.get() == 0) {
                try {
                    seen.add(Files.readString(tokenFile).strip());
                } catch (IOException e) {
                    seen.add("unreadable: " + e);
                }
                reads.incrementAndGet();
            }
        });
        reader.start();
        for (int i = 0; i < 5; i++) {
            written.add(getter.renew(request()).token().token()); // the getter's own writes
        }
        for (int i = 0; i < 300; i++) {
            TokenFiles.write(tokenFile, i % 2 == 0 ? one : two);
        }
        writing.set(false);
        reader.join();

        assertThat(reads.get()).isPositive();
        assertThat(written).as("a reader saw content that was never written whole").containsAll(seen);
        assertThat(mode(tokenFile)).isEqualTo("rw-------");
        try (var files = Files.list(tokenFile.getParent())) {
            assertThat(files).containsExactly(tokenFile); // no temporary file left behind
        }
    }
}
