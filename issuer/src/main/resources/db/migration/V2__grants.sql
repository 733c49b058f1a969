-- Grants that outlive one request: device authorizations (RFC 8628), refresh tokens (rotated, in
-- families), and the login sessions of the pages. Secrets are stored as SHA-256 hashes only.

ALTER TABLE vo ADD COLUMN refresh_lifetime BIGINT NOT NULL DEFAULT 1209600;   -- 14 days, renewed on use
ALTER TABLE vo ADD COLUMN device_code_lifetime BIGINT NOT NULL DEFAULT 600;   -- RFC 8628 expires_in

CREATE TABLE device_grant (
    device_code_hash VARCHAR(64)  NOT NULL PRIMARY KEY,
    user_code        VARCHAR(16)  NOT NULL UNIQUE,   -- 8 letters, no vowels or look-alikes, shown as XXXX-XXXX
    vo               VARCHAR(64)  NOT NULL REFERENCES vo (name),
    client_id        VARCHAR(128) NOT NULL,
    scope            TEXT         NOT NULL,          -- as requested
    audience         TEXT         NOT NULL,          -- resolved when requested
    created_at       BIGINT       NOT NULL,
    expires_at       BIGINT       NOT NULL,
    poll_interval    INTEGER      NOT NULL,          -- grows by 5 s with every slow_down
    last_polled_at   BIGINT,
    status           VARCHAR(16)  NOT NULL,          -- pending, approved, denied, redeemed
    username         VARCHAR(128),                   -- who approved or denied
    granted_scope    TEXT                            -- what they approved (they may deselect scopes)
);
CREATE INDEX device_grant_expires ON device_grant (expires_at);

CREATE TABLE refresh_token (
    token_hash   VARCHAR(64)  NOT NULL PRIMARY KEY,
    family_id    VARCHAR(36)  NOT NULL,              -- every token rotated from one grant
    vo           VARCHAR(64)  NOT NULL REFERENCES vo (name),
    client_id    VARCHAR(128) NOT NULL,
    username     VARCHAR(128),
    subject      VARCHAR(128) NOT NULL,
    scope        TEXT         NOT NULL,              -- the most any token refreshed from it may carry
    audience     TEXT         NOT NULL,
    issued_at    BIGINT       NOT NULL,
    expires_at   BIGINT       NOT NULL,
    used_at      BIGINT,                             -- rotated: presenting it again revokes the family
    revoked_at   BIGINT
);
CREATE INDEX refresh_token_family ON refresh_token (family_id);
CREATE INDEX refresh_token_expires ON refresh_token (expires_at);

CREATE TABLE login_session (
    id_hash     VARCHAR(64)  NOT NULL PRIMARY KEY,
    vo          VARCHAR(64)  NOT NULL REFERENCES vo (name),
    username    VARCHAR(128) NOT NULL,
    created_at  BIGINT       NOT NULL,
    expires_at  BIGINT       NOT NULL
);
CREATE INDEX login_session_expires ON login_session (expires_at);
