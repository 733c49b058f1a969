package dev.tessera.issuer.http;

import static dev.tessera.issuer.testing.RunningIssuer.basicHeader;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.oauth2.sdk.AccessTokenResponse;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.tokenexchange.TokenExchangeGrant;
import com.nimbusds.oauth2.sdk.TokenResponse;
import com.nimbusds.oauth2.sdk.auth.ClientSecretBasic;
import com.nimbusds.oauth2.sdk.auth.Secret;
import com.nimbusds.oauth2.sdk.id.Audience;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.token.BearerAccessToken;
import com.nimbusds.oauth2.sdk.token.TokenTypeURI;
import dev.tessera.issuer.domain.Client;
import dev.tessera.issuer.service.Administration;
import dev.tessera.issuer.testing.RunningIssuer;
import dev.tessera.token.VerifiedToken;
import dev.tessera.token.jws.Json;
import dev.tessera.token.keys.Algorithm;
import dev.tessera.token.keys.SigningKey;
import dev.tessera.token.TokenBuilder;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * RFC 8693 token exchange can only narrow: scope, audience and lifetime of the new token never exceed the
 * subject token's (the upscoping of INDIGO IAM #1020 and Keycloak #38990 must be impossible).
 */
class TokenExchangeTest {
    static final String AUD = "https://a.example.org https://b.example.org";
    static final String SERVICE = "https://a.example.org";
    @TempDir
    static Path dir;
    static RunningIssuer issuer;
    static Administration.NewClient robot;
    static Administration.NewClient exchanger;

    @BeforeAll
    static void start() throws Exception {
        issuer = RunningIssuer.sqlite(dir);
        robot = issuer.client("default", "read:/data write:/data/out storage.modify:/store storage.create:/drop compute.create");
        exchanger = issuer.client("default",
                "read:/ write:/ storage.read:/ storage.modify:/ storage.create:/ compute.create compute.cancel",
                Client.TOKEN_EXCHANGE);
    }

    @AfterAll
    static void stop() {
        issuer.close();
    }

    static String parent(String scope, String audience) throws Exception {
        HttpResponse<String> response = issuer.post("default", "/token", "grant_type=client_credentials&scope="
                + encode(scope) + (audience == null ? "" : "&audience=" + encode(audience)), "Authorization", basicHeader(robot));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return (String) Json.parseObject(response.body()).get("access_token");
    }

    static HttpResponse<String> exchange(Administration.NewClient client, String subjectToken, String extra) throws Exception {
        return issuer.post("default", "/token", "grant_type=urn:ietf:params:oauth:grant-type:token-exchange"
                        + "&subject_token=" + subjectToken + "&subject_token_type=urn:ietf:params:oauth:token-type:access_token"
                        + extra, "Authorization", basicHeader(client));
    }

    static String error(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        return (String) Json.parseObject(response.body()).get("error");
    }

    static VerifiedToken verify(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return issuer.verifier("default", SERVICE).verify((String) Json.parseObject(response.body()).get("access_token"));
    }

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    @Test
    void aNarrowerTokenKeepsTheSubjectAndNamesTheActor() throws Exception {
        String parent = parent("read:/data write:/data/out", AUD);
        VerifiedToken parentToken = issuer.verifier("default", SERVICE).verify(parent);
        HttpResponse<String> response = exchange(exchanger, parent, "&scope=read:/data/frames&audience=" + SERVICE);
        VerifiedToken child = verify(response);
        assertThat(child.scopes().toString()).isEqualTo("read:/data/frames");
        assertThat(child.audience()).containsExactly(SERVICE);
        assertThat(child.subject()).isEqualTo(robot.client().clientId());
        assertThat(child.claim("act")).isEqualTo(Map.of("sub", exchanger.client().clientId()));
        assertThat(child.expiresAt()).isBeforeOrEqualTo(parentToken.expiresAt());
        assertThat(child.jwtId()).isNotEqualTo(parentToken.jwtId());
        assertThat(Json.parseObject(response.body())).containsEntry("issued_token_type",
                "urn:ietf:params:oauth:token-type:access_token").containsEntry("token_type", "Bearer");
    }

    @Test
    void withoutAScopeTheNewTokenHasTheParentsScopeWithinTheClientsCeiling() throws Exception {
        Administration.NewClient narrow = issuer.client("default", "read:/data/frames compute.create", Client.TOKEN_EXCHANGE);
        VerifiedToken child = verify(exchange(narrow, parent("read:/data compute.create write:/data/out", AUD), ""));
        assertThat(child.scopes().toString()).isEqualTo("read:/data/frames compute.create");
        assertThat(child.audience()).containsExactly("https://a.example.org", "https://b.example.org");
    }

