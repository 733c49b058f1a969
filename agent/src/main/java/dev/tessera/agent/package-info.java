/**
 * Getting tokens to people and jobs: the client side of the OAuth flows against a VO's issuer, the
 * user-private refresh-token vault, the token manager on a submit host, and the job wrapper.
 */
package dev.tessera.agent;
