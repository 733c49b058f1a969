-- Clients that authenticate with a signed assertion (private_key_jwt, RFC 7523 §2.2) instead of a secret,
-- and per-client lifetimes within the VO's.
ALTER TABLE client ADD COLUMN jwks TEXT;                      -- public keys; set: private_key_jwt
ALTER TABLE client ADD COLUMN access_lifetime BIGINT;         -- default access token lifetime (s); NULL: the VO's
ALTER TABLE client ADD COLUMN max_access_lifetime BIGINT;     -- the most a request may ask for; NULL: the VO's
ALTER TABLE client ADD COLUMN refresh_lifetime BIGINT;        -- NULL: the VO's

-- Assertion ids seen, until the assertion expires: each assertion authenticates once (RFC 7523 §3, item 7).
CREATE TABLE client_assertion (
    vo          VARCHAR(64)  NOT NULL REFERENCES vo (name),
    client_id   VARCHAR(128) NOT NULL,
    jti         VARCHAR(255) NOT NULL,
    expires_at  BIGINT       NOT NULL,
    PRIMARY KEY (vo, client_id, jti)
);
CREATE INDEX client_assertion_expires ON client_assertion (expires_at);