    @ParameterizedTest(name = "{0} from read:/data write:/data/out storage.modify:/store storage.create:/drop")
    @CsvSource({
        "read:/",                     // broader path
        "read:/datab",                // sibling prefix, not a sub-path
        "read:/dat",                  // prefix of a segment
        "write:/data",                // broader than write:/data/out
        "write:/data/frames",         // read does not give write
        "storage.read:/data",         // another family
        "storage.modify:/drop",       // create does not give modify
        "storage.modify:/",           // broader
        "compute.cancel",             // never held
        "read:/data compute.cancel"})   // one refused scope refuses the request
    void askingForMoreIsInvalidScope(String scope) throws Exception {
        String parent = parent("read:/data write:/data/out storage.modify:/store storage.create:/drop", AUD);
        HttpResponse<String> response = exchange(exchanger, parent, "&scope=" + encode(scope));
        assertThat(error(response)).isEqualTo("invalid_scope");
        assertThat(response.body()).contains("only narrow");
    }

    @ParameterizedTest
    @CsvSource({"read:/data/x/y", "write:/data/out/sub", "storage.create:/store/new", "storage.modify:/store/a",
        "storage.create:/drop/x"})
    void impliedAndDeeperScopesAreNarrower(String scope) throws Exception {
        String parent = parent("read:/data write:/data/out storage.modify:/store storage.create:/drop", AUD);
        assertThat(verify(exchange(exchanger, parent, "&scope=" + encode(scope))).scopes().toString()).isEqualTo(scope);
    }

    @Test
    void theClientsOwnCeilingStillApplies() throws Exception {
        Administration.NewClient narrow = issuer.client("default", "read:/data/frames", Client.TOKEN_EXCHANGE);
        HttpResponse<String> response = exchange(narrow, parent("read:/data", AUD), "&scope=read:/data/other");
        assertThat(error(response)).isEqualTo("invalid_scope");
        assertThat(response.body()).contains("client");
    }

    @Test
    void audienceCanOnlyNarrowUnlessTheParentsWasAny() throws Exception {
        String parent = parent("read:/data", AUD);
        assertThat(verify(exchange(exchanger, parent, "&resource=" + SERVICE)).audience()).containsExactly(SERVICE);
        assertThat(error(exchange(exchanger, parent, "&audience=https://c.example.org"))).isEqualTo("invalid_target");
        assertThat(error(exchange(exchanger, parent, "&audience=" + encode(AUD + " https://c.example.org"))))
                .isEqualTo("invalid_target");
        String anyParent = parent("read:/data", null); // the VO default here is ANY
        HttpResponse<String> narrowed = exchange(exchanger, anyParent, "&audience=https://c.example.org");
        assertThat(narrowed.statusCode()).as(narrowed.body()).isEqualTo(200);
        assertThat(issuer.verifier("default", "https://c.example.org")
                .verify((String) Json.parseObject(narrowed.body()).get("access_token")).audience())
                .containsExactly("https://c.example.org");
    }

    @Test
    void aChainOfExchangesNeverWidensBack() throws Exception {
        String parent = parent("read:/data write:/data/out", AUD);
        HttpResponse<String> first = exchange(exchanger, parent, "&scope=read:/data/x&audience=" + SERVICE);
        String child = (String) Json.parseObject(first.body()).get("access_token");
        assertThat(error(exchange(exchanger, child, "&scope=read:/data"))).isEqualTo("invalid_scope");
        assertThat(error(exchange(exchanger, child, "&scope=write:/data/out"))).isEqualTo("invalid_scope");
        assertThat(error(exchange(exchanger, child, "&audience=https://b.example.org"))).isEqualTo("invalid_target");
        VerifiedToken grandchild = verify(exchange(exchanger, child, "&scope=read:/data/x/y"));
        assertThat(grandchild.expiresAt()).isBeforeOrEqualTo(issuer.verifier("default", SERVICE).verify(child).expiresAt());
    }

