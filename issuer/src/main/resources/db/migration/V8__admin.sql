-- Administrators of the deployment (all VOs), and the short-lived tokens of the admin API. The first
-- administrator is made on first start with a one-time password that must be changed on first use.
CREATE TABLE admin_account (
    username        VARCHAR(128) NOT NULL PRIMARY KEY,
    password_hash   TEXT         NOT NULL,   -- Argon2id, PHC string
    must_change     INTEGER      NOT NULL,   -- 1: a one-time password; only a password change is accepted
    created_at      BIGINT       NOT NULL
);

CREATE TABLE admin_token (
    token_hash  VARCHAR(64)  NOT NULL PRIMARY KEY,
    username    VARCHAR(128) NOT NULL REFERENCES admin_account (username),
    created_at  BIGINT       NOT NULL,
    expires_at  BIGINT       NOT NULL
);
CREATE INDEX admin_token_expires ON admin_token (expires_at);
