-- The cluster's coordination state. It lives beside the journal because journal writes are fenced against leases in
-- the append transaction itself (see PostgresJournal): a fence checked anywhere else could be stale by COMMIT.

-- Shard and singleton leases. owner is null once released; epoch (the fencing token) increments on every change of
-- holder and never goes back, so a write made under an older epoch can always be told apart. Expiry is judged by
-- the database clock only, so nodes' clocks never have to agree.
CREATE TABLE lease (
    name        text        PRIMARY KEY,
    owner       text,
    epoch       bigint      NOT NULL,
    expires_at  timestamptz NOT NULL,
    acquired_at timestamptz NOT NULL,
    renewed_at  timestamptz NOT NULL
);

-- Members: one row per node, refreshed by its heartbeat. A node whose heartbeat lapses is down.
CREATE TABLE cluster_member (
    node_id      text        PRIMARY KEY,
    http_address text        NOT NULL,
    roles        text        NOT NULL,   -- comma separated
    version      text        NOT NULL,
    status       text        NOT NULL,   -- up | leaving | left | down (down: set by an operator)
    joined_at    timestamptz NOT NULL,
    heartbeat_at timestamptz NOT NULL
);

-- Where the shard coordinator wants each shard to live. The owner of record is the lease; this is the plan the
-- nodes converge to (the target takes the lease once the previous holder released it or let it expire).
CREATE TABLE shard_assignment (
    region     text        NOT NULL,
    shard_id   integer     NOT NULL,
    node_id    text        NOT NULL,
    assigned_at timestamptz NOT NULL,
    CONSTRAINT shard_assignment_pkey PRIMARY KEY (region, shard_id)
);

-- Membership and hand-off events, for `cm cluster tail` and audits.
CREATE TABLE cluster_event (
    id          bigserial   PRIMARY KEY,
    at          timestamptz NOT NULL,
    node_id     text        NOT NULL,
    kind        text        NOT NULL,
    detail      text        NOT NULL
);
