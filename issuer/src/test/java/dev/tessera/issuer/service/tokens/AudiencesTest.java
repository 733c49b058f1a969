package dev.tessera.issuer.service.tokens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tessera.issuer.domain.Client;
import dev.tessera.issuer.domain.Vo;
import dev.tessera.issuer.service.OAuthException;
import dev.tessera.token.Profile;
import dev.tessera.token.keys.Algorithm;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The token's {@code aud}: one story for IAM's audience, RFC 8707's resource and OA4MP's aud: scope. */
class AudiencesTest {

    private static final String DEFAULT = "https://ligo.example.org";
    private static final String WLCG_ANY = "https://wlcg.cern.ch/jwt/v1/any";
    private static final Vo VO = new Vo("ligo", "https://issuer.example.org/vo/ligo", Profile.WLCG_1, Algorithm.ES256,
            Duration.ofMinutes(20), Duration.ofHours(3), DEFAULT);
    private static final Client OPEN = client(List.of());

    private static Client client(List<String> audiences) {
        return new Client("ligo", "cli-1", "test client", null, Set.of(Client.CLIENT_CREDENTIALS), "read:/ligo",
                audiences, List.of());
    }

    private static List<String> resolve(Client client, List<String> audience, List<String> resource, List<String> audScopes)
            throws OAuthException {
        return Audiences.resolve(VO, client, audience, resource, audScopes);
    }

