-- Full-text matches per owner from one index: with (owner, tsv) in one GIN index (btree_gin, a trusted contrib
-- extension) the planner no longer ANDs a bitmap of every row of the owner (all of them, for a single-user install)
-- with the word matches — which it did while statistics lagged behind a bulk load.
CREATE EXTENSION IF NOT EXISTS btree_gin;
CREATE INDEX memories_owner_tsv ON memories USING gin (owner, tsv);
DROP INDEX memories_tsv;