    @Test
    void randomRequestsAreGrantedExactlyWhenASegmentPrefixOfTheSameFamilyHoldsThem() throws Exception {
        List<String> authz = List.of("read", "write", "storage.read", "storage.create", "storage.modify");
        List<String> paths = List.of("/", "/data", "/data/x", "/datab", "/data/x/y", "/d", "/data/xy");
        Random random = new Random(20261125);
        for (int round = 0; round < 40; round++) {
            List<String> held = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                held.add(authz.get(random.nextInt(authz.size())) + ":" + paths.get(random.nextInt(paths.size())));
            }
            String asked = authz.get(random.nextInt(authz.size())) + ":" + paths.get(random.nextInt(paths.size()));
            Administration.NewClient holder = issuer.client("default", String.join(" ", held));
            HttpResponse<String> parentResponse = issuer.post("default", "/token", "grant_type=client_credentials",
                    "Authorization", basicHeader(holder));
            String parent = (String) Json.parseObject(parentResponse.body()).get("access_token");
            boolean expected = held.stream().anyMatch(h -> covers(h, asked));
            HttpResponse<String> response = exchange(exchanger, parent, "&scope=" + encode(asked));
            assertThat(response.statusCode()).as("holding %s, asking %s: %s", held, asked, response.body())
                    .isEqualTo(expected ? 200 : 400);
        }
    }

    /** An independent statement of the rule: same family (or modify over create), path on a segment boundary. */
    private static boolean covers(String held, String asked) {
        String[] h = held.split(":", 2);
        String[] a = asked.split(":", 2);
        boolean family = h[0].equals(a[0]) || h[0].equals("storage.modify") && a[0].equals("storage.create");
        boolean path = h[1].equals("/") || a[1].equals(h[1]) || a[1].startsWith(h[1] + "/");
        return family && path;
    }

    @Test
    void subjectTokensMustBeThisVosOwnAndIntact() throws Exception {
        String parent = parent("read:/data", AUD);
        String tampered = parent.substring(0, parent.indexOf('.') + 1) + parent.substring(parent.indexOf('.') + 2);
        assertThat(error(exchange(exchanger, tampered, ""))).isEqualTo("invalid_request");
        String foreign = TokenBuilder.forKey(SigningKey.generate(Algorithm.ES256, "foreign")).issuer(issuer.iss("default"))
                .subject("mallory").audience(SERVICE).scope("read:/").sign();
        HttpResponse<String> forged = exchange(exchanger, foreign, "");
        assertThat(error(forged)).isEqualTo("invalid_request");
        assertThat(forged.body()).contains("not signed by a key");
        assertThat(error(exchange(exchanger, "not-a-jwt", ""))).isEqualTo("invalid_request");
    }

    @Test
    void malformedExchangesAreInvalidRequests() throws Exception {
        String parent = parent("read:/data", AUD);
        String base = "grant_type=urn:ietf:params:oauth:grant-type:token-exchange&subject_token=" + parent;
        assertThat(error(issuer.post("default", "/token", base, "Authorization", basicHeader(exchanger))))
                .isEqualTo("invalid_request");
        assertThat(error(issuer.post("default", "/token", base + "&subject_token_type=urn:ietf:params:oauth:token-type:id_token",
                "Authorization", basicHeader(exchanger)))).isEqualTo("invalid_request");
        assertThat(error(exchange(exchanger, parent, "&requested_token_type=urn:ietf:params:oauth:token-type:refresh_token")))
                .isEqualTo("invalid_request");
        assertThat(error(exchange(exchanger, parent, "&actor_token=" + parent
                + "&actor_token_type=urn:ietf:params:oauth:token-type:access_token"))).isEqualTo("invalid_request");
        assertThat(error(exchange(robot, parent, ""))).isEqualTo("unauthorized_client");
    }

    @Test
    void theNimbusSdkExchangesToo() throws Exception {
        String parent = parent("read:/data compute.create", AUD);
        TokenExchangeGrant grant = new TokenExchangeGrant(new BearerAccessToken(parent), TokenTypeURI.ACCESS_TOKEN, null, null,
                TokenTypeURI.ACCESS_TOKEN, List.of(new Audience(SERVICE)));
        TokenResponse response = issuer.token("default", new ClientSecretBasic(new ClientID(exchanger.client().clientId()),
                new Secret(exchanger.secret())), grant, new Scope("compute.create"));
        assertThat(response.indicatesSuccess()).as(() -> response.toErrorResponse().getErrorObject().toString()).isTrue();
        AccessTokenResponse success = response.toSuccessResponse();
        assertThat(success.getTokens().getAccessToken().getScope().toString()).isEqualTo("compute.create");
        assertThat(success.getTokens().getAccessToken().getIssuedTokenType()).isEqualTo(TokenTypeURI.ACCESS_TOKEN);
    }
}
