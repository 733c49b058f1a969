/** {@code tessera sh}: a command run with a private bearer-token file kept fresh while it runs. */
package dev.tessera.agent.shell;
