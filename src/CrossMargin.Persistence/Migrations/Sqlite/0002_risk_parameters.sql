-- Applied risk parameter sets, append-only. Versions count per slot from 1; the primary key is what makes two operators
-- applying at once conflict instead of both becoming version n (each inserts expected + 1, only one can).
CREATE TABLE risk_parameter_version (
    slot         TEXT    NOT NULL,
    version      INTEGER NOT NULL,
    content_hash TEXT    NOT NULL,
    content      TEXT    NOT NULL,
    model        TEXT    NOT NULL,
    description  TEXT    NOT NULL,
    applied_by   TEXT    NOT NULL,
    applied_at   INTEGER NOT NULL,   -- microseconds since the Unix epoch, UTC
    reason       TEXT,
    PRIMARY KEY (slot, version)
);
