-- Refuses an append at or below a persistence id's highest sequence number. The primary key refuses a number that is
-- still stored, but events deleted after a snapshot leave no key behind (only the highest row is kept), so without this
-- a stale writer could append into the deleted range and its acknowledged event would never be replayed. The append
-- statement calls it only for an event that finds a stored one at or above its number (one probe of the primary key
-- per event, in the same statement): it raises a unique violation, so the journal treats it as the key conflict it is.
CREATE FUNCTION journal_sequence_taken(persistence_id text, sequence_nr bigint, highest bigint) RETURNS boolean
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    RAISE EXCEPTION 'sequence number % of persistence id % is at or below its highest, %: that number was written before (its event may have been deleted after a snapshot)',
        sequence_nr, persistence_id, highest
        USING ERRCODE = 'unique_violation', CONSTRAINT = 'event_journal_sequence_taken', TABLE = 'event_journal';
END
$$;
