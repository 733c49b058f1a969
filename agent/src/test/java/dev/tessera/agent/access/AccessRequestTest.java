package dev.tessera.agent.access;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tessera.token.TokenBuilder;
import dev.tessera.token.keys.Algorithm;
import dev.tessera.token.keys.SigningKey;
import dev.tessera.token.scope.InvalidScopeException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Whether a token at hand serves a request, and what a new token grants beyond it. */
class AccessRequestTest {
    static final String ISS = "https://tokens.example.org/vo/ligo";
    static final Instant NOW = Instant.ofEpochSecond(1_767_225_600L);
    static final SigningKey KEY = SigningKey.generate(Algorithm.ES256, "k1");

    static TokenInfo token(String scope, String... audiences) throws Exception {
        TokenBuilder builder = TokenBuilder.forKey(KEY).issuer(ISS).subject("alice").scope(scope)
                .clock(Clock.fixed(NOW.minusSeconds(60), ZoneOffset.UTC)).lifetime(Duration.ofMinutes(20)); // 19 min left
        for (String audience : audiences) {
            builder.audience(audience);
        }
        return TokenInfo.decode(builder.sign());
    }

    static AccessRequest request(String scopes, List<String> audiences, long minsecs) throws InvalidScopeException {
        return AccessRequest.parse(scopes, audiences, Duration.ofSeconds(minsecs));
    }

    @Test
    void scopesAreSortedIntoCapabilitiesAndProtocolWords() throws Exception {
        AccessRequest request = request("read:/ligo  openid wlcg.groups:/ligo compute.create aud:https://x offline_access",
                List.of("https://a https://b", "https://a"), 60);
        assertThat(request.capabilities().toString()).isEqualTo("read:/ligo compute.create");
        assertThat(request.protocolScopes()).containsExactly("openid", "wlcg.groups:/ligo", "aud:https://x", "offline_access");
        assertThat(request.audiences()).containsExactly("https://a", "https://b");
        assertThat(request.scopeParameter()).isEqualTo("read:/ligo compute.create openid wlcg.groups:/ligo aud:https://x");
        assertThat(request.grantScope()).endsWith(" offline_access");
        assertThat(request(null, List.of(), 0).scopeParameter()).isNull();
        assertThat(request(null, List.of(), 0).grantScope()).isEqualTo("offline_access");
        assertThatThrownBy(() -> request("read:/a/../b", List.of(), 0)).isInstanceOf(InvalidScopeException.class);
    }

    @Test
    void aTokenServesARequestForExactlyItsScopesAndAudiencesWithTimeLeft() throws Exception {
        TokenInfo token = token("read:/ligo/O3 write:/home/alice", "https://data.example.org");
        assertThat(request(null, List.of(), 60).servedBy(token, ISS, NOW)).isTrue();
        assertThat(request("write:/home/alice read:/ligo/O3", List.of("https://data.example.org"), 60)
                .servedBy(token, ISS, NOW)).isTrue();
        assertThat(request(null, List.of(), 60).servedBy(token, ISS + "x", NOW)).isFalse(); // another issuer
        assertThat(request(null, List.of(), 19 * 60 + 1).servedBy(token, ISS, NOW)).isFalse(); // not enough left
        assertThat(request("read:/ligo", List.of(), 60).servedBy(token, ISS, NOW)).isFalse(); // less than asked
        assertThat(request("read:/ligo/O3", List.of(), 60).servedBy(token, ISS, NOW)).isFalse(); // more than asked
        assertThat(request(null, List.of("https://other.example.org"), 60).servedBy(token, ISS, NOW)).isFalse();
    }

    @Test
    void excessNamesWhatATokenGrantsBeyondTheRequest() throws Exception {
        TokenInfo token = token("read:/ligo write:/home/alice", "https://data.example.org", "https://other.example.org");
        assertThat(request("read:/ligo write:/home", List.of(), 0).excess(token)).isEmpty();
        assertThat(request("read:/ligo/O3", List.of("https://data.example.org"), 0).excess(token))
                .containsExactly("scope read:/ligo", "scope write:/home/alice", "audience https://other.example.org");
        assertThat(request(null, List.of(), 0).excess(token)).isEmpty(); // nothing named: what the grant holds
        assertThat(request("read:/ligo", List.of(), 0).excess(token("read:/ligo openid offline_access", "ANY"))).isEmpty();
    }
}
