/**
 * {@code tessera run}: a job's command run with the token the agent mints for it, in a private file named
 * by {@code BEARER_TOKEN_FILE} and renewed through the agent while the command runs (the
 * {@link dev.tessera.agent.shell} package's file, renewer and runner).
 */
package dev.tessera.agent.run;
