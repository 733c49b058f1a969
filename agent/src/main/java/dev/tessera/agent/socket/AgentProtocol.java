package dev.tessera.agent.socket;

import dev.tessera.agent.access.AccessRequest;
import dev.tessera.agent.access.TokenInfo;
import dev.tessera.agent.manager.AgentException;
import dev.tessera.agent.manager.GrantInfo;
import dev.tessera.agent.manager.MintRequest;
import dev.tessera.agent.manager.Minted;
import dev.tessera.agent.manager.TokenManager;
import dev.tessera.token.jws.Json;
import dev.tessera.token.scope.InvalidScopeException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The agent's protocol: one JSON object per line each way, UTF-8, at most {@link #MAX_LINE} bytes; a
 * connection may carry any number of requests, answered in order. The caller is the socket peer's user:
 * no request names a user.
 *
 * <pre>
 * {"op": "token", "issuer": URL?, "client_id": ID?, "scope": "read:/ligo ..."?, "audience": "A" | ["A", ...]?,
 *  "min_lifetime": SECONDS?, "lifetime": SECONDS?, "fresher_than": EPOCH_SECONDS?}
 *   → {"ok": true, "access_token": ..., "token_type": "Bearer", "expires_at": EPOCH, "expires_in": SECONDS,
 *      "scope": ..., "audience": [...], "issuer": ..., "client_id": ..., "obtained": "cached|exchanged|refreshed"}
 * {"op": "store", "issuer": URL, "client_id": ID, "refresh_token": RT}     → {"ok": true, "grant": GRANT}
 * {"op": "list"}                                                            → {"ok": true, "user": NAME, "grants": [GRANT, ...]}
 * {"op": "forget", "issuer": URL?, "client_id": ID?, "revoke": BOOL?}       → {"ok": true, "grant": GRANT, "revoked": BOOL}
 * any failure → {"ok": false, "error": "invalid_request|no_grant|refused|unavailable|internal", "message": "..."}
 * GRANT = {"issuer", "client_id", "scope", "audience", "renewed_at", "expires_about", "cached_tokens"} (never a token)
 * </pre>
 * Issuer and client may be left out when the user has only one grant (at that issuer). {@code min_lifetime}
 * defaults to 60 seconds.
 */
public final class AgentProtocol {
    /** The longest request or answer line, in bytes. */
    public static final int MAX_LINE = 64 * 1024;
    /** The minimum lifetime of a token when a request names none. */
    public static final Duration DEFAULT_MIN_LIFETIME = Duration.ofSeconds(60);

    private final TokenManager manager;
    private final Clock clock;

    public AgentProtocol(TokenManager manager, Clock clock) {
        this.manager = manager;
        this.clock = clock;
    }

    /** The answer to one request {@code line} of {@code user}. Never throws. */
    public String answer(String user, String line) {
        try {
            return Json.write(dispatch(user, parse(line)));
        } catch (AgentException e) {
            return error(e.code(), e.getMessage());
        } catch (RuntimeException e) {
            return error(AgentException.Code.INTERNAL, "unexpected error: " + e);
        }
    }

    /** The answer when a request line is longer than {@link #MAX_LINE}. */
    static String tooLong() {
        return error(AgentException.Code.INVALID_REQUEST, "the request is longer than " + MAX_LINE + " bytes");
    }

