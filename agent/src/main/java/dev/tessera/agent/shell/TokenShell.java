package dev.tessera.agent.shell;

import java.io.IOException;

/**
 * Runs a command with a bearer token kept fresh for it ({@code httokensh}, {@code oidc-tokensh}): the
 * command finds its token through {@code BEARER_TOKEN_FILE} (WLCG bearer-token discovery), a
 * {@link TokenRenewer} rewrites that file atomically before the token runs out, TERM and HUP are passed
 * on, and the command's exit status is returned (128 + n when a signal n ended it, as shells report).
 */
public final class TokenShell {
    /** The variable WLCG bearer-token discovery reads the token file's name from. */
    public static final String BEARER_TOKEN_FILE = "BEARER_TOKEN_FILE";

    private TokenShell() {
    }

    /** The command could not be started (not found, not executable); shells exit with 127 for this. */
    public static final class NotStarted extends IOException {
        private static final long serialVersionUID = 1L;

        NotStarted(String command, IOException cause) {
            super("cannot run " + command + ": " + cause.getMessage(), cause);
        }
    }

    /**
     * Starts {@code command} with {@code BEARER_TOKEN_FILE} set to {@code tokenFile}, keeps the token
     * fresh with {@code renewer} while it runs, and waits for it. The renewer is closed on return; the
     * token file is the caller's to remove.
     *
     * @return the command's exit status
     * @throws NotStarted when the command cannot be started
     */
    public static int run(ProcessBuilder command, PrivateTokenFile tokenFile, TokenRenewer renewer)
            throws IOException, InterruptedException {
        command.environment().put(BEARER_TOKEN_FILE, tokenFile.path().toString());
        command.environment().remove("BEARER_TOKEN"); // it would win over the file in discovery
        try (renewer; SignalForwarding forwarding = SignalForwarding.install()) {
            Process process;
            try {
                process = command.start();
            } catch (IOException e) {
                throw new NotStarted(command.command().get(0), e);
            }
            forwarding.forwardTo(process);
            try {
                renewer.start();
                return process.waitFor();
            } catch (InterruptedException e) {
                process.destroy();
                throw e;
            }
        }
    }
}
