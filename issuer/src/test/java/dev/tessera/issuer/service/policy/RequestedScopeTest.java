package dev.tessera.issuer.service.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tessera.token.scope.InvalidScopeException;
import dev.tessera.token.scope.Scope;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The {@code scope} parameter sorted into capabilities, protocol scopes, audiences and groups. */
class RequestedScopeTest {

    @Test
    void sortsEachPartIntoItsPlace() throws Exception {
        RequestedScope r = RequestedScope.parse("openid offline_access aud:https://x wlcg.groups:/cms read:/a");
        assertThat(r.capabilities()).extracting(Scope::toString).containsExactly("read:/a");
        assertThat(r.protocol()).containsExactly("openid", "offline_access");
        assertThat(r.audiences()).containsExactly("https://x");
        assertThat(r.groups()).containsExactly("/cms");
    }

    @Test
    void everyProtocolScopeIsRecognized() throws Exception {
        RequestedScope r = RequestedScope.parse("openid offline_access profile email wlcg wlcg.groups eduperson_entitlement");
        assertThat(r.protocol()).containsExactly("openid", "offline_access", "profile", "email", "wlcg", "wlcg.groups",
                "eduperson_entitlement");
        assertThat(r.capabilities()).isNull();
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "   ", "\t\n"})
    void nothingAskedForHasNoParts(String text) throws Exception {
        RequestedScope r = RequestedScope.parse(text);
        assertThat(r.capabilities()).isNull();
        assertThat(r.protocol()).isEmpty();
        assertThat(r.audiences()).isEmpty();
        assertThat(r.groups()).isEmpty();
    }

    @Test
    void onlyProtocolScopesMeansAllCapabilities() throws Exception {
        // null, not empty: "everything I may have"
        assertThat(RequestedScope.parse("openid offline_access aud:https://x").capabilities()).isNull();
    }

    @Test
    void capabilitiesKeepTheirOrderAndAreCanonical() throws Exception {
        RequestedScope r = RequestedScope.parse("  write:/b   read://a//x compute.create queue storage.create:/c/ ");
        assertThat(r.capabilities()).extracting(Scope::toString)
                .containsExactly("write:/b", "read:/a/x", "compute.create", "queue:/", "storage.create:/c/");
    }

    @Test
    void groupsKeepTheOrderAskedForWithoutDuplicates() throws Exception {
        RequestedScope r = RequestedScope.parse("wlcg.groups:/ligo/analysis wlcg.groups:/cms wlcg.groups:/ligo/analysis");
        assertThat(r.groups()).containsExactly("/ligo/analysis", "/cms");
    }

    @Test
    void audiencesKeepTheirOrderWithoutDuplicates() throws Exception {
        RequestedScope r = RequestedScope.parse("aud:https://b aud:https://a aud:https://b aud:ANY");
        assertThat(r.audiences()).containsExactly("https://b", "https://a", "ANY");
    }

    @Test
    void protocolScopesAreCaseSensitive() throws Exception {
        RequestedScope r = RequestedScope.parse("OpenID");
        assertThat(r.protocol()).isEmpty();
        assertThat(r.capabilities()).extracting(Scope::toString).containsExactly("OpenID");
    }

    @Test
    void audWithNothingIsRejected() {
        assertThatThrownBy(() -> RequestedScope.parse("openid aud:"))
                .isInstanceOf(InvalidScopeException.class).hasMessageContaining("aud:");
    }

    @ParameterizedTest
    @ValueSource(strings = {"wlcg.groups:cms", "wlcg.groups:", "wlcg.groups:ligo/analysis"})
    void groupWithoutLeadingSlashIsRejected(String text) {
        assertThatThrownBy(() -> RequestedScope.parse("openid " + text))
                .isInstanceOf(InvalidScopeException.class).hasMessageContaining(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"read", "storage.create", "read:/a/../b", "write:/x/%2e%2e/y", "read:/\"x\"", "caf\u00e9",
        "read:/ok storage.modify"})
    void malformedCapabilityIsRejected(String text) {
        assertThatThrownBy(() -> RequestedScope.parse("openid " + text)).as(text).isInstanceOf(InvalidScopeException.class);
    }

    @Test
    void partsAreImmutable() throws Exception {
        RequestedScope r = RequestedScope.parse("openid aud:https://x wlcg.groups:/cms read:/a");
        assertThatThrownBy(() -> r.protocol().add("email")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> r.audiences().add("y")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> r.groups().add("/y")).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> r.capabilities().add(Scope.parse("read:/b"))).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void isProtocolRecognizesProtocolScopesOnly() throws Exception {
        assertThat(RequestedScope.isProtocol(Scope.parse("openid"))).isTrue();
        assertThat(RequestedScope.isProtocol(Scope.parse("offline_access"))).isTrue();
        assertThat(RequestedScope.isProtocol(Scope.parse("wlcg.groups"))).isTrue();
        assertThat(RequestedScope.isProtocol(Scope.parse("read:/a"))).isFalse();
        assertThat(RequestedScope.isProtocol(Scope.parse("compute.create"))).isFalse();
        assertThat(List.copyOf(RequestedScope.PROTOCOL)).doesNotContain("aud");
    }
}
