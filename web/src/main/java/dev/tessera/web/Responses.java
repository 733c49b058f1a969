package dev.tessera.web;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** Short responses: a status and a small text or JSON body. */
public final class Responses {
    private Responses() {
    }

    /** A {@code text/plain} body (unless a content type is already set). */
    public static void text(Response response, Callback callback, int status, String body) {
        send(response, callback, status, "text/plain; charset=utf-8", body);
    }

    /** An {@code application/json} body. */
    public static void json(Response response, Callback callback, int status, String body) {
        send(response, callback, status, "application/json", body);
    }

    /** A status with no body. */
    public static void empty(Response response, Callback callback, int status) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, 0L);
        response.write(true, null, callback);
    }

    private static void send(Response response, Callback callback, int status, String type, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        if (!response.getHeaders().contains(HttpHeader.CONTENT_TYPE)) {
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
        }
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, bytes.length);
        response.write(true, ByteBuffer.wrap(bytes), callback);
    }
}
