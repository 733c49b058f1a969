package dev.tessera.web;

import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.RequestLog;
import org.eclipse.jetty.server.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per request on the {@code tessera.access} logger: client, method, path (never the query,
 * which may carry {@code ?authz=} tokens), status, bytes written, duration, and who asked, as the
 * application recorded it with {@link #identify} ({@code iss}, {@code sub}, {@code jti}; never a token).
 */
public final class AccessLog implements RequestLog {
    /** Request attribute holding the caller's identity for the log line. */
    public static final String IDENTITY = "tessera.identity";

    private final Logger log;

    AccessLog(String server) {
        this.log = LoggerFactory.getLogger("tessera.access." + server);
    }

    /** Records who made a request: issuer, subject and token id (any may be {@code null}). */
    public static void identify(Request request, String issuer, String subject, String jwtId) {
        request.setAttribute(IDENTITY, "iss=" + issuer + " sub=" + subject + " jti=" + jwtId);
    }

    @Override
    public void log(Request request, Response response) {
        if (!log.isInfoEnabled()) {
            return;
        }
        Object identity = request.getAttribute(IDENTITY);
        long millis = (System.nanoTime() - request.getBeginNanoTime()) / 1_000_000;
        log.info("{} {} {} {} {} {}ms {}", Request.getRemoteAddr(request), request.getMethod(),
                request.getHttpURI().getPath(), response.getStatus(), Response.getContentBytesWritten(response),
                millis, identity == null ? "-" : identity);
    }
}
