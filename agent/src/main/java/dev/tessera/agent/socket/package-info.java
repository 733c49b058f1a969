/**
 * The token manager's local API: JSON lines over a Unix domain socket, the caller named by the kernel
 * (SO_PEERCRED), so a user can only ever reach their own grants. See {@link dev.tessera.agent.socket.AgentProtocol}
 * for the requests and answers, {@link dev.tessera.agent.socket.AgentServer} for the socket, and
 * {@link dev.tessera.agent.socket.AgentClient} for the client side ({@code tessera run}, {@code tessera agent store}).
 */
package dev.tessera.agent.socket;
