-- Access tokens revoked before their expiry (RFC 7009), by jti, kept until they would have expired.
-- Services that verify tokens offline cannot see this; introspection, token exchange and refresh do.
CREATE TABLE revoked_access_token (
    jti         VARCHAR(64)  NOT NULL PRIMARY KEY,
    vo          VARCHAR(64)  NOT NULL,
    revoked_at  BIGINT       NOT NULL,
    expires_at  BIGINT       NOT NULL
);
CREATE INDEX revoked_access_token_expires ON revoked_access_token (expires_at);
