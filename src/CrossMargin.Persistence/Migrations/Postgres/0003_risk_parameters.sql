-- Applied risk parameter sets, append-only and shared by every node. Versions count per slot from 1; the primary key is
-- what makes two operators applying at once conflict instead of both becoming version n (each inserts expected + 1).
CREATE TABLE risk_parameter_version (
    slot         text        NOT NULL,
    version      bigint      NOT NULL,
    content_hash text        NOT NULL,
    content      text        NOT NULL,
    model        text        NOT NULL,
    description  text        NOT NULL,
    applied_by   text        NOT NULL,
    applied_at   timestamptz NOT NULL,
    reason       text,
    CONSTRAINT risk_parameter_version_pkey PRIMARY KEY (slot, version)
);
