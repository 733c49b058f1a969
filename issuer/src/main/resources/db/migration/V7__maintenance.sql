-- Scheduled work: automatic key rotation per VO, and a lease so that of several servers on one
-- database only one does the periodic work at a time.
CREATE TABLE key_schedule (
    vo          VARCHAR(64) NOT NULL PRIMARY KEY REFERENCES vo (name),
    rotate_every BIGINT     NOT NULL              -- seconds between rotations (the next key is pre-published)
);

CREATE TABLE lease (
    name    VARCHAR(64)  NOT NULL PRIMARY KEY,
    holder  VARCHAR(64)  NOT NULL,
    until   BIGINT       NOT NULL
);
INSERT INTO lease (name, holder, until) VALUES ('maintenance', '', 0);
