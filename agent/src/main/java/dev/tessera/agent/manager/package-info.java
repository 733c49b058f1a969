/**
 * The token manager of a submit host: refresh tokens kept per user, issuer and client (encrypted at rest,
 * {@link dev.tessera.agent.manager.GrantStore}); access tokens minted for jobs, narrowed to what each job
 * asks, cached and reused while they qualify, renewed before they run out with jitter and back-off
 * ({@link dev.tessera.agent.manager.TokenManager}, {@link dev.tessera.agent.manager.RenewalPolicy}).
 */
package dev.tessera.agent.manager;
