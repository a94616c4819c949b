-- Event journal. The primary key (persistence_id, sequence_nr) is what makes a second writer fail instead of
-- forking a history.
CREATE TABLE event_journal (
    persistence_id text        NOT NULL,
    sequence_nr    bigint      NOT NULL,
    ordering       bigint      NOT NULL,   -- global, assigned from event_ordering inside the write transaction
    manifest       text        NOT NULL,
    version        integer     NOT NULL,
    payload        bytea       NOT NULL,
    tags           text        NOT NULL,   -- tags joined by U+001F; '' when none
    writer_id      text        NOT NULL,
    "timestamp"    timestamptz NOT NULL,
    deleted        boolean     NOT NULL DEFAULT false,
    CONSTRAINT event_journal_pkey PRIMARY KEY (persistence_id, sequence_nr)
);

CREATE UNIQUE INDEX event_journal_ordering ON event_journal (ordering);

-- One row per (tag, event): a tagged stream is a range scan here.
CREATE TABLE event_tag (
    tag      text   NOT NULL,
    ordering bigint NOT NULL,
    CONSTRAINT event_tag_pkey PRIMARY KEY (tag, ordering)
);

-- The last ordering handed out. A sequence would commit out of order (a reader could see 11 before 10 commits and
-- skip 10 for ever); this row is updated inside each append transaction, so its row lock makes appends take their
-- orderings in commit order: whoever sees ordering n committed also sees every ordering below n.
CREATE TABLE event_ordering (
    id    integer PRIMARY KEY CHECK (id = 1),
    value bigint  NOT NULL
);
INSERT INTO event_ordering (id, value) VALUES (1, 0);

CREATE TABLE snapshot_store (
    persistence_id text        NOT NULL,
    sequence_nr    bigint      NOT NULL,
    "timestamp"    timestamptz NOT NULL,
    manifest       text        NOT NULL,
    version        integer     NOT NULL,
    payload        bytea       NOT NULL,
    CONSTRAINT snapshot_store_pkey PRIMARY KEY (persistence_id, sequence_nr)
);
