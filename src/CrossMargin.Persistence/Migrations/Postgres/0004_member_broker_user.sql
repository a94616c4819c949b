-- The RabbitMQ user each member's broker connection logs in as. Every node of a cluster must log in as one user: a
-- shard owner takes the coordinator's commands only from its own user, so a node with another one would have its
-- commands refused on every other node. A node refuses to join while a live member records a different user. Null
-- for rows written before this column, and for nodes without a broker: not compared.
ALTER TABLE cluster_member ADD COLUMN broker_user text;