    static String error(AgentException.Code code, String message) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("ok", false);
        answer.put("error", code.label());
        answer.put("message", message);
        return Json.write(answer);
    }

    private Map<String, Object> dispatch(String user, Map<String, Object> request) throws AgentException {
        String op = string(request, "op");
        if (op == null) {
            throw invalid("the request names no op (token, store, list, forget)");
        }
        return switch (op) {
            case "token" -> token(user, request);
            case "store" -> ok("grant", grant(manager.store(user, required(request, "issuer"),
                    required(request, "client_id"), required(request, "refresh_token"))));
            case "list" -> list(user);
            case "forget" -> forget(user, request);
            default -> throw invalid("unknown op " + op + " (token, store, list, forget)");
        };
    }

    private Map<String, Object> token(String user, Map<String, Object> request) throws AgentException {
        AccessRequest access;
        try {
            access = AccessRequest.parse(string(request, "scope"), audiences(request),
                    seconds(request, "min_lifetime", DEFAULT_MIN_LIFETIME, true));
        } catch (InvalidScopeException e) {
            throw invalid("scope: " + e.getMessage());
        }
        Duration lifetime = seconds(request, "lifetime", null, false);
        Long fresher = number(request, "fresher_than");
        MintRequest mint = new MintRequest(string(request, "issuer"), string(request, "client_id"), access, lifetime,
                fresher == null ? null : Instant.ofEpochSecond(fresher));
        Minted minted = manager.token(user, mint);
        TokenInfo token = minted.token();
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("ok", true);
        answer.put("access_token", token.token());
        answer.put("token_type", "Bearer");
        answer.put("expires_at", token.expiresAt().getEpochSecond());
        answer.put("expires_in", Math.max(0, token.remaining(clock.instant()).toSeconds()));
        answer.put("scope", token.scope());
        answer.put("audience", token.audiences());
        answer.put("issuer", minted.issuer());
        answer.put("client_id", minted.clientId());
        answer.put("obtained", minted.how().label());
        return answer;
    }

    private Map<String, Object> list(String user) throws AgentException {
        List<Map<String, Object>> grants = new ArrayList<>();
        for (GrantInfo grant : manager.grants(user)) {
            grants.add(grant(grant));
        }
        Map<String, Object> answer = ok("user", user);
        answer.put("grants", grants);
        return answer;
    }

    private Map<String, Object> forget(String user, Map<String, Object> request) throws AgentException {
        Object revoke = request.get("revoke");
        if (revoke != null && !(revoke instanceof Boolean)) {
            throw invalid("revoke is true or false");
        }
        boolean revoking = Boolean.TRUE.equals(revoke);
        Map<String, Object> answer = ok("grant", grant(manager.forget(user, string(request, "issuer"),
                string(request, "client_id"), revoking)));
        answer.put("revoked", revoking);
        return answer;
    }

    static Map<String, Object> grant(GrantInfo grant) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("issuer", grant.issuer());
        out.put("client_id", grant.clientId());
        out.put("scope", grant.scope());
        out.put("audience", grant.audiences());
        out.put("renewed_at", grant.renewedAt().getEpochSecond());
        out.put("expires_about", grant.expiresAbout().getEpochSecond());
        out.put("cached_tokens", (long) grant.cachedTokens());
        return out;
    }

    private static Map<String, Object> ok(String name, Object value) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("ok", true);
        answer.put(name, value);
        return answer;
    }

    private static Map<String, Object> parse(String line) throws AgentException {
        try {
            return Json.parseObject(line);
        } catch (java.text.ParseException | RuntimeException e) {
            throw invalid("a request is one JSON object on one line");
        }
    }

    private static List<String> audiences(Map<String, Object> request) throws AgentException {
        Object value = request.get("audience");
        if (value == null) {
            return List.of();
        }
        if (value instanceof String s) {
            return List.of(s);
        }
        if (value instanceof List<?> list && list.stream().allMatch(String.class::isInstance)) {
            return list.stream().map(String.class::cast).toList();
        }
        throw invalid("audience is a string or a list of strings");
    }

    private static String string(Map<String, Object> request, String name) throws AgentException {
        Object value = request.get(name);
        if (value == null) {
            return null;
        }
        if (!(value instanceof String s)) {
            throw invalid(name + " is a string");
        }
        return s;
    }

    private static String required(Map<String, Object> request, String name) throws AgentException {
        String value = string(request, name);
        if (value == null || value.isBlank()) {
            throw invalid("the request has no " + name);
        }
        return value;
    }

    private static Long number(Map<String, Object> request, String name) throws AgentException {
        Object value = request.get(name);
        if (value == null) {
            return null;
        }
        if (!(value instanceof Long l) || l < 0) {
            throw invalid(name + " is a whole number of seconds, not negative");
        }
        return l;
    }

    private static Duration seconds(Map<String, Object> request, String name, Duration fallback, boolean zeroAllowed)
            throws AgentException {
        Long value = number(request, name);
        if (value == null) {
            return fallback;
        }
        if (value == 0 && !zeroAllowed) {
            throw invalid(name + " must be positive");
        }
        return Duration.ofSeconds(value);
    }

    private static AgentException invalid(String message) {
        return new AgentException(AgentException.Code.INVALID_REQUEST, message);
    }
}
