package dev.tessera.storage.http;

import dev.tessera.storage.service.Access;
import dev.tessera.storage.service.FileTree;
import dev.tessera.storage.service.Operation;
import dev.tessera.storage.service.TreeException;
import dev.tessera.storage.webdav.Hrefs;
import dev.tessera.storage.webdav.Multistatus;
import dev.tessera.token.SafeText;
import dev.tessera.token.TokenException;
import dev.tessera.token.VerifiedToken;
import dev.tessera.token.scope.InvalidScopeException;
import dev.tessera.token.scope.ResourcePath;
import dev.tessera.web.AccessLog;
import dev.tessera.web.BearerChallenge;
import dev.tessera.web.BearerCredentials;
import dev.tessera.web.Responses;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.List;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.RetainableByteBuffer;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.Callback;

/**
 * HTTP and WebDAV over the served tree, with access from bearer tokens only.
 *
 * <p>The request path is decoded once and normalized by the token library ({@link ResourcePath}), and
 * that one path is both what is authorized and what is opened, so the two can never disagree. Read
 * operations need {@code read}/{@code storage.read}; a PUT needs {@code storage.create} where nothing
 * exists and {@code storage.modify} (or {@code write}) to replace; DELETE and the source of a MOVE need
 * modify; HEAD and PROPFIND at Depth 0 need any storage scope. No token: 401; a refused token: 401
 * {@code invalid_token}; not enough scope: 403 {@code insufficient_scope} naming the scope that would do.
 */
public final class StorageHandler extends Handler.Abstract {
    private static final String REALM = "tessera";
    private static final String ALLOW = "OPTIONS, GET, HEAD, PUT, DELETE, MKCOL, MOVE, COPY, PROPFIND";
    private static final int BUFFER = 256 * 1024;
    /** Files up to this size are read whole and written with the headers in one call. */
    private static final int SMALL = 64 * 1024;
    private static final long MAX_PROPFIND_BODY = 1024 * 1024;

    private final Access access;
    private final FileTree tree;
    private final MeterRegistry metrics;
    private final java.util.concurrent.ConcurrentHashMap<String, Timer> timers = new java.util.concurrent.ConcurrentHashMap<>();

    public StorageHandler(Access access, FileTree tree, MeterRegistry metrics) {
        super(InvocationType.BLOCKING); // file I/O and request bodies are read with blocking calls
        this.access = access;
        this.tree = tree;
        this.metrics = metrics;
    }

    /** What one request was: its caller and path, once authenticated. */
    private record Call(Request request, Response response, Callback callback, VerifiedToken token, ResourcePath path) {
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        long start = System.nanoTime();
        String outcome = "error";
        try {
            outcome = dispatch(request, response, callback);
        } catch (TreeException e) {
            outcome = outcomeOf(e.status());
            abandonBody(request, response);
            Responses.text(response, callback, e.status(), e.getMessage() + "\n");
        } catch (Exception e) {
            if (!response.isCommitted()) {
                Responses.text(response, callback, 500, "internal error\n");
            } else {
                callback.failed(e);
            }
        } finally {
            timer(request.getMethod(), outcome).record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
        return true;
    }

    /**
     * Answering before a request body has been read would leave the body in an HTTP/1.1 connection that
     * the client then reuses: small bodies are read and dropped, larger ones close the connection
     * (announced, so the client does not send its next request into it).
     */
    private static void abandonBody(Request request, Response response) {
        long length = request.getLength();
        boolean chunked = length < 0 && request.getHeaders().contains(HttpHeader.TRANSFER_ENCODING);
        if (length == 0 || length < 0 && !chunked || response.isCommitted()) {
            return;
        }
        if (length > 0 && length <= 64 * 1024) {
            try (InputStream in = Content.Source.asInputStream(request)) {
                in.transferTo(OutputStream.nullOutputStream());
                return;
            } catch (IOException e) {
                // fall through: close
            }
        }
        if (request.getConnectionMetaData().getHttpVersion().getVersion() < 20) {
            response.getHeaders().put(HttpHeader.CONNECTION, "close");
        }
    }

