package dev.tessera.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class BearerCredentialsTest {
    private static final String JWT = "eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln";

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void bearerHeader() {
        assertThat(BearerCredentials.fromAuthorization("Bearer " + JWT)).isEqualTo(JWT);
        assertThat(BearerCredentials.fromAuthorization("bearer   " + JWT + " ")).isEqualTo(JWT);
        assertThat(BearerCredentials.fromAuthorization("Bearer ")).isNull();
        assertThat(BearerCredentials.fromAuthorization("Bearer")).isNull();
    }

    @Test
    void basicWithTheTokenAsUsernameOrPassword() {
        assertThat(BearerCredentials.fromAuthorization(basic(JWT, "x-oauth-basic"))).isEqualTo(JWT);
        assertThat(BearerCredentials.fromAuthorization(basic(JWT, ""))).isEqualTo(JWT);
        assertThat(BearerCredentials.fromAuthorization(basic("x-oauth-basic", JWT))).isEqualTo(JWT);
        assertThat(BearerCredentials.fromAuthorization(basic("alice", "secret"))).isNull();
        assertThat(BearerCredentials.fromAuthorization("Basic !!!notbase64")).isNull();
    }

    @Test
    void otherSchemesCarryNoToken() {
        assertThat(BearerCredentials.fromAuthorization("Negotiate abc")).isNull();
    }

    @Test
    void challengesQuoteSafely() {
        assertThat(BearerChallenge.of("tessera")).isEqualTo("Bearer realm=\"tessera\"");
        assertThat(BearerChallenge.of("t", "insufficient_scope", "needs \"read\"\n", "storage.read:/x"))
                .isEqualTo("Bearer realm=\"t\", error=\"insufficient_scope\", error_description=\"needs 'read''\", "
                        + "scope=\"storage.read:/x\"");
    }
}
