-- Authorization codes (RFC 6749 §4.1, OpenID Connect Core §3.1): one row per approval, kept only as a
-- hash of the code. A code is redeemed once; the tokens it gave are recorded so that presenting it
-- again can revoke them (RFC 6749 §4.1.2).
CREATE TABLE authorization_code (
    code_hash       VARCHAR(64)  NOT NULL PRIMARY KEY,
    vo              VARCHAR(64)  NOT NULL REFERENCES vo (name),
    client_id       VARCHAR(128) NOT NULL,
    redirect_uri    TEXT         NOT NULL,          -- as the request named it (or the client's only one)
    redirect_given  INTEGER      NOT NULL,          -- 1: the request named it, so the token request must too
    username        VARCHAR(128) NOT NULL,
    scope           TEXT         NOT NULL,          -- what the person approved
    audience        TEXT         NOT NULL,
    nonce           TEXT,                           -- OpenID Connect: echoed in the ID token
    code_challenge  VARCHAR(128),                   -- PKCE S256 (RFC 7636)
    auth_time       BIGINT       NOT NULL,          -- when the person signed in
    created_at      BIGINT       NOT NULL,
    expires_at      BIGINT       NOT NULL,
    redeemed_at     BIGINT,
    family_id       VARCHAR(36),                    -- the refresh token family it started
    access_jti      VARCHAR(64)                     -- the access token it gave
);
CREATE INDEX authorization_code_expires ON authorization_code (expires_at);
