/** {@code tessera get}: an access token where WLCG discovery finds it, reused, refreshed or from a device flow. */
package dev.tessera.agent.get;
