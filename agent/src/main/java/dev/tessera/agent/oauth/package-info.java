/**
 * The client side of OAuth against a VO's issuer: discovery ({@link dev.tessera.agent.oauth.IssuerClient#discover}),
 * the device flow (RFC 8628, {@link dev.tessera.agent.oauth.DevicePoller}), refresh, token exchange (RFC 8693) and
 * revocation (RFC 7009), over HTTPS only ({@link dev.tessera.agent.oauth.Transport}).
 */
package dev.tessera.agent.oauth;
