-- Event journal. The primary key (persistence_id, sequence_nr) is what makes a second writer fail instead of
-- forking a history. A rowid table on purpose: rows are appended in commit order (so a batch from many actors
-- writes a few adjacent pages), and the key is a compact separate index; clustering the table by the key instead
-- (WITHOUT ROWID) made every event of a batch dirty its own page, several times the bytes per commit.
CREATE TABLE event_journal (
    persistence_id TEXT    NOT NULL,
    sequence_nr    INTEGER NOT NULL,
    ordering       INTEGER NOT NULL,   -- global, assigned from event_ordering inside the write transaction
    manifest       TEXT    NOT NULL,
    version        INTEGER NOT NULL,
    payload        BLOB    NOT NULL,
    tags           TEXT    NOT NULL,   -- tags joined by U+001F; '' when none
    writer_id      TEXT    NOT NULL,
    timestamp      INTEGER NOT NULL,   -- microseconds since the Unix epoch, UTC
    deleted        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (persistence_id, sequence_nr)
);

CREATE UNIQUE INDEX event_journal_ordering ON event_journal (ordering);

-- One row per (tag, event): a tagged stream is a range scan here.
CREATE TABLE event_tag (
    tag      TEXT    NOT NULL,
    ordering INTEGER NOT NULL,
    PRIMARY KEY (tag, ordering)
) WITHOUT ROWID;

-- The last ordering handed out. Writes are serialized (BEGIN IMMEDIATE), so orderings commit in order.
CREATE TABLE event_ordering (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    value INTEGER NOT NULL
);
INSERT INTO event_ordering (id, value) VALUES (1, 0);

CREATE TABLE snapshot_store (
    persistence_id TEXT    NOT NULL,
    sequence_nr    INTEGER NOT NULL,
    timestamp      INTEGER NOT NULL,
    manifest       TEXT    NOT NULL,
    version        INTEGER NOT NULL,
    payload        BLOB    NOT NULL,
    PRIMARY KEY (persistence_id, sequence_nr)
);
