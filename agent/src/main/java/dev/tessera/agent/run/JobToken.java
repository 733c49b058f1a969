package dev.tessera.agent.run;

import dev.tessera.agent.access.TokenInfo;
import dev.tessera.agent.manager.AgentException;
import dev.tessera.agent.manager.MintRequest;
import dev.tessera.agent.manager.Minted;
import dev.tessera.agent.shell.TokenRenewer;
import dev.tessera.agent.socket.AgentClient;
import dev.tessera.token.bearer.TokenFiles;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A job's token, got from the agent and kept in the job's token file: {@link #fetch} the first one, then
 * hand this to a {@link TokenRenewer}, whose renewals ask the agent for a token that expires later than
 * the one in the file (the agent usually has one cached already, renewed in the background). The file is
 * written atomically, mode 0600.
 */
public final class JobToken implements TokenRenewer.Source {
    private final Path socket;
    private final MintRequest request;
    private final Path file;
    private volatile Minted current;

    public JobToken(Path socket, MintRequest request, Path file) {
        this.socket = socket;
        this.request = request;
        this.file = file;
    }

    /**
     * Gets the job's first token into the file.
     *
     * @throws AgentException when the agent cannot serve the request
     * @throws IOException    when no agent answers, or the file cannot be written
     */
    public Minted fetch() throws IOException, AgentException {
        return write(request);
    }

    /** A token that expires later than the current one, written to the file. */
    @Override
    public TokenInfo renew() throws IOException, AgentException {
        Minted now = current;
        return write(now == null ? request : request.fresherThan(now.token().expiresAt())).token();
    }

    private Minted write(MintRequest ask) throws IOException, AgentException {
        Minted minted;
        try (AgentClient agent = AgentClient.connect(socket)) {
            minted = agent.token(ask);
        }
        TokenFiles.write(file, minted.token().token());
        current = minted;
        return minted;
    }
}
