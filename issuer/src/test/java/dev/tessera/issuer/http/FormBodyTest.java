package dev.tessera.issuer.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tessera.issuer.service.OAuthException;
import dev.tessera.issuer.service.Parameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Parsing an {@code application/x-www-form-urlencoded} body: lenient with sloppy clients, strict where it matters. */
class FormBodyTest {

    private static void assertInvalidRequest(String body) {
        assertThatThrownBy(() -> FormBody.parse(body)).as(body)
                .isInstanceOfSatisfying(OAuthException.class, e -> {
                    assertThat(e.error()).isEqualTo("invalid_request");
                    assertThat(e.status()).isEqualTo(400);
                });
    }

    @Test
    void percentEncodedPairsAreDecoded() throws Exception {
        Parameters p = FormBody.parse("grant_type=client_credentials&scope=read%3A%2Fligo%20write%3A%2Fx&audience=https%3A%2F%2Fa");
        assertThat(p.get("grant_type")).isEqualTo("client_credentials");
        assertThat(p.get("scope")).isEqualTo("read:/ligo write:/x");
        assertThat(p.get("audience")).isEqualTo("https://a");
    }

    @Test
    void rawSpacesColonsAndSlashesAreAccepted() throws Exception {
        // oidc-agent sends these unencoded
        Parameters p = FormBody.parse("grant_type=refresh_token&scope=openid offline_access read:/ligo storage.create:/x/y");
        assertThat(p.get("scope")).isEqualTo("openid offline_access read:/ligo storage.create:/x/y");
        assertThat(p.get("grant_type")).isEqualTo("refresh_token");
    }

    @Test
    void plusIsASpace() throws Exception {
        assertThat(FormBody.parse("scope=openid+read:/a").get("scope")).isEqualTo("openid read:/a");
        assertThat(FormBody.parse("scope=a%2Bb").get("scope")).isEqualTo("a+b");
    }

    @Test
    void utf8PercentEncodingIsDecoded() throws Exception {
        assertThat(FormBody.parse("name=caf%C3%A9").get("name")).isEqualTo("caf\u00e9");
    }

    @Test
    void emptyValuesAndEmptyPairsAreAbsent() throws Exception {
        Parameters p = FormBody.parse("&&scope=&client_id=abc&state&&");
        assertThat(p.has("scope")).isFalse();
        assertThat(p.has("state")).isFalse();
        assertThat(p.get("client_id")).isEqualTo("abc");
    }

    @Test
    void emptyBodyHasNoParameters() throws Exception {
        Parameters p = FormBody.parse("");
        assertThat(p.has("grant_type")).isFalse();
    }

    @Test
    void valueMayContainEqualsSigns() throws Exception {
        assertThat(FormBody.parse("code=abc==&x=a=b").get("code")).isEqualTo("abc==");
        assertThat(FormBody.parse("x=a=b").get("x")).isEqualTo("a=b");
    }

    @Test
    void namesAreDecodedAndStripped() throws Exception {
        assertThat(FormBody.parse("client%5Fid=abc").get("client_id")).isEqualTo("abc");
        assertThat(FormBody.parse(" client_id =abc").get("client_id")).isEqualTo("abc");
    }

    @Test
    void valuesAreNotStripped() throws Exception {
        assertThat(FormBody.parse("scope=+read:/a+").get("scope")).isEqualTo(" read:/a ");
    }

    @Test
    void repeatedParameterIsAnInvalidRequest() {
        assertInvalidRequest("scope=a&scope=b");
        assertInvalidRequest("grant_type=x&client_id=c&grant_type=x");
    }

    @Test
    void repeatAfterDecodingIsStillARepeat() {
        assertInvalidRequest("client_id=a&client%5Fid=b");
        assertInvalidRequest("client_id=a& client_id=b");
    }

    @Test
    void resourceAndAudienceMayRepeat() throws Exception {
        Parameters p = FormBody.parse("resource=https%3A%2F%2Fa&resource=https://b&audience=x&audience=y z");
        assertThat(p.all("resource")).containsExactly("https://a", "https://b");
        assertThat(p.all("audience")).containsExactly("x", "y z");
    }

    @Test
    void anEmptyRepeatIsNotARepeat() throws Exception {
        assertThat(FormBody.parse("scope=&scope=read:/a").get("scope")).isEqualTo("read:/a");
    }

    @ParameterizedTest
    @ValueSource(strings = {"scope=%", "scope=%2", "scope=%zz", "scope=abc%G1", "sc%ope=x", "%=x", "a=1&b=%x"})
    void malformedPercentEncodingIsAnInvalidRequest(String body) {
        assertInvalidRequest(body);
    }

    @Test
    void malformedPercentEncodingNamesTheParameterShortened() {
        String longName = "n".repeat(100);
        assertThatThrownBy(() -> FormBody.parse(longName + "=%zz"))
                .isInstanceOfSatisfying(OAuthException.class, e -> {
                    assertThat(e.description()).contains("n".repeat(40) + "...");
                    assertThat(e.description()).doesNotContain("n".repeat(41));
                });
        assertThatThrownBy(() -> FormBody.parse("scope=%zz"))
                .isInstanceOfSatisfying(OAuthException.class, e -> assertThat(e.description()).contains("scope"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"scope=%FF", "scope=%C3", "scope=%ED%A0%80", "sc%FFope=x"})
    void invalidUtf8IsAnInvalidRequestNotAReplacementCharacter(String body) {
        assertInvalidRequest(body);
    }

    @Test
    void rawNonAsciiLettersAreKept() throws Exception {
        assertThat(FormBody.parse("name=J\u00fcrgen \uD83D\uDE00").get("name")).isEqualTo("J\u00fcrgen \uD83D\uDE00");
    }
}
