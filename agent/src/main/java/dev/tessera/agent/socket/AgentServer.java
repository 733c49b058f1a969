package dev.tessera.agent.socket;

import dev.tessera.agent.manager.AgentException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's Unix domain socket: every local user may connect (mode 0666), and each connection is
 * answered for the user the kernel names as its peer ({@code SO_PEERCRED}), never for a user a request
 * names. Connections are served by a bounded pool of threads; one that sends nothing for
 * {@link #IDLE} is closed, so a stuck client cannot hold a thread.
 */
public final class AgentServer implements AutoCloseable {
    /** How long a connection may wait between requests. */
    public static final Duration IDLE = Duration.ofSeconds(60);
    private static final Logger LOG = LoggerFactory.getLogger(AgentServer.class);
    private static final int MAX_CONNECTIONS = 128;

    /** Who is at the other end of a connection. */
    @FunctionalInterface
    public interface Peers {
        /** The kernel's answer: the peer's user name (or its uid, when it has no name). */
        Peers SO_PEERCRED = channel -> {
            UnixDomainPrincipal peer = channel.getOption(ExtendedSocketOptions.SO_PEERCRED);
            return peer.user().getName();
        };

        String userOf(SocketChannel channel) throws IOException;
    }

    private final Path path;
    private final ServerSocketChannel server;
    private final AgentProtocol protocol;
    private final Peers peers;
    private final ThreadPoolExecutor workers;
    private final ScheduledExecutorService timeouts;
    private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
    private final Thread acceptor;
    private volatile boolean closing;

    private AgentServer(Path path, ServerSocketChannel server, AgentProtocol protocol, Peers peers) {
        this.path = path;
        this.server = server;
        this.protocol = protocol;
        this.peers = peers;
        this.workers = new ThreadPoolExecutor(0, MAX_CONNECTIONS, 60, TimeUnit.SECONDS, new SynchronousQueue<>(),
                r -> daemon(r, "tessera-agent-connection"));
        this.timeouts = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "tessera-agent-timeouts"));
        this.acceptor = daemon(this::acceptLoop, "tessera-agent-accept");
    }

    /**
     * Listens on {@code path}, answering with {@code protocol} for the users SO_PEERCRED names. A stale socket
     * file (no agent answering) is replaced.
     *
     * @throws IOException when another agent answers there, or the socket cannot be made
     */
    public static AgentServer start(Path path, AgentProtocol protocol) throws IOException {
        return start(path, protocol, Peers.SO_PEERCRED);
    }

    /** {@link #start(Path, AgentProtocol)} with another way of naming peers (for tests). */
    public static AgentServer start(Path path, AgentProtocol protocol, Peers peers) throws IOException {
        Path socket = path.toAbsolutePath();
        Files.createDirectories(socket.getParent());
        if (Files.exists(socket, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            if (Files.isRegularFile(socket, java.nio.file.LinkOption.NOFOLLOW_LINKS) || Files.isDirectory(socket)) {
                throw new IOException(socket + " exists and is not a socket");
            }
            boolean answering;
            try (SocketChannel probe = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
                answering = true;
            } catch (IOException e) {
                answering = false;
            }
            if (answering) {
                throw new IOException("an agent is already listening on " + socket);
            }
            Files.delete(socket); // left by an agent that did not stop cleanly
        }
        ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            server.bind(UnixDomainSocketAddress.of(socket), MAX_CONNECTIONS);
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw-rw-"));
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        AgentServer agent = new AgentServer(socket, server, protocol, peers);
        agent.acceptor.start();
        return agent;
    }

    /** The socket's path. */
    public Path path() {
        return path;
    }

    private void acceptLoop() {
        while (!closing) {
            SocketChannel channel;
            try {
                channel = server.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!closing) {
                    LOG.error("cannot accept a connection: {}", e.getMessage());
                }
                continue;
            }
            open.add(channel);
            try {
                workers.execute(() -> serve(channel));
            } catch (RejectedExecutionException e) {
                reply(channel, AgentProtocol.error(AgentException.Code.UNAVAILABLE, "the agent is busy: try again"));
                closeQuietly(channel);
            }
        }
    }

    private void serve(SocketChannel channel) {
        try {
            String user;
            try {
                user = peers.userOf(channel);
            } catch (IOException | RuntimeException e) {
                reply(channel, AgentProtocol.error(AgentException.Code.INTERNAL, "cannot tell who you are: " + e.getMessage()));
                return;
            }
            LineReader in = new LineReader(channel);
            while (!closing) {
                ScheduledFuture<?> timeout = timeouts.schedule(() -> closeQuietly(channel), IDLE.toMillis(),
                        TimeUnit.MILLISECONDS);
                String line;
                try {
                    line = in.next();
                } catch (LineReader.TooLong e) {
                    reply(channel, AgentProtocol.tooLong());
                    return;
                } finally {
                    timeout.cancel(false);
                }
                if (line == null) {
                    return;
                }
                if (!line.isBlank() && !reply(channel, protocol.answer(user, line))) {
                    return;
                }
            }
        } catch (ClosedChannelException e) {
            // idle, or the agent is stopping
        } catch (IOException e) {
            LOG.debug("a connection failed: {}", e.getMessage());
        } finally {
            closeQuietly(channel);
        }
    }

    private static boolean reply(SocketChannel channel, String answer) {
        ByteBuffer out = ByteBuffer.wrap((answer + "\n").getBytes(StandardCharsets.UTF_8));
        try {
            while (out.hasRemaining()) {
                channel.write(out);
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private void closeQuietly(SocketChannel channel) {
        open.remove(channel);
        try {
            channel.close();
        } catch (IOException e) {
            // closed
        }
    }

    /** Stops listening, closes the connections and removes the socket file. */
    @Override
    public void close() {
        closing = true;
        try {
            server.close();
        } catch (IOException e) {
            // closed
        }
        open.forEach(this::closeQuietly);
        workers.shutdownNow();
        timeouts.shutdownNow();
        try {
            acceptor.join(5_000);
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            LOG.warn("cannot remove the socket {}: {}", path, e.getMessage());
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread thread = new Thread(r, name);
        thread.setDaemon(true);
        return thread;
    }

    /** Reads newline-terminated UTF-8 lines of at most {@link AgentProtocol#MAX_LINE} bytes from a channel. */
    static final class LineReader {
        /** A line longer than {@link AgentProtocol#MAX_LINE}. */
        static final class TooLong extends IOException {
            private static final long serialVersionUID = 1L;

            TooLong() {
                super("line too long");
            }
        }

        private final SocketChannel channel;
        private final ByteBuffer buffer = ByteBuffer.allocate(8192);
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();

        LineReader(SocketChannel channel) {
            this.channel = channel;
            buffer.flip();
        }

        /** The next line without its newline, or {@code null} at the end. */
        String next() throws IOException {
            while (true) {
                while (buffer.hasRemaining()) {
                    byte b = buffer.get();
                    if (b == '\n') {
                        String text = line.toString(StandardCharsets.UTF_8);
                        line.reset();
                        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
                    }
                    if (line.size() >= AgentProtocol.MAX_LINE) {
                        throw new TooLong();
                    }
                    line.write(b);
                }
                buffer.clear();
                int read = channel.read(buffer);
                buffer.flip();
                if (read < 0) {
                    return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
                }
            }
        }
    }
}
