-- ID token lifetimes per VO, and per-client ID token and device code lifetimes within the VO's.
ALTER TABLE vo ADD COLUMN id_token_lifetime BIGINT NOT NULL DEFAULT 600;   -- 10 minutes
ALTER TABLE client ADD COLUMN id_token_lifetime BIGINT;                     -- NULL: the VO's
ALTER TABLE client ADD COLUMN device_code_lifetime BIGINT;                  -- NULL: the VO's
