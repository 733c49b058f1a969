package dev.tessera.issuer.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** OAuth request parameters: each at most once (RFC 6749 §3.1), except the repeatable ones; empty is absent. */
class ParametersTest {

    private static Parameters of(String... nameValues) throws OAuthException {
        List<Map.Entry<String, String>> pairs = new java.util.ArrayList<>();
        for (int i = 0; i < nameValues.length; i += 2) {
            pairs.add(Map.entry(nameValues[i], nameValues[i + 1]));
        }
        return Parameters.of(pairs);
    }

    @Test
    void valuesAreReadByName() throws Exception {
        Parameters p = of("grant_type", "client_credentials", "scope", "read:/a");
        assertThat(p.get("grant_type")).isEqualTo("client_credentials");
        assertThat(p.get("scope")).isEqualTo("read:/a");
        assertThat(p.has("scope")).isTrue();
        assertThat(p.get("audience")).isNull();
        assertThat(p.has("audience")).isFalse();
    }

    @Test
    void repeatedParameterIsAnInvalidRequestNamingIt() {
        assertThatThrownBy(() -> of("scope", "read:/a", "scope", "read:/b"))
                .isInstanceOfSatisfying(OAuthException.class, e -> {
                    assertThat(e.error()).isEqualTo("invalid_request");
                    assertThat(e.status()).isEqualTo(400);
                    assertThat(e.description()).contains("scope");
                });
    }

    @Test
    void repeatingWithTheSameValueIsStillARepeat() {
        assertThatThrownBy(() -> of("grant_type", "x", "grant_type", "x"))
                .isInstanceOfSatisfying(OAuthException.class, e -> assertThat(e.error()).isEqualTo("invalid_request"));
    }

    @Test
    void resourceAndAudienceMayRepeatAndKeepTheirOrder() throws Exception {
        Parameters p = of("resource", "https://b", "audience", "x y", "resource", "https://a", "audience", "z");
        assertThat(p.all("resource")).containsExactly("https://b", "https://a");
        assertThat(p.all("audience")).containsExactly("x y", "z");
        assertThat(p.get("resource")).isEqualTo("https://b");
        assertThat(Parameters.REPEATABLE).containsExactlyInAnyOrder("resource", "audience");
    }

    @Test
    void allOfAnAbsentParameterIsEmpty() throws Exception {
        assertThat(of().all("resource")).isEmpty();
        assertThat(of("scope", "x").all("scope")).containsExactly("x");
    }

    @Test
    void emptyValueCountsAsAbsent() throws Exception {
        Parameters p = of("scope", "", "client_id", "abc");
        assertThat(p.get("scope")).isNull();
        assertThat(p.has("scope")).isFalse();
        assertThat(p.all("scope")).isEmpty();
    }

    @Test
    void emptyValueDoesNotCountAsARepeat() throws Exception {
        assertThat(of("scope", "", "scope", "read:/a").get("scope")).isEqualTo("read:/a");
        assertThat(of("scope", "read:/a", "scope", "").get("scope")).isEqualTo("read:/a");
    }

    @Test
    void whitespaceValueIsNotEmpty() throws Exception {
        assertThat(of("scope", " ").get("scope")).isEqualTo(" ");
    }

    @Test
    void requireGivesThePresentValue() throws Exception {
        assertThat(of("code", "abc").require("code")).isEqualTo("abc");
    }

    @Test
    void requireOfAMissingOrEmptyParameterIsAnInvalidRequestNamingIt() {
        assertThatThrownBy(() -> of("code", "").require("code"))
                .isInstanceOfSatisfying(OAuthException.class, e -> {
                    assertThat(e.error()).isEqualTo("invalid_request");
                    assertThat(e.description()).isEqualTo("missing parameter code");
                });
        assertThatThrownBy(() -> of().require("grant_type"))
                .isInstanceOfSatisfying(OAuthException.class, e -> assertThat(e.description()).contains("grant_type"));
    }

    @Test
    void namesAreCaseSensitive() throws Exception {
        Parameters p = of("Scope", "a", "scope", "b");
        assertThat(p.get("scope")).isEqualTo("b");
        assertThat(p.get("Scope")).isEqualTo("a");
    }

    @Test
    void valuesAreImmutable() throws Exception {
        Parameters p = of("resource", "https://a");
        assertThatThrownBy(() -> p.all("resource").add("https://b")).isInstanceOf(UnsupportedOperationException.class);
    }
}
