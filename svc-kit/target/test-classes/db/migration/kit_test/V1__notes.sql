CREATE TABLE notes (
    id     BIGSERIAL PRIMARY KEY,
    owner  TEXT NOT NULL,
    text   TEXT NOT NULL
);
