package dev.tessera.cli;

import dev.tessera.agent.get.GetException;
import dev.tessera.agent.vault.VaultException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileSystemException;

/**
 * Exit statuses of {@code tessera get} and {@code tessera sh}: 1 when no token could be had (refused,
 * denied, unreachable, more than asked), 2 when the user must fix something (options, vault, files).
 */
final class GetFailures {
    /** A command body that may fail the ways getting a token fails. */
    @FunctionalInterface
    interface Body {
        int run() throws GetException, IOException, InterruptedException;
    }

    private GetFailures() {
    }

    static int run(String command, PrintWriter err, Body body) throws InterruptedException {
        try {
            return body.run();
        } catch (GetException e) {
            err.println("tessera " + command + ": " + e.getMessage());
            return e.kind() == GetException.Kind.USAGE ? Tessera.USAGE : Tessera.INVALID;
        } catch (VaultException e) {
            throw new UsageError(e.getMessage());
        } catch (FileSystemException e) {
            throw new UsageError(FileErrors.describe(e));
        } catch (IOException e) {
            err.println("tessera " + command + ": " + FileErrors.describe(e));
            return Tessera.INVALID;
        }
    }
}
