package dev.tessera.issuer.service.tokens;

import dev.tessera.issuer.service.OAuthException;
import dev.tessera.issuer.service.VoContext;
import dev.tessera.token.TokenException;
import dev.tessera.token.jws.CompactJws;
import dev.tessera.token.keys.Algorithm;
import dev.tessera.token.keys.VerificationKey;
import dev.tessera.token.scope.InvalidScopeException;
import dev.tessera.token.scope.ScopeSet;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Checks a token this VO issued, when a client presents one (token exchange): its signature by a key the
 * VO still publishes, its issuer, and its times. The audience is not checked: the exchange narrows it.
 */
public final class OwnTokens {
    /** Tolerance for {@code nbf} and {@code iat}; the issuer set them with its own clock. */
    private static final long SKEW_SECONDS = 60;

    /** What a verified parent token grants: the ceiling of anything derived from it. */
    public record Parent(String subject, String clientId, ScopeSet scope, List<String> audience, Instant expiresAt,
                  List<String> groups, String jti, Map<String, Object> claims) {
    }

    private OwnTokens() {
    }

    /**
     * Verifies {@code token} as one of {@code vo}'s.
     *
     * @throws OAuthException {@code invalid_request} naming what is wrong (RFC 8693 §2.2.2)
     */
    static Parent verify(VoContext vo, String token, Instant now) throws OAuthException {
        CompactJws jws;
        try {
            jws = CompactJws.parse(token, CompactJws.DEFAULT_MAX_LENGTH);
        } catch (TokenException e) {
            throw invalid(e.getMessage());
        }
        VerificationKey key = vo.keys().verificationKey(jws.headerString("kid"), now)
                .orElseThrow(() -> invalid("not signed by a key of VO " + vo.vo().name()));
        Algorithm algorithm = Algorithm.fromJws(jws.headerString("alg")); // null unless ES256 or RS256
        try {
            if (algorithm != key.algorithm() || !key.verify(token.getBytes(StandardCharsets.US_ASCII),
                    jws.signingInputLength(), jws.signature())) {
                throw invalid("bad signature");
            }
        } catch (TokenException e) {
            throw invalid(e.getMessage());
        }
        Map<String, Object> claims = jws.claims();
        if (!vo.vo().issuer().equals(claims.get("iss"))) {
            throw invalid("issued by someone else");
        }
        long exp = number(claims, "exp");
        if (exp <= now.getEpochSecond()) {
            throw invalid("expired");
        }
        if (claims.containsKey("nbf") && number(claims, "nbf") > now.getEpochSecond() + SKEW_SECONDS) {
            throw invalid("not yet valid");
        }
        ScopeSet scope;
        try {
            scope = ScopeSet.parse(claims.get("scope") instanceof String s ? s : "");
        } catch (InvalidScopeException e) {
            throw invalid("its scope is invalid");
        }
        return new Parent(claims.get("sub") instanceof String s ? s : null,
                claims.get("client_id") instanceof String c ? c : null, scope, strings(claims.get("aud")),
                Instant.ofEpochSecond(exp), strings(claims.get("wlcg.groups")),
                claims.get("jti") instanceof String j ? j : null, claims);
    }

    private static long number(Map<String, Object> claims, String name) throws OAuthException {
        if (claims.get(name) instanceof Number n) {
            return n.longValue();
        }
        throw invalid("no numeric " + name);
    }

    private static List<String> strings(Object value) {
        if (value instanceof String s) {
            return List.of(s);
        }
        if (value instanceof List<?> list) {
            return list.stream().filter(String.class::isInstance).map(String.class::cast).toList();
        }
        return List.of();
    }

    private static OAuthException invalid(String why) {
        return OAuthException.invalidRequest("subject_token is not a valid token of this issuer: " + why);
    }
}
