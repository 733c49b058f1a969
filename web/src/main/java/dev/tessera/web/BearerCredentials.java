package dev.tessera.web;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Fields;

/**
 * Where a request carries its bearer token, in order: {@code Authorization: Bearer <token>};
 * {@code Authorization: Basic} with the token as username or password (the {@code x-oauth-basic}
 * convention for WebDAV clients that only speak Basic); the {@code authz} query parameter,
 * {@code ?authz=Bearer%20<token>}, as XRootD accepts for clients that cannot set headers.
 */
public final class BearerCredentials {
    /** The query parameter XRootD clients use. */
    public static final String QUERY_PARAMETER = "authz";

    private BearerCredentials() {
    }

    /** The request's token, from its headers or its {@code authz} query parameter, or {@code null}. */
    public static String token(Request request) {
        String token = fromHeaders(request);
        if (token != null) {
            return token;
        }
        String query = request.getHttpURI().getQuery();
        if (query != null && query.contains(QUERY_PARAMETER + "=")) {
            Fields fields = Request.extractQueryParameters(request, StandardCharsets.UTF_8);
            String value = fields.getValue(QUERY_PARAMETER);
            if (value != null) {
                return stripScheme(value.strip());
            }
        }
        return null;
    }

    /** The token in the request's {@code Authorization} header (Bearer or Basic), or {@code null}. */
    public static String fromHeaders(Request request) {
        String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
        return authorization == null ? null : fromAuthorization(authorization);
    }

    /** The token in an {@code Authorization} header value, or {@code null}. */
    static String fromAuthorization(String header) {
        String value = header.strip();
        int space = value.indexOf(' ');
        if (space < 0) {
            return null;
        }
        String scheme = value.substring(0, space).toLowerCase(Locale.ROOT);
        String credentials = value.substring(space + 1).strip();
        if (scheme.equals("bearer")) {
            return credentials.isEmpty() ? null : credentials;
        }
        if (scheme.equals("basic")) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(credentials), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                return null;
            }
            int colon = decoded.indexOf(':');
            String user = colon < 0 ? decoded : decoded.substring(0, colon);
            String password = colon < 0 ? "" : decoded.substring(colon + 1);
            // the token is whichever half looks like a JWT; the other is empty or "x-oauth-basic"
            return looksLikeJwt(user) ? user : looksLikeJwt(password) ? password : null;
        }
        return null;
    }

    private static String stripScheme(String value) {
        return value.regionMatches(true, 0, "Bearer ", 0, 7) ? value.substring(7).strip() : value;
    }

    private static boolean looksLikeJwt(String s) {
        int first = s.indexOf('.');
        return first > 0 && s.indexOf('.', first + 1) > first + 1;
    }
}
