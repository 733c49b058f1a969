package dev.tessera.agent.socket;

import dev.tessera.agent.access.TokenInfo;
import dev.tessera.agent.manager.AgentException;
import dev.tessera.agent.manager.MintRequest;
import dev.tessera.agent.manager.Minted;
import dev.tessera.token.TokenException;
import dev.tessera.token.jws.Json;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A connection to the agent's socket ({@link AgentProtocol}); what {@code tessera run} and
 * {@code tessera agent store|token|list|forget} use. Not thread-safe: one request at a time.
 */
public final class AgentClient implements AutoCloseable {
    /** The environment variable naming the agent's socket. */
    public static final String SOCKET_ENV = "TESSERA_AGENT_SOCKET";

    private final SocketChannel channel;
    private final AgentServer.LineReader in;

    private AgentClient(SocketChannel channel) {
        this.channel = channel;
        this.in = new AgentServer.LineReader(channel);
    }

    /**
     * Connects to the agent listening on {@code socket}.
     *
     * @throws IOException naming the socket when no agent answers there
     */
    public static AgentClient connect(Path socket) throws IOException {
        try {
            return new AgentClient(SocketChannel.open(UnixDomainSocketAddress.of(socket)));
        } catch (IOException e) {
            throw new IOException("no agent answers at " + socket + " (" + e.getMessage() + "): is tessera agent running? "
                    + "Name its socket with --socket or " + SOCKET_ENV, e);
        }
    }

    /**
     * Sends one request and returns the agent's successful answer.
     *
     * @throws AgentException when the agent answers with an error
     * @throws IOException    when the connection fails
     */
    public Map<String, Object> call(Map<String, Object> request) throws IOException, AgentException {
        ByteBuffer out = ByteBuffer.wrap((Json.write(request) + "\n").getBytes(StandardCharsets.UTF_8));
        while (out.hasRemaining()) {
            channel.write(out);
        }
        String line = in.next();
        if (line == null) {
            throw new IOException("the agent closed the connection without answering");
        }
        Map<String, Object> answer;
        try {
            answer = Json.parseObject(line);
        } catch (java.text.ParseException e) {
            throw new IOException("the agent's answer is not JSON");
        }
        if (!Boolean.TRUE.equals(answer.get("ok"))) {
            throw new AgentException(AgentException.Code.of(String.valueOf(answer.get("error"))),
                    String.valueOf(answer.get("message")));
        }
        return answer;
    }

    /** An access token for {@code request}. */
    public Minted token(MintRequest request) throws IOException, AgentException {
        Map<String, Object> call = new LinkedHashMap<>();
        call.put("op", "token");
        putIfSet(call, "issuer", request.issuer());
        putIfSet(call, "client_id", request.clientId());
        putIfSet(call, "scope", request.access().scopeParameter());
        if (!request.access().audiences().isEmpty()) {
            call.put("audience", request.access().audiences());
        }
        call.put("min_lifetime", request.access().minLifetime().toSeconds());
        if (request.lifetime() != null) {
            call.put("lifetime", request.lifetime().toSeconds());
        }
        if (request.fresherThan() != null) {
            call.put("fresher_than", request.fresherThan().getEpochSecond());
        }
        Map<String, Object> answer = call(call);
        TokenInfo token;
        try {
            token = TokenInfo.decode(String.valueOf(answer.get("access_token")));
        } catch (TokenException e) {
            throw new IOException("the agent answered with a token that is not a JWT");
        }
        Minted.How how;
        try {
            how = Minted.How.valueOf(String.valueOf(answer.get("obtained")).toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            how = Minted.How.REFRESHED;
        }
        return new Minted(token, String.valueOf(answer.get("issuer")), String.valueOf(answer.get("client_id")), how);
    }

    /** Hands a refresh token to the agent; the answer's {@code grant}. */
    public Map<String, Object> store(String issuer, String clientId, String refreshToken) throws IOException, AgentException {
        Map<String, Object> call = new LinkedHashMap<>();
        call.put("op", "store");
        call.put("issuer", issuer);
        call.put("client_id", clientId);
        call.put("refresh_token", refreshToken);
        return call(call);
    }

    /** The caller's grants. */
    public Map<String, Object> list() throws IOException, AgentException {
        return call(Map.of("op", "list"));
    }

    /** Forgets (and with {@code revoke}, revokes) a grant. */
    public Map<String, Object> forget(String issuer, String clientId, boolean revoke) throws IOException, AgentException {
        Map<String, Object> call = new LinkedHashMap<>();
        call.put("op", "forget");
        putIfSet(call, "issuer", issuer);
        putIfSet(call, "client_id", clientId);
        call.put("revoke", revoke);
        return call(call);
    }

    private static void putIfSet(Map<String, Object> call, String name, String value) {
        if (value != null && !value.isBlank()) {
            call.put(name, value);
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
