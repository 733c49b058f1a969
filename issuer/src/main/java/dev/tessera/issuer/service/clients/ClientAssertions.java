package dev.tessera.issuer.service.clients;

import dev.tessera.issuer.service.OAuthException;
import dev.tessera.issuer.service.VoContext;
import dev.tessera.issuer.service.VoContext.RegisteredClient;
import dev.tessera.issuer.store.ClientAssertionStore;
import dev.tessera.token.TokenException;
import dev.tessera.token.jws.CompactJws;
import dev.tessera.token.keys.Algorithm;
import dev.tessera.token.keys.VerificationKey;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * {@code private_key_jwt} (RFC 7523 §2.2 and §3, OpenID Connect Core §9): the client signs a short-lived JWT
 * with its own key, {@code iss} and {@code sub} its client id, {@code aud} this VO (its issuer or one of its
 * endpoints), a {@code jti} never used before. The issuer keeps only the public keys, so a database leak
 * gives nobody a client's credentials.
 */
public final class ClientAssertions {
    public static final String JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
    /** Assertions are made per request; a longer one would only widen the replay window. */
    static final long MAX_LIFETIME_SECONDS = 600;
    static final long SKEW_SECONDS = 60;
    private static final List<String> ENDPOINTS = List.of("", "/token", "/introspect", "/revoke", "/device_authorization");

    private final ClientAssertionStore used;
    private final Clock clock;

    public ClientAssertions(ClientAssertionStore used, Clock clock) {
        this.used = used;
        this.clock = clock;
    }

    /**
     * The client an assertion authenticates.
     *
     * @param clientId the request's {@code client_id}, or {@code null}
     * @throws OAuthException {@code invalid_client} for anything wrong with it, saying what
     */
    public RegisteredClient authenticate(VoContext vo, String assertion, String clientId) throws OAuthException {
        CompactJws jws;
        try {
            jws = CompactJws.parse(assertion, CompactJws.DEFAULT_MAX_LENGTH);
        } catch (TokenException e) {
            throw invalid("not a JWT: " + e.getMessage());
        }
        Map<String, Object> claims = jws.claims();
        if (!(claims.get("iss") instanceof String iss) || !iss.equals(claims.get("sub"))) {
            throw invalid("iss and sub must both be the client id");
        }
        if (clientId != null && !clientId.equals(iss)) {
            throw OAuthException.invalidRequest("client_id differs from the client assertion's");
        }
        RegisteredClient client = vo.client(iss);
        if (client == null || client.keys() == null) {
            throw invalid("client " + iss + " does not authenticate with private_key_jwt here");
        }
        if (!audienceIsThisVo(vo, claims.get("aud"))) {
            throw invalid("aud must be " + vo.vo().issuer() + " or its token endpoint");
        }
        long now = clock.instant().getEpochSecond();
        long exp = number(claims, "exp");
        if (exp <= now - SKEW_SECONDS) {
            throw invalid("the assertion has expired");
        }
        if (exp > now + MAX_LIFETIME_SECONDS + SKEW_SECONDS) {
            throw invalid("the assertion lives too long (at most " + MAX_LIFETIME_SECONDS + " s)");
        }
        for (String early : List.of("nbf", "iat")) {
            if (claims.containsKey(early) && number(claims, early) > now + SKEW_SECONDS) {
                throw invalid(early + " is in the future");
            }
        }
        VerificationKey key = client.keys().select(jws.headerString("kid"));
        Algorithm algorithm = Algorithm.fromJws(jws.headerString("alg"));
        try {
            if (key == null || algorithm != key.algorithm()
                    || !key.verify(assertion.getBytes(StandardCharsets.US_ASCII), jws.signingInputLength(), jws.signature())) {
                throw invalid("the signature is not by a key registered for client " + iss);
            }
        } catch (TokenException e) {
            throw invalid(e.getMessage());
        }
        if (!(claims.get("jti") instanceof String jti) || jti.isEmpty() || jti.length() > 255) {
            throw invalid("jti is required (at most 255 characters)");
        }
        if (!used.firstUse(vo.vo().name(), iss, jti, exp)) {
            throw invalid("this assertion was used before (jti " + jti + ")");
        }
        return client;
    }

    private static boolean audienceIsThisVo(VoContext vo, Object aud) {
        List<?> audiences = aud instanceof List<?> list ? list : aud == null ? List.of() : List.of(aud);
        for (Object one : audiences) {
            for (String endpoint : ENDPOINTS) {
                if ((vo.vo().issuer() + endpoint).equals(one)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static long number(Map<String, Object> claims, String name) throws OAuthException {
        if (claims.get(name) instanceof Number n) {
            return n.longValue();
        }
        throw invalid(name + " must be a number");
    }

    private static OAuthException invalid(String why) {
        return OAuthException.invalidClient("client assertion refused: " + why);
    }
}
