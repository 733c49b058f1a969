package dev.tessera.issuer.http;

import dev.tessera.issuer.service.OAuthException;
import dev.tessera.issuer.service.Parameters;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;

/**
 * Reads an {@code application/x-www-form-urlencoded} request body into {@link Parameters} (and, for
 * registration, a JSON body as text). Lenient where
 * real clients are sloppy (oidc-agent sends spaces, {@code :} and {@code /} unencoded) and strict where it
 * matters: a body over the limit, another content type or broken percent-encoding is an
 * {@code invalid_request}, and nothing is read past the limit.
 */
final class FormBody {
    static final int LIMIT = 64 * 1024;

    private FormBody() {
    }

    static Parameters read(Request request) throws OAuthException, IOException {
        return parse(text(request, "application/x-www-form-urlencoded"));
    }

    /**
     * The body of a request of {@code type} as UTF-8 text, at most {@link #LIMIT} bytes.
     *
     * @throws OAuthException {@code invalid_request} for another content type, too large a body, or bad UTF-8
     */
    static String text(Request request, String type) throws OAuthException, IOException {
        String actual = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        if (actual == null || !actual.toLowerCase(Locale.ROOT).startsWith(type)) {
            throw OAuthException.invalidRequest("the body must be " + type);
        }
        long declared = request.getLength();
        if (declared > LIMIT) {
            throw new OAuthException("invalid_request", "the body exceeds " + LIMIT + " bytes", 413);
        }
        byte[] body;
        try (InputStream in = Content.Source.asInputStream(request)) {
            // read what Content-Length announces (a token request is a few hundred bytes): with no length
            // given, readNBytes would start with a 16 KiB buffer for every request
            body = in.readNBytes(declared >= 0 ? (int) declared + 1 : LIMIT + 1);
        }
        if (body.length > LIMIT) {
            throw new OAuthException("invalid_request", "the body exceeds " + LIMIT + " bytes", 413);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            throw OAuthException.invalidRequest("the body is not UTF-8");
        }
    }

    static Parameters parse(String body) throws OAuthException {
        List<Map.Entry<String, String>> pairs = new ArrayList<>();
        for (String pair : body.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String value = eq < 0 ? "" : pair.substring(eq + 1);
            try {
                pairs.add(new AbstractMap.SimpleImmutableEntry<>(decode(name).strip(), decode(value)));
            } catch (CharacterCodingException | IllegalArgumentException e) {
                throw OAuthException.invalidRequest("malformed percent-encoding or UTF-8 in parameter "
                        + (name.length() > 40 ? name.substring(0, 40) + "..." : name));
            }
        }
        return Parameters.of(pairs);
    }

    /** Form decoding ({@code +} is a space) whose bytes must be valid UTF-8, never silently replaced. */
    private static String decode(String text) throws CharacterCodingException {
        if (text.indexOf('%') < 0 && text.indexOf('+') < 0) {
            return text;
        }
        byte[] bytes = new byte[text.length() * 3];
        int n = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '+') {
                bytes[n++] = ' ';
            } else if (c == '%') {
                if (i + 2 >= text.length()) {
                    throw new IllegalArgumentException("truncated escape");
                }
                int hi = Character.digit(text.charAt(i + 1), 16);
                int lo = Character.digit(text.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    throw new IllegalArgumentException("bad escape");
                }
                bytes[n++] = (byte) (hi << 4 | lo);
                i += 2;
            } else {
                byte[] encoded = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                if (Character.isHighSurrogate(c) && i + 1 < text.length()) {
                    encoded = text.substring(i, i + 2).getBytes(StandardCharsets.UTF_8);
                    i++;
                }
                System.arraycopy(encoded, 0, bytes, n, encoded.length);
                n += encoded.length;
            }
        }
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes, 0, n)).toString();
    }
}
