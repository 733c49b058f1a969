package dev.tessera.agent.access;

import dev.tessera.token.TokenException;
import dev.tessera.token.jws.CompactJws;
import dev.tessera.token.scope.InvalidScopeException;
import dev.tessera.token.scope.ScopeSet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What an access token says about itself, read without verifying its signature: enough for a client to
 * decide whether a token it obtained (over TLS, from the issuer) or stored (in its own 0600 file) still
 * serves a request. Services verify; clients only read.
 *
 * @param token     the token itself
 * @param issuer    {@code iss}, or {@code null}
 * @param subject   {@code sub}, or {@code null}
 * @param scope     the {@code scope} claim as written, or {@code null}
 * @param scopes    the {@code scope} claim parsed; {@code null} when it does not parse
 * @param audiences {@code aud} (a string or a list), empty when absent
 * @param issuedAt  {@code iat}, or {@code null}
 * @param expiresAt {@code exp}, or {@code null}
 */
public record TokenInfo(String token, String issuer, String subject, String scope, ScopeSet scopes,
                        List<String> audiences, Instant issuedAt, Instant expiresAt) {
    public TokenInfo {
        audiences = List.copyOf(audiences);
    }

    /**
     * Reads a token's claims.
     *
     * @throws TokenException when it is not a JWT
     */
    public static TokenInfo decode(String token) throws TokenException {
        CompactJws jws = CompactJws.parse(token, CompactJws.DEFAULT_MAX_LENGTH);
        var claims = jws.claims();
        String scope = claims.get("scope") instanceof String s ? s : null;
        ScopeSet scopes;
        try {
            scopes = scope == null ? ScopeSet.EMPTY : ScopeSet.parse(scope);
        } catch (InvalidScopeException e) {
            scopes = null;
        }
        List<String> audiences = claims.get("aud") instanceof String a ? List.of(a)
                : claims.get("aud") instanceof List<?> list ? list.stream().map(String::valueOf).toList() : List.of();
        return new TokenInfo(token, string(claims.get("iss")), string(claims.get("sub")), scope, scopes, audiences,
                instant(claims.get("iat")), instant(claims.get("exp")));
    }

    /**
     * The token in a bearer-token file, if there is one that decodes (surrounding whitespace ignored).
     *
     * @throws IOException when the file exists but cannot be read
     */
    public static Optional<TokenInfo> read(Path file) throws IOException {
        String content;
        try {
            content = Files.readString(file, StandardCharsets.US_ASCII).strip();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (java.nio.charset.MalformedInputException e) {
            return Optional.empty();
        }
        try {
            return Optional.of(decode(content));
        } catch (TokenException e) {
            return Optional.empty();
        }
    }

    /** How long it is valid from {@code now} (negative once expired; zero without {@code exp}). */
    public Duration remaining(Instant now) {
        return expiresAt == null ? Duration.ZERO : Duration.between(now, expiresAt);
    }

    /** Its whole lifetime ({@code exp - iat}), or {@code null} when either is missing. */
    public Duration lifetime() {
        return issuedAt == null || expiresAt == null ? null : Duration.between(issuedAt, expiresAt);
    }

    /** Never shows the token. */
    @Override
    public String toString() {
        return "TokenInfo[issuer=" + issuer + ", subject=" + subject + ", scope=" + scope + ", audiences=" + audiences
                + ", expiresAt=" + expiresAt + "]";
    }

    private static String string(Object value) {
        return value instanceof String s ? s : null;
    }

    private static Instant instant(Object value) {
        return value instanceof Number n ? Instant.ofEpochSecond(n.longValue()) : null;
    }
}
