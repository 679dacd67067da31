-- Memories: the source of truth. The keyword index is a generated tsvector (PostgreSQL full-text search); the
-- embedding is kept here too (float32 little-endian) so the vector collection can be rebuilt without re-embedding.
CREATE TABLE memories (
    id              uuid PRIMARY KEY,
    owner           text        NOT NULL,
    scope           text        NOT NULL,
    agent_id        text,
    run_id          text,
    text            text        NOT NULL,
    text_hash       bytea       NOT NULL,
    metadata        jsonb       NOT NULL DEFAULT '{}'::jsonb,
    importance      real        NOT NULL DEFAULT 0.5,
    created_at      timestamptz NOT NULL,
    updated_at      timestamptz NOT NULL,
    expires_at      timestamptz,
    version         integer     NOT NULL DEFAULT 1,
    embedding       bytea,
    embedding_model text,
    tsv             tsvector GENERATED ALWAYS AS (to_tsvector('english'::regconfig, text)) STORED
);
CREATE INDEX memories_owner_created ON memories (owner, created_at DESC, id DESC);
CREATE INDEX memories_owner_scope_hash ON memories (owner, scope, text_hash);
CREATE INDEX memories_tsv ON memories USING gin (tsv);
CREATE INDEX memories_metadata ON memories USING gin (metadata jsonb_path_ops);
CREATE INDEX memories_expires ON memories (expires_at) WHERE expires_at IS NOT NULL;

-- Every change with the value before and after, who and why. Kept after the memory is deleted.
CREATE TABLE memory_history (
    id        bigserial PRIMARY KEY,
    memory_id uuid        NOT NULL,
    owner     text        NOT NULL,
    event     text        NOT NULL,
    reason    text        NOT NULL,
    actor     text        NOT NULL,
    previous  jsonb,
    current   jsonb,
    at        timestamptz NOT NULL
);
CREATE INDEX memory_history_memory ON memory_history (memory_id, id);

-- Transactional outbox: written in the same transaction as the memory; the relay brings svc-vector up to date and
-- marks the row done. A row only names the memory: the relay always indexes the memory's current state.
CREATE TABLE index_outbox (
    id              bigserial PRIMARY KEY,
    memory_id       uuid        NOT NULL,
    created_at      timestamptz NOT NULL,
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    last_error      text,
    done_at         timestamptz
);
CREATE INDEX index_outbox_pending ON index_outbox (next_attempt_at, id) WHERE done_at IS NULL;
CREATE INDEX index_outbox_done ON index_outbox (done_at) WHERE done_at IS NOT NULL;
