-- svc-chat: stored conversations and one row per completion for analytics.
CREATE TABLE conversations (
    id          UUID PRIMARY KEY,
    owner       TEXT        NOT NULL,
    title       TEXT,
    model       TEXT,
    metadata    JSONB       NOT NULL DEFAULT '{}'::jsonb,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX conversations_owner_updated ON conversations (owner, updated_at DESC);

CREATE TABLE messages (
    id                BIGSERIAL PRIMARY KEY,
    conversation_id   UUID        NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    role              TEXT        NOT NULL,
    content           JSONB,
    tool_calls        JSONB,
    tool_call_id      TEXT,
    name              TEXT,
    model             TEXT,
    deployment        TEXT,
    prompt_tokens     INTEGER,
    completion_tokens INTEGER,
    latency_ms        DOUBLE PRECISION,
    ttft_ms           DOUBLE PRECISION,
    finish_reason     TEXT,
    memories          JSONB,
    created_at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX messages_conversation ON messages (conversation_id, id);

CREATE TABLE completions (
    id                TEXT PRIMARY KEY,
    user_id           TEXT             NOT NULL,
    model             TEXT             NOT NULL,
    deployment        TEXT,
    provider          TEXT,
    stream            BOOLEAN          NOT NULL,
    temperature       DOUBLE PRECISION,
    top_p             DOUBLE PRECISION,
    max_tokens        INTEGER,
    has_tools         BOOLEAN          NOT NULL,
    prompt_tokens     INTEGER          NOT NULL,
    completion_tokens INTEGER          NOT NULL,
    latency_ms        DOUBLE PRECISION NOT NULL,
    ttft_ms           DOUBLE PRECISION,
    attempts          INTEGER          NOT NULL,
    outcome           TEXT             NOT NULL,
    error_code        TEXT,
    conversation_id   UUID,
    created_at        TIMESTAMPTZ      NOT NULL
);
CREATE INDEX completions_user_created ON completions (user_id, created_at);
CREATE INDEX completions_model_created ON completions (model, created_at);
