package dev.tessera.issuer.http;

import dev.tessera.issuer.service.OAuthException;
import dev.tessera.token.jws.Json;
import dev.tessera.web.Responses;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** JSON answers of the OAuth endpoints: never cached (RFC 6749 §5.1), errors as §5.2 shapes them. */
final class OAuthResponses {
    private OAuthResponses() {
    }

    static void json(Response response, Callback callback, int status, Map<String, ?> body) {
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put(HttpHeader.PRAGMA, "no-cache");
        Responses.json(response, callback, status, Json.write(body));
    }

    /** RFC 6749 §5.2 allows only printable ASCII but {@code "} and {@code \} in a description. */
    static String printable(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            out.append(c >= 0x20 && c <= 0x7e && c != '"' && c != '\\' ? c : '?');
        }
        return out.toString();
    }

    static void error(Response response, Callback callback, OAuthException e, String realm) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", e.error());
        if (e.description() != null) {
            body.put("error_description", printable(e.description()));
        }
        if (e.status() == 401) {
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Basic realm=\"" + realm + "\"");
        }
        json(response, callback, e.status(), body);
    }

    /** RFC 6750 §3: a resource server's refusal of a bearer token (no error code when none was sent). */
    static void bearerError(Response response, Callback callback, OAuthException e, String realm) {
        StringBuilder challenge = new StringBuilder("Bearer realm=\"").append(realm).append('"');
        if (e.error() != null) {
            challenge.append(", error=\"").append(e.error()).append('"');
            if (e.description() != null) {
                challenge.append(", error_description=\"").append(printable(e.description())).append('"');
            }
        }
        response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, challenge.toString());
        Map<String, Object> body = new LinkedHashMap<>();
        if (e.error() != null) {
            body.put("error", e.error());
            body.put("error_description", printable(e.description()));
        }
        json(response, callback, e.status(), body);
    }
}