    private static void assertInvalidTarget(Client client, List<String> audience, List<String> resource,
                                            List<String> audScopes, String mentioned) {
        assertThatThrownBy(() -> resolve(client, audience, resource, audScopes))
                .isInstanceOfSatisfying(OAuthException.class, e -> {
                    assertThat(e.error()).isEqualTo("invalid_target");
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.description()).contains(mentioned);
                });
    }

    // ---- sources ----

    @Test
    void askingForNothingGivesTheVoDefault() throws Exception {
        assertThat(resolve(OPEN, List.of(), List.of(), List.of())).containsExactly(DEFAULT);
    }

    @Test
    void blankAudienceParameterIsAskingForNothing() throws Exception {
        assertThat(resolve(OPEN, List.of("   "), List.of(), List.of())).containsExactly(DEFAULT);
    }

    @Test
    void audienceParameterIsSpaceSeparated() throws Exception {
        assertThat(resolve(OPEN, List.of("  https://a   https://b\thttps://c "), List.of(), List.of()))
                .containsExactly("https://a", "https://b", "https://c");
    }

    @Test
    void audienceParameterMayRepeat() throws Exception {
        assertThat(resolve(OPEN, List.of("https://a", "https://b https://c"), List.of(), List.of()))
                .containsExactly("https://a", "https://b", "https://c");
    }

    @Test
    void audienceNeedNotBeAUri() throws Exception {
        assertThat(resolve(OPEN, List.of("cms-storage"), List.of(), List.of())).containsExactly("cms-storage");
    }

    @Test
    void resourceIsAnAbsoluteUri() throws Exception {
        assertThat(resolve(OPEN, List.of(), List.of("https://data.example.org/path?q=1", "urn:example:svc"), List.of()))
                .containsExactly("https://data.example.org/path?q=1", "urn:example:svc");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/relative", "data.example.org", "https://a.example.org/#frag", "https://a.example.org#",
        "https://a b.example.org", "https://a.example.org/%zz", ""})
    void resourceMustBeAnAbsoluteUriWithoutFragment(String resource) {
        assertInvalidTarget(OPEN, List.of(), List.of(resource), List.of(), "resource");
    }

    @Test
    void audScopesAreAudiences() throws Exception {
        assertThat(resolve(OPEN, List.of(), List.of(), List.of("https://x", "https://y"))).containsExactly("https://x", "https://y");
    }

    @Test
    void allSourcesAreUnitedInOrderWithoutDuplicates() throws Exception {
        assertThat(resolve(OPEN, List.of("https://a https://b"), List.of("https://c", "https://a"), List.of("https://b", "https://d")))
                .containsExactly("https://a", "https://b", "https://c", "https://d");
    }

    @Test
    void askingForSomethingLeavesOutTheDefault() throws Exception {
        assertThat(resolve(OPEN, List.of("https://a"), List.of(), List.of())).containsExactly("https://a");
    }

    // ---- what a client may ask for ----

    @Test
    void registeredAudiencesRestrictTheClient() throws Exception {
        Client restricted = client(List.of("https://a", "https://b"));
        assertThat(resolve(restricted, List.of("https://a"), List.of("https://b"), List.of())).containsExactly("https://a", "https://b");
        assertInvalidTarget(restricted, List.of("https://a https://c"), List.of(), List.of(), "https://c");
        assertInvalidTarget(restricted, List.of(), List.of("https://c"), List.of(), "https://c");
        assertInvalidTarget(restricted, List.of(), List.of(), List.of("https://c"), "https://c");
    }

    @Test
    void refusalNamesEveryRefusedAudienceAndTheClient() {
        Client restricted = client(List.of("https://a"));
        assertThatThrownBy(() -> resolve(restricted, List.of("https://x https://a https://y"), List.of(), List.of()))
                .isInstanceOfSatisfying(OAuthException.class, e -> {
                    assertThat(e.description()).contains("cli-1").contains("https://x, https://y");
                    assertThat(e.description()).doesNotContain("https://a");
                });
    }

    @Test
    void registeredAudiencesMatchExactly() {
        Client restricted = client(List.of("https://a.example.org"));
        assertInvalidTarget(restricted, List.of("https://a.example.org/"), List.of(), List.of(), "https://a.example.org/");
        assertInvalidTarget(restricted, List.of("https://A.example.org"), List.of(), List.of(), "https://A.example.org");
        assertInvalidTarget(restricted, List.of("https://a.example.org.evil"), List.of(), List.of(), "evil");
    }

    @Test
    void restrictedClientAskingForNothingGetsItsOwnAudienceNotTheVoDefault() throws Exception {
        assertThat(resolve(client(List.of("https://a")), List.of(), List.of(), List.of())).containsExactly("https://a");
        assertThat(resolve(client(List.of("https://a", DEFAULT)), List.of(), List.of(), List.of())).containsExactly(DEFAULT);
        assertInvalidTarget(client(List.of("https://a", "https://b")), List.of(), List.of(), List.of(), "https://a");
    }

    @ParameterizedTest
    @ValueSource(strings = {"ANY", WLCG_ANY})
    void wildcardsAreRefusedToAnOpenClient(String wildcard) {
        assertInvalidTarget(OPEN, List.of(wildcard), List.of(), List.of(), wildcard);
        assertInvalidTarget(OPEN, List.of(), List.of(), List.of(wildcard), wildcard);
        assertInvalidTarget(OPEN, List.of("https://ok " + wildcard), List.of(), List.of(), wildcard);
    }

    @Test
    void wlcgWildcardAsResourceIsRefusedToAnOpenClient() {
        assertInvalidTarget(OPEN, List.of(), List.of(WLCG_ANY), List.of(), WLCG_ANY);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ANY", WLCG_ANY})
    void wildcardsAreAllowedWhenRegistered(String wildcard) throws Exception {
        Client any = client(List.of(wildcard));
        assertThat(resolve(any, List.of(wildcard), List.of(), List.of())).containsExactly(wildcard);
        assertThat(resolve(any, List.of(), List.of(), List.of(wildcard))).containsExactly(wildcard);
    }

    @Test
    void registeringOneWildcardDoesNotAllowTheOther() {
        assertInvalidTarget(client(List.of("ANY")), List.of(WLCG_ANY), List.of(), List.of(), WLCG_ANY);
        assertInvalidTarget(client(List.of(WLCG_ANY)), List.of("ANY"), List.of(), List.of(), "ANY");
    }

    @Test
    void wildcardMatchIsExact() throws Exception {
        // only the exact wildcard strings are special
        assertThat(resolve(OPEN, List.of("any", "https://wlcg.cern.ch/jwt/v1/any/"), List.of(), List.of()))
                .containsExactly("any", "https://wlcg.cern.ch/jwt/v1/any/");
    }

    // ---- within ----

    @Test
    void withinIsASubset() {
        assertThat(Audiences.within(List.of("https://a", "https://b"), List.of("https://a"))).isTrue();
        assertThat(Audiences.within(List.of("https://a", "https://b"), List.of("https://b", "https://a"))).isTrue();
        assertThat(Audiences.within(List.of("https://a"), List.of())).isTrue();
        assertThat(Audiences.within(List.of("https://a"), List.of("https://a", "https://c"))).isFalse();
        assertThat(Audiences.within(List.of("https://a"), List.of("https://c"))).isFalse();
        assertThat(Audiences.within(List.of(), List.of("https://a"))).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"ANY", WLCG_ANY})
    void anythingIsWithinAWildcardParent(String wildcard) {
        assertThat(Audiences.within(List.of(wildcard), List.of("https://anything", "x"))).isTrue();
        assertThat(Audiences.within(List.of("https://a", wildcard), List.of("https://z"))).isTrue();
    }

    @Test
    void aWildcardIsNotWithinASpecificParent() {
        assertThat(Audiences.within(List.of("https://a"), List.of("ANY"))).isFalse();
        assertThat(Audiences.within(List.of("https://a"), List.of(WLCG_ANY))).isFalse();
    }
}