    /** One timer per method and outcome, looked up without building a meter id per request. */
    private Timer timer(String method, String outcome) {
        return timers.computeIfAbsent(method + ' ' + outcome, key -> Timer.builder("tessera.storage.requests")
                .description("storage requests by method and outcome").tag("method", method).tag("outcome", outcome)
                .register(metrics));
    }

    private String dispatch(Request request, Response response, Callback callback) throws Exception {
        String method = request.getMethod();
        if (method.equals("OPTIONS")) {
            response.getHeaders().put(HttpHeader.ALLOW, ALLOW);
            response.getHeaders().put("DAV", "1");
            Responses.empty(response, callback, 200);
            return "ok";
        }
        ResourcePath path;
        try {
            path = ResourcePath.parseRequestPath(request.getHttpURI().getPath());
        } catch (InvalidScopeException e) {
            Responses.text(response, callback, 400, "invalid path: " + e.getMessage() + "\n");
            return "bad_request";
        }
        String token = BearerCredentials.token(request);
        if (token == null) {
            // WebDAV clients such as davix (neon) send Basic credentials (the token as password) only when
            // asked, and only read the first challenge: Basic comes first, then the RFC 6750 one
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Basic realm=\"" + REALM + "\"");
            response.getHeaders().add(HttpHeader.WWW_AUTHENTICATE, BearerChallenge.of(REALM));
            Responses.text(response, callback, 401, "a bearer token is required\n");
            return "unauthenticated";
        }
        VerifiedToken verified;
        try {
            verified = access.verify(token);
        } catch (TokenException e) {
            response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE,
                    BearerChallenge.of(REALM, "invalid_token", e.reason().code(), null));
            Responses.text(response, callback, 401, "invalid token (" + e.reason().code() + "): " + e.getMessage() + "\n");
            return "invalid_token";
        }
        String local = access.localName(verified);
        AccessLog.identify(request, verified.issuer(), local != null ? local : verified.subject(), verified.jwtId());
        Call call = new Call(request, response, callback, verified, path);
        return switch (method) {
            case "GET", "HEAD" -> get(call);
            case "PUT" -> put(call, local);
            case "DELETE" -> delete(call);
            case "MKCOL" -> mkcol(call);
            case "MOVE", "COPY" -> moveOrCopy(call, method.equals("MOVE"));
            case "PROPFIND" -> propfind(call);
            default -> {
                response.getHeaders().put(HttpHeader.ALLOW, ALLOW);
                Responses.text(response, callback, 405, "method not allowed\n");
                yield "not_allowed";
            }
        };
    }

    /** Denies with 403 unless the caller may do {@code operation} on {@code path}. */
    private boolean permitted(Call call, Operation operation, ResourcePath path) {
        Access.Verdict verdict = access.check(call.token(), operation, path);
        if (verdict.allowed()) {
            return true;
        }
        abandonBody(call.request(), call.response());
        call.response().getHeaders().put(HttpHeader.WWW_AUTHENTICATE, BearerChallenge.of(REALM, "insufficient_scope",
                "the token does not allow this", verdict.neededScope()));
        Responses.text(call.response(), call.callback(), 403, "forbidden: " + SafeText.bound(verdict.message())
                + (verdict.neededScope() == null ? "" : " (needs " + verdict.neededScope() + ")") + "\n");
        return false;
    }

    private String get(Call call) throws Exception {
        boolean head = call.request().getMethod().equals("HEAD");
        if (!permitted(call, head ? Operation.STAT : Operation.READ, call.path())) {
            return "forbidden";
        }
        Path file = tree.resolve(call.path());
        FileTree.Opened opened = tree.open(file);
        try (FileChannel channel = opened.channel()) {
            return get(call, head, opened.info(), channel);
        }
    }

    /** GET or HEAD of one version of a file, or a directory listing ({@code channel} {@code null}). */
    private String get(Call call, boolean head, FileTree.Info info, FileChannel channel) throws Exception {
        Response response = call.response();
        String etag = Validators.etag(info);
        response.getHeaders().put(HttpHeader.ETAG, etag);
        response.getHeaders().put(HttpHeader.LAST_MODIFIED, Validators.httpDate(info.modified()));
        Integer status = preconditions(call.request(), info, etag, true);
        if (status != null) {
            Responses.empty(response, call.callback(), status);
            return status == 304 ? "ok" : "precondition_failed";
        }
        if (channel == null) {
            return listing(call, info, head);
        }
        response.getHeaders().put(HttpHeader.ACCEPT_RANGES, "bytes");
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/octet-stream");
        Validators.Range range = rangeToServe(call.request(), etag, info);
        if (range == Validators.UNSATISFIABLE) {
            response.getHeaders().put(HttpHeader.CONTENT_RANGE, "bytes */" + info.size());
            Responses.empty(response, call.callback(), 416);
            return "bad_request";
        }
        long first = range == null ? 0 : range.first();
        long length = range == null ? info.size() : range.length();
        if (range != null) {
            response.getHeaders().put(HttpHeader.CONTENT_RANGE, "bytes " + range.first() + "-" + range.last() + "/" + info.size());
        }
        response.setStatus(range == null ? 200 : 206);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, length);
        if (head) {
            response.write(true, null, call.callback());
            return "ok";
        }
        if (length <= SMALL) {
            // one write of headers and body, completed asynchronously: no blocking stream, fewer TLS records
            ByteBuffer content = ByteBuffer.allocate((int) length);
            while (content.hasRemaining() && channel.read(content, first + content.position()) >= 0) {
                // a file that shrank meanwhile ends the loop; the client sees a short body
            }
            response.write(true, content.flip(), call.callback());
            return "ok";
        }
        // large files: a pooled direct buffer read by the file channel and written as it is (a heap buffer would be
        // copied through a temporary direct one by the read, before TLS copies it again)
        RetainableByteBuffer pooled = call.request().getComponents().getByteBufferPool().acquire(BUFFER, true);
        try {
            ByteBuffer buffer = pooled.getByteBuffer();
            long position = first;
            long remaining = length;
            while (remaining > 0) {
                buffer.clear().limit((int) Math.min(buffer.capacity(), remaining));
                int n = channel.read(buffer, position);
                if (n < 0) {
                    break; // the file shrank while being served: the client sees a short body
                }
                buffer.flip();
                position += n;
                remaining -= n;
                try (Blocker.Callback written = Blocker.callback()) {
                    response.write(remaining == 0, buffer, written);
                    written.block();
                }
            }
        } finally {
            pooled.release();
        }
        call.callback().succeeded();
        return "ok";
    }

    private Validators.Range rangeToServe(Request request, String etag, FileTree.Info info) {
        String ifRange = request.getHeaders().get(HttpHeader.IF_RANGE);
        if (ifRange != null && !ifRange.strip().equals(etag)
                && Validators.parseDate(ifRange) != info.modified() / 1000) {
            return null; // the representation changed: send all of it
        }
        return Validators.range(request.getHeaders().get(HttpHeader.RANGE), info.size());
    }

    /** RFC 9110 §13.2.2 order; a status to answer with instead of the method, or {@code null}. */
    private static Integer preconditions(Request request, FileTree.Info info, String etag, boolean read) {
        String ifMatch = request.getHeaders().get(HttpHeader.IF_MATCH);
        if (ifMatch != null && !Validators.matches(ifMatch, etag)) {
            return 412;
        }
        long unmodifiedSince = Validators.parseDate(request.getHeaders().get(HttpHeader.IF_UNMODIFIED_SINCE));
        if (ifMatch == null && unmodifiedSince >= 0 && info.modified() / 1000 > unmodifiedSince) {
            return 412;
        }
        String ifNoneMatch = request.getHeaders().get(HttpHeader.IF_NONE_MATCH);
        if (ifNoneMatch != null && Validators.matches(ifNoneMatch, etag)) {
            return read ? 304 : 412;
        }
        long modifiedSince = Validators.parseDate(request.getHeaders().get(HttpHeader.IF_MODIFIED_SINCE));
        if (read && ifNoneMatch == null && modifiedSince >= 0 && info.modified() / 1000 <= modifiedSince) {
            return 304;
        }
        return null;
    }

    private String listing(Call call, FileTree.Info info, boolean head) throws TreeException {
        List<FileTree.Info> entries = tree.list(tree.resolve(call.path()));
        String base = call.path().isRoot() ? "/" : call.path().toString().replaceAll("/?$", "/");
        StringBuilder html = new StringBuilder("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>")
                .append(escapeHtml(base)).append("</title></head><body>\n<h1>").append(escapeHtml(base))
                .append("</h1>\n<ul>\n");
        for (FileTree.Info entry : entries) {
            String name = entry.name() + (entry.directory() ? "/" : "");
            html.append("<li><a href=\"").append(Hrefs.encodeSegment(entry.name())).append(entry.directory() ? "/" : "")
                    .append("\">").append(escapeHtml(name)).append("</a>")
                    .append(entry.directory() ? "" : " " + entry.size() + " bytes").append("</li>\n");
        }
        html.append("</ul>\n</body></html>\n");
        call.response().getHeaders().put(HttpHeader.CONTENT_TYPE, "text/html; charset=utf-8");
        if (head) {
            Responses.empty(call.response(), call.callback(), 200);
        } else {
            Responses.text(call.response(), call.callback(), 200, html.toString());
        }
        return "ok";
    }

    private String put(Call call, String localName) throws Exception {
        if (call.path().directory() || call.path().isRoot()) {
            throw new TreeException(409, "a PUT names a file, not a directory");
        }
        Path file = tree.resolve(call.path());
        FileTree.Info existing = tree.stat(file);
        Operation needed = existing == null ? Operation.CREATE : Operation.MODIFY;
        if (existing != null && existing.directory()) {
            if (!permitted(call, Operation.MODIFY, call.path())) {
                return "forbidden"; // what exists is no business of a caller who may not write here
            }
            throw new TreeException(409, "a directory exists at this path");
        }
        if (!permitted(call, needed, call.path())) {
            return "forbidden";
        }
        if (existing != null) {
            Integer status = preconditions(call.request(), existing, Validators.etag(existing), false);
            if (status != null) {
                Responses.empty(call.response(), call.callback(), status);
                return "precondition_failed";
            }
        }
        // a create-only token never overwrites, even a file that appears while this upload runs
        boolean overwrite = needed == Operation.MODIFY
                || access.check(call.token(), Operation.MODIFY, call.path()).allowed();
        if (existing == null && Validators.matches(call.request().getHeaders().get(HttpHeader.IF_NONE_MATCH), "*")) {
            overwrite = false;
        }
        FileTree.Written written;
        try (InputStream body = Content.Source.asInputStream(call.request())) {
            written = tree.write(file, body, call.request().getLength(), overwrite);
        }
        tree.recordOwner(file, localName); // whoever wrote the current content
        FileTree.Info stored = tree.stat(file);
        if (stored != null) {
            call.response().getHeaders().put(HttpHeader.ETAG, Validators.etag(stored));
        }
        Responses.empty(call.response(), call.callback(), written == FileTree.Written.CREATED ? 201 : 204);
        return "ok";
    }

    private String delete(Call call) throws Exception {
        if (!permitted(call, Operation.MODIFY, call.path())) {
            return "forbidden";
        }
        Path file = tree.resolve(call.path());
        FileTree.Info info = tree.stat(file);
        if (info == null) {
            throw new TreeException(404, "not found");
        }
        Integer status = preconditions(call.request(), info, Validators.etag(info), false);
        if (status != null) {
            Responses.empty(call.response(), call.callback(), status);
            return "precondition_failed";
        }
        tree.delete(file);
        Responses.empty(call.response(), call.callback(), 204);
        return "ok";
    }

    private String mkcol(Call call) throws Exception {
        if (call.request().getLength() > 0) {
            throw new TreeException(415, "MKCOL with a body is not supported");
        }
        ResourcePath dir = asDirectory(call.path());
        if (!permitted(call, Operation.CREATE, dir)) {
            return "forbidden";
        }
        tree.mkcol(tree.resolve(dir));
        Responses.empty(call.response(), call.callback(), 201);
        return "ok";
    }

    private String moveOrCopy(Call call, boolean move) throws Exception {
        ResourcePath destination = destination(call.request());
        if (!permitted(call, move ? Operation.MODIFY : Operation.READ, call.path())) {
            return "forbidden";
        }
        Path source = tree.resolve(call.path());
        if (tree.stat(source) == null) {
            throw new TreeException(404, "not found");
        }
        Path target = tree.resolve(destination);
        boolean exists = tree.stat(target) != null;
        if (!permitted(call, exists ? Operation.MODIFY : Operation.CREATE, destination)) {
            return "forbidden";
        }
        boolean overwrite = !"F".equalsIgnoreCase(String.valueOf(call.request().getHeaders().get("Overwrite")).strip());
        FileTree.Written written = move ? tree.move(source, target, overwrite) : tree.copy(source, target, overwrite);
        Responses.empty(call.response(), call.callback(), written == FileTree.Written.CREATED ? 201 : 204);
        return "ok";
    }

    private String propfind(Call call) throws Exception {
        String depth = call.request().getHeaders().get("Depth");
        depth = depth == null ? "1" : depth.strip(); // absent means infinity (RFC 4918); clients mean 1
        if (depth.equalsIgnoreCase("infinity")) {
            call.response().getHeaders().put(HttpHeader.CONTENT_TYPE, "application/xml; charset=utf-8");
            Responses.text(call.response(), call.callback(), 403, Multistatus.finiteDepthRequired());
            return "forbidden";
        }
        if (!depth.equals("0") && !depth.equals("1")) {
            throw new TreeException(400, "Depth must be 0 or 1");
        }
        drain(call.request());
        Path file = tree.resolve(call.path());
        if (!permitted(call, Operation.STAT, call.path())) {
            return "forbidden";
        }
        FileTree.Info info = tree.stat(file);
        if (info == null) {
            throw new TreeException(404, "not found");
        }
        List<FileTree.Info> children = List.of();
        if (info.directory() && depth.equals("1")) {
            if (!permitted(call, Operation.READ, call.path())) {
                return "forbidden";
            }
            children = tree.list(file);
        }
        String href = call.path().isRoot() ? "/" : call.path().toString().replaceAll("/$", "") + (info.directory() ? "/" : "");
        call.response().getHeaders().put(HttpHeader.CONTENT_TYPE, "application/xml; charset=utf-8");
        Responses.text(call.response(), call.callback(), 207, Multistatus.render(href, info, children));
        return "ok";
    }

    /** The request body of a PROPFIND is read and ignored: every live property is always returned. */
    private static void drain(Request request) throws IOException, TreeException {
        if (request.getLength() > MAX_PROPFIND_BODY) {
            throw new TreeException(413, "PROPFIND body too large");
        }
        try (InputStream in = Content.Source.asInputStream(request)) {
            long total = 0;
            byte[] buffer = new byte[8192];
            for (int n; (n = in.read(buffer)) >= 0; ) {
                total += n;
                if (total > MAX_PROPFIND_BODY) {
                    throw new TreeException(413, "PROPFIND body too large");
                }
            }
        }
    }

    private static ResourcePath destination(Request request) throws TreeException {
        String header = request.getHeaders().get("Destination");
        if (header == null) {
            throw new TreeException(400, "a Destination header is required");
        }
        try {
            String raw = new URI(header.strip()).getRawPath();
            return ResourcePath.parseRequestPath(raw);
        } catch (URISyntaxException | InvalidScopeException e) {
            throw new TreeException(400, "invalid Destination: " + e.getMessage());
        }
    }

    private static ResourcePath asDirectory(ResourcePath path) throws TreeException {
        if (path.directory()) {
            return path;
        }
        try {
            return ResourcePath.parseRequestPath(path + "/");
        } catch (InvalidScopeException e) {
            throw new TreeException(400, "invalid path");
        }
    }

    private static String outcomeOf(int status) {
        return switch (status) {
            case 404 -> "not_found";
            case 403 -> "forbidden";
            case 409, 412, 405 -> "conflict";
            case 400, 413, 415 -> "bad_request";
            case 507 -> "insufficient_storage";
            default -> "error";
        };
    }

    private static String escapeHtml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
