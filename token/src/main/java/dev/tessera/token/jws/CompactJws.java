package dev.tessera.token.jws;

import dev.tessera.token.Reason;
import dev.tessera.token.SafeText;
import dev.tessera.token.TokenException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.Map;

/**
 * An unverified compact JWS ({@code header.payload.signature}), parsed but not trusted.
 *
 * <p>Parsing checks structure only: three parts, strict base64url, UTF-8 JSON objects in header and
 * payload. It never looks at the signature's validity; use {@code TokenVerifier} for that. The
 * signature is decoded lazily by {@link #signature()} so that an unsigned ({@code alg: none}) token
 * is reported for its algorithm rather than its empty signature.
 *
 * @param token the compact serialization as given
 * @param header the protected header
 * @param claims the payload as a JSON object
 * @param headerJson the header as decoded text
 * @param claimsJson the payload as decoded text
 * @param signingInputLength length of {@code header.payload}, the bytes the signature covers
 */
public record CompactJws(String token, Map<String, Object> header, Map<String, Object> claims,
                         String headerJson, String claimsJson, int signingInputLength) {

    /** Default upper bound on the token length: generous for tokens with many groups. */
    public static final int DEFAULT_MAX_LENGTH = 32 * 1024;

    /** Parses a compact JWS of at most {@code maxLength} characters. */
    public static CompactJws parse(String token, int maxLength) throws TokenException {
        if (token == null || token.isEmpty()) {
            throw new TokenException(Reason.MALFORMED, "token is empty");
        }
        if (token.length() > maxLength) {
            throw new TokenException(Reason.TOO_LARGE,
                    "token is " + token.length() + " characters, more than the limit of " + maxLength);
        }
        int dot1 = token.indexOf('.');
        int dot2 = dot1 < 0 ? -1 : token.indexOf('.', dot1 + 1);
        if (dot2 < 0) {
            throw new TokenException(Reason.MALFORMED, "token is not a JWT: expected three dot-separated parts");
        }
        if (token.indexOf('.', dot2 + 1) >= 0) {
            throw new TokenException(Reason.MALFORMED,
                    "token has more than three parts (encrypted JWE tokens are not supported)");
        }
        String headerJson = decodeJson(token, 0, dot1, "header");
        String claimsJson = decodeJson(token, dot1 + 1, dot2, "payload");
        return new CompactJws(token, object(headerJson, "header"), object(claimsJson, "payload"),
                headerJson, claimsJson, dot2);
    }

    /** The signature bytes. */
    public byte[] signature() throws TokenException {
        int from = signingInputLength + 1;
        if (from == token.length()) {
            throw new TokenException(Reason.INVALID_SIGNATURE, "token is not signed (empty signature)");
        }
        try {
            return Base64Url.decode(token, from, token.length());
        } catch (IllegalArgumentException e) {
            throw new TokenException(Reason.MALFORMED, "signature is not valid base64url: " + e.getMessage());
        }
    }

    /** The header parameter {@code name} when it is a string, else {@code null}. */
    public String headerString(String name) {
        return header.get(name) instanceof String s ? s : null;
    }

    private static String decodeJson(String token, int from, int to, String part) throws TokenException {
        if (from == to) {
            throw new TokenException(Reason.MALFORMED, "token " + part + " is empty");
        }
        byte[] bytes;
        try {
            bytes = Base64Url.decode(token, from, to);
        } catch (IllegalArgumentException e) {
            throw new TokenException(Reason.MALFORMED, "token " + part + " is not valid base64url: " + e.getMessage());
        }
        if (isAscii(bytes)) { // the common case, without a decoder allocation
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new TokenException(Reason.MALFORMED, "token " + part + " is not valid UTF-8");
        }
    }

    private static boolean isAscii(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }

    private static Map<String, Object> object(String json, String part) throws TokenException {
        try {
            return Json.parseObject(json);
        } catch (ParseException | RuntimeException e) {
            String detail = e.getMessage() == null ? "" : ": " + SafeText.quote(e.getMessage(), 60);
            throw new TokenException(Reason.MALFORMED, "token " + part + " is not a valid JSON object" + detail);
        }
    }
}
