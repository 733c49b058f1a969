/** The user-private refresh-token vault: an atomically replaced 0600 file, encrypted with a passphrase. */
package dev.tessera.agent.vault;
