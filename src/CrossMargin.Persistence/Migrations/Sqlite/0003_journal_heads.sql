-- Event journal, second layout. The (persistence_id, sequence_nr) key index of 0001 made every group commit dirty one
-- index leaf per account in the batch (random text keys): ~4 KiB of WAL per event, written again by the checkpoint.
-- Now the table is clustered by ordering (appends land on the last pages), and what made a second writer fail
-- instead of forking a history moves to journal_head: one small row per persistence id holding the highest sequence
-- number ever written, checked and moved inside the write transaction. An event points to the previous event of its
-- persistence id (previous_ordering), so a replay walks its own chain back from the head instead of needing an index.
CREATE TABLE event_journal_v2 (
    ordering          INTEGER PRIMARY KEY,   -- the rowid: global, assigned from event_ordering inside the write transaction
    persistence_id    TEXT    NOT NULL,
    sequence_nr       INTEGER NOT NULL,
    previous_ordering INTEGER,               -- the previous event of this persistence id; NULL for its first
    manifest          TEXT    NOT NULL,
    version           INTEGER NOT NULL,
    payload           BLOB    NOT NULL,
    tags              TEXT    NOT NULL,      -- tags joined by U+001F; '' when none
    writer_id         TEXT    NOT NULL,
    timestamp         INTEGER NOT NULL       -- microseconds since the Unix epoch, UTC
);

-- The highest sequence number ever written per persistence id (deleted events included) and the ordering of that
-- event. A write is accepted only when it starts above highest_sequence_nr, so no (persistence_id, sequence_nr)
-- is ever written twice. first_ordering (of the first event written, never moved) bounds a range scan: a history
-- written mostly on its own is replayed by scanning its orderings rather than walking its chain. WITHOUT ROWID:
-- the key is the row, ~50 bytes, so a batch dirties few pages here.
CREATE TABLE journal_head (
    persistence_id      TEXT    NOT NULL PRIMARY KEY,
    highest_sequence_nr INTEGER NOT NULL,
    last_ordering       INTEGER NOT NULL,
    first_ordering      INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO journal_head (persistence_id, highest_sequence_nr, last_ordering, first_ordering)
SELECT persistence_id, sequence_nr, ordering, first_ordering
FROM (SELECT persistence_id, sequence_nr, ordering,
             row_number() OVER (PARTITION BY persistence_id ORDER BY sequence_nr DESC) AS newest,
             min(ordering) OVER (PARTITION BY persistence_id) AS first_ordering
      FROM event_journal)
WHERE newest = 1;

-- The rows 0001 kept only as markers of the highest sequence number (deleted = 1) are not copied: journal_head keeps
-- that number now. Orderings are kept, so tagged-stream offsets stay valid.
INSERT INTO event_journal_v2 (ordering, persistence_id, sequence_nr, previous_ordering, manifest, version, payload, tags, writer_id, timestamp)
SELECT ordering, persistence_id, sequence_nr,
       lag(ordering) OVER (PARTITION BY persistence_id ORDER BY sequence_nr),
       manifest, version, payload, tags, writer_id, timestamp
FROM event_journal
WHERE deleted = 0
ORDER BY ordering;

DROP TABLE event_journal;
ALTER TABLE event_journal_v2 RENAME TO event_journal;
