/** What an access token is asked to allow, and whether a token at hand serves that request and no more. */
package dev.tessera.agent.access;
