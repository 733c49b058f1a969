package dev.tessera.token.verify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tessera.token.Enforcer;
import dev.tessera.token.Reason;
import dev.tessera.token.TokenBuilder;
import dev.tessera.token.discovery.IssuerKeyCache;
import dev.tessera.token.testing.MemoryKeyFetcher;
import dev.tessera.token.testing.MutableClock;
import dev.tessera.token.keys.Algorithm;
import dev.tessera.token.keys.SigningKey;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Two issuers on one service, each with its own audiences and base path. */
class PerIssuerAudienceTest {
    private static final String LIGO = "https://tokens.example.org/ligo";
    private static final String CMS = "https://tokens.example.org/cms";
    private final SigningKey key = SigningKey.generate(Algorithm.ES256, "k1");
    private final MutableClock clock = MutableClock.now();
    private final Enforcer enforcer = Enforcer.builder()
            .keys(IssuerKeyCache.builder().clock(clock)
                    .fetcher(new MemoryKeyFetcher().publish(LIGO, key).publish(CMS, key)).build())
            .clock(clock)
            .audience("https://default.example.org")
            .issuer(LIGO, "/ligo", List.of("https://ligo-storage.example.org"))
            .issuer(CMS, "/cms")
            .build();

    private String token(String issuer, String audience) {
        return TokenBuilder.forKey(key).issuer(issuer).subject("s").audience(audience).scope("read:/").clock(clock).sign();
    }

    @Test
    void eachIssuerIsHeldToItsOwnAudiences() {
        assertThat(enforcer.test(token(LIGO, "https://ligo-storage.example.org"), "read", "/ligo/x").allowed()).isTrue();
        assertThat(enforcer.test(token(LIGO, "https://default.example.org"), "read", "/ligo/x").reason())
                .isEqualTo(Reason.AUDIENCE_MISMATCH);
        assertThat(enforcer.test(token(CMS, "https://default.example.org"), "read", "/cms/x").allowed()).isTrue();
        assertThat(enforcer.test(token(CMS, "https://ligo-storage.example.org"), "read", "/cms/x").reason())
                .isEqualTo(Reason.AUDIENCE_MISMATCH);
    }

    @Test
    void basePathsKeepIssuersApart() {
        assertThat(enforcer.test(token(CMS, "https://default.example.org"), "read", "/ligo/x").reason())
                .isEqualTo(Reason.INSUFFICIENT_SCOPE);
        assertThat(enforcer.verifier().audiences(LIGO)).containsExactly("https://ligo-storage.example.org");
        assertThat(enforcer.verifier().audiences(CMS)).containsExactly("https://default.example.org");
    }
}
