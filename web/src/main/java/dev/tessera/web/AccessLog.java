package dev.tessera.web;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.RequestLog;
import org.eclipse.jetty.server.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per request on standard output: time, {@code ACCESS}, server, client, method, path (never the
 * query, which may carry {@code ?authz=} tokens), status, bytes written, duration, and who asked, as the
 * application recorded it with {@link #identify} ({@code iss}, {@code sub}, {@code jti}; never a token).
 *
 * <p>Lines are on when the {@code tessera.access.<server>} logger is at INFO ({@code TESSERA_LOG_LEVEL}).
 * They bypass the logging framework's appenders: at tens of thousands of requests a second a lock per
 * line and a write per line cost a sixth of the throughput. Request threads append to a lock-free queue;
 * one writer thread writes whole lines in batches of at most 4 KiB (atomic on a pipe, so they never
 * interleave with other log lines) and flushes as soon as the queue is empty, so lines also appear at
 * once when traffic is light. A full queue makes requests wait: lines are never dropped.
 */
public final class AccessLog implements RequestLog {
    /** Request attribute holding the caller's identity for the log line. */
    public static final String IDENTITY = "tessera.identity";

    private static final java.util.List<java.util.function.Consumer<String>> WATCHERS =
            new java.util.concurrent.CopyOnWriteArrayList<>();

    private final Logger level;
    private final String server;

    AccessLog(String server) {
        this.server = server;
        this.level = LoggerFactory.getLogger("tessera.access." + server);
    }

    /** Records who made a request: issuer, subject and token id (any may be {@code null}). */
    public static void identify(Request request, String issuer, String subject, String jwtId) {
        request.setAttribute(IDENTITY, new Identity(issuer, subject, jwtId)); // formatted only when logged
    }

    private record Identity(String issuer, String subject, String jwtId) {
    }

    @Override
    public void log(Request request, Response response) {
        if (!level.isInfoEnabled()) {
            return;
        }
        long millis = (System.nanoTime() - request.getBeginNanoTime()) / 1_000_000;
        StringBuilder line = new StringBuilder(256).append(Instant.now()).append(" ACCESS ").append(server).append(' ')
                .append(Request.getRemoteAddr(request)).append(' ').append(request.getMethod()).append(' ')
                .append(request.getHttpURI().getPath()).append(' ').append(response.getStatus()).append(' ')
                .append(Response.getContentBytesWritten(response)).append(' ').append(millis).append("ms ");
        if (request.getAttribute(IDENTITY) instanceof Identity who) {
            line.append("iss=").append(who.issuer()).append(" sub=").append(who.subject()).append(" jti=").append(who.jwtId());
        } else {
            line.append('-');
        }
        String text = line.append('\n').toString();
        for (java.util.function.Consumer<String> watcher : WATCHERS) {
            watcher.accept(text);
        }
        Writer.INSTANCE.write(text);
    }

    /**
     * Also hands every access line to {@code watcher} (tests, or an application shipping lines elsewhere)
     * until the returned handle is closed.
     */
    public static AutoCloseable watch(java.util.function.Consumer<String> watcher) {
        WATCHERS.add(watcher);
        return () -> WATCHERS.remove(watcher);
    }

    /** Whether the writer exists: a server that logged nothing (e.g. at level WARN) must not start one to stop. */
    private static volatile boolean writing;

    /** Writes what is queued now; for a stopping server. */
    static void flush() {
        if (writing) {
            Writer.INSTANCE.drainNow();
        }
    }

    /** The one writer thread of the process. */
    private static final class Writer implements Runnable {
        static final Writer INSTANCE = new Writer();
        private static final int MAX_QUEUED = 100_000;
        private static final int BATCH = 4096;

        private final ConcurrentLinkedQueue<String> queue = new ConcurrentLinkedQueue<>();
        private final AtomicInteger queued = new AtomicInteger();
        private final OutputStream out = new FileOutputStream(FileDescriptor.out);
        private final byte[] batch = new byte[BATCH];
        private int length;
        private volatile boolean idle;
        private final Thread thread;

        private Writer() {
            thread = new Thread(this, "tessera-access-log");
            thread.setDaemon(true);
            thread.start();
            try {
                Runtime.getRuntime().addShutdownHook(new Thread(this::drainNow, "tessera-access-log-flush"));
            } catch (IllegalStateException e) {
                // the first line came while the JVM is already stopping: the server's own flush writes it
            }
            writing = true;
        }

        void write(String line) {
            while (queued.get() >= MAX_QUEUED) {
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(100)); // back-pressure, never a dropped line
            }
            queue.offer(line);
            queued.incrementAndGet();
            if (idle) {
                LockSupport.unpark(thread);
            }
        }

        @Override
        public void run() {
            while (true) {
                if (!drainNow()) {
                    idle = true;
                    if (queue.isEmpty()) {
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
                    }
                    idle = false;
                }
            }
        }

        /** Writes everything queued; whether there was anything. */
        synchronized boolean drainNow() {
            boolean any = false;
            for (String line; (line = queue.poll()) != null; ) {
                queued.decrementAndGet();
                any = true;
                byte[] bytes = line.getBytes(StandardCharsets.UTF_8);
                if (length + bytes.length > BATCH) {
                    emit();
                }
                if (bytes.length > BATCH) {
                    write(bytes, bytes.length);
                } else {
                    System.arraycopy(bytes, 0, batch, length, bytes.length);
                    length += bytes.length;
                }
            }
            emit();
            return any;
        }

        private void emit() {
            if (length > 0) {
                write(batch, length);
                length = 0;
            }
        }

        private void write(byte[] bytes, int n) {
            try {
                out.write(bytes, 0, n);
            } catch (IOException e) {
                // standard output is gone: nothing left to tell it
            }
        }
    }
}
