-- Dynamic client registration (RFC 7591), limited per VO: a registered client gets no more grant types
-- and no broader scope than its VO's template. No row: registration is closed for that VO.
CREATE TABLE registration_policy (
    vo      VARCHAR(64) NOT NULL PRIMARY KEY REFERENCES vo (name),
    grants  TEXT        NOT NULL,
    scope   TEXT        NOT NULL
);

ALTER TABLE client ADD COLUMN self_registered INTEGER NOT NULL DEFAULT 0;   -- shown on consent pages
