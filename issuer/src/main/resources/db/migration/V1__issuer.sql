-- The issuer's state. Portable SQL: SQLite (the embedded default) and PostgreSQL (production, HA).
-- Every row belongs to one VO: each VO is its own issuer (iss), with its own keys, clients, accounts
-- and policy. Times are seconds since the epoch. Secrets are stored hashed, private keys encrypted.

CREATE TABLE vo (
    name                  VARCHAR(64)  NOT NULL PRIMARY KEY,  -- the iss path: https://HOST/vo/NAME
    issuer                VARCHAR(512) NOT NULL UNIQUE,       -- iss
    profile               VARCHAR(16)  NOT NULL,              -- SCITOKENS_2 or WLCG_1
    algorithm             VARCHAR(8)   NOT NULL,              -- ES256 or RS256, for new keys
    access_lifetime       BIGINT       NOT NULL,              -- default access token lifetime
    max_access_lifetime   BIGINT       NOT NULL,              -- the most a request may ask for
    default_audience      VARCHAR(512),                       -- when a request names none
    created_at            BIGINT       NOT NULL
);

CREATE TABLE signing_key (
    vo            VARCHAR(64)  NOT NULL REFERENCES vo (name),
    kid           VARCHAR(128) NOT NULL,
    algorithm     VARCHAR(8)   NOT NULL,
    private_key   TEXT         NOT NULL,   -- PKCS#8, AES-256-GCM under the master key, base64
    public_jwk    TEXT         NOT NULL,
    created_at    BIGINT       NOT NULL,   -- published from here on (a next key is pre-published)
    activates_at  BIGINT       NOT NULL,   -- signs from here until the next key activates; then stays
                                           -- published while tokens it signed may still be checked
    PRIMARY KEY (vo, kid)
);

CREATE TABLE client (
    vo             VARCHAR(64)  NOT NULL REFERENCES vo (name),
    client_id      VARCHAR(128) NOT NULL,
    name           VARCHAR(256) NOT NULL,
    secret_hash    VARCHAR(128),           -- null for public clients
    grants         TEXT         NOT NULL,  -- space-separated grant types
    scope          TEXT         NOT NULL,  -- the most this client may ever obtain
    audiences      TEXT         NOT NULL,  -- space-separated audiences it may ask for; empty: any but the wildcards
    redirect_uris  TEXT         NOT NULL,  -- space-separated, matched exactly
    created_at     BIGINT       NOT NULL,
    PRIMARY KEY (vo, client_id)
);

CREATE TABLE account (
    vo             VARCHAR(64)  NOT NULL REFERENCES vo (name),
    username       VARCHAR(128) NOT NULL,
    subject        VARCHAR(128) NOT NULL,  -- sub: stable, never reassigned, not the username
    password_hash  VARCHAR(256),
    created_at     BIGINT       NOT NULL,
    PRIMARY KEY (vo, username),
    UNIQUE (vo, subject)
);

CREATE TABLE membership (
    vo        VARCHAR(64)  NOT NULL,
    username  VARCHAR(128) NOT NULL,
    grp       VARCHAR(256) NOT NULL,       -- /vo/group
    PRIMARY KEY (vo, username, grp),
    FOREIGN KEY (vo, username) REFERENCES account (vo, username)
);

CREATE TABLE policy_rule (
    id             VARCHAR(36)  NOT NULL PRIMARY KEY,
    vo             VARCHAR(64)  NOT NULL REFERENCES vo (name),
    subject_kind   VARCHAR(8)   NOT NULL,  -- group, user or client
    subject        VARCHAR(256) NOT NULL,
    scope_template TEXT         NOT NULL,  -- read:/ligo write:/home/{username} storage.create:/user/{sub}
    effect         VARCHAR(8)   NOT NULL,  -- grant or deny
    created_at     BIGINT       NOT NULL
);

CREATE TABLE audit_event (
    id         VARCHAR(36)  NOT NULL PRIMARY KEY,
    vo         VARCHAR(64)  NOT NULL,
    at         BIGINT       NOT NULL,
    event      VARCHAR(32)  NOT NULL,      -- token_issued, ...
    client_id  VARCHAR(128),
    subject    VARCHAR(128),
    jti        VARCHAR(64),
    scope      TEXT,
    audience   TEXT,
    expires_at BIGINT
);
CREATE INDEX audit_event_vo_at ON audit_event (vo, at);

-- Bumped by every change to VOs, keys, clients or policy, so running servers (several, on one
-- PostgreSQL) reload their snapshot of them at once, without a restart.
CREATE TABLE revision (
    id     INTEGER NOT NULL PRIMARY KEY,
    value  BIGINT  NOT NULL
);
INSERT INTO revision (id, value) VALUES (1, 0);
