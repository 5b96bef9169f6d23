-- The admin state several Sluice nodes share (admin.store). Entries are JSON with secrets sealed
-- (AES-256-GCM) by Sluice before they get here, exactly as in the local state file.

-- One row: raised by every write, under its row lock, so writes are made one at a time.
CREATE TABLE sluice_admin_revision (
    id       integer PRIMARY KEY CHECK (id = 1),
    revision bigint  NOT NULL
);
INSERT INTO sluice_admin_revision (id, revision) VALUES (1, 0);

-- The dashboard's change to one destination; version is the revision that wrote it.
CREATE TABLE sluice_admin_destinations (
    name    text   PRIMARY KEY,
    version bigint NOT NULL,
    entry   text   NOT NULL
);

-- Dashboard sessions: the SHA-256 of the session id, never the id.
CREATE TABLE sluice_admin_sessions (
    session_key text        PRIMARY KEY,
    expires     timestamptz NOT NULL
);
CREATE INDEX sluice_admin_sessions_expires ON sluice_admin_sessions (expires);
