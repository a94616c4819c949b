-- How far each persistence id's events were deleted after a snapshot (DeleteEventsOnSnapshot). The primary key refuses
-- a sequence number that is still stored, but a deleted range leaves no key behind (only the highest row is kept), so
-- without this a stale writer could append into it and its acknowledged event would never be replayed. The append
-- statement refuses an event at or below its id's mark, in the same statement. One row per id that ever deleted: with
-- deletes off (the default) the table stays empty and the check costs nothing measurable; a per-event probe of the
-- journal's own key instead cost the append 20-90% (benchmarks README, session 34).
CREATE TABLE journal_deleted (
    persistence_id text   PRIMARY KEY,
    to_sequence_nr bigint NOT NULL
);

-- Ranges deleted before this migration: an id whose lowest stored event is above 1 had the ones below it deleted.
INSERT INTO journal_deleted (persistence_id, to_sequence_nr)
SELECT persistence_id, min(sequence_nr) - 1 FROM event_journal GROUP BY persistence_id HAVING min(sequence_nr) > 1;

-- What the append calls for an event in a deleted range: raised as a unique violation, so the journal treats it as the
-- key conflict it is (the number was taken once) and rejects that persistence id's write only.
CREATE FUNCTION journal_sequence_taken(persistence_id text, sequence_nr bigint, deleted_to bigint) RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    RAISE EXCEPTION 'sequence number % of persistence id % is at or below %, up to which its events were deleted after a snapshot: that number was written before',
        sequence_nr, persistence_id, deleted_to
        USING ERRCODE = 'unique_violation', CONSTRAINT = 'event_journal_sequence_taken', TABLE = 'event_journal';
END
$$;
