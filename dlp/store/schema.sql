-- The findings database. Every table is keyed so that re-running a scan over
-- the same data writes nothing twice.

CREATE TABLE IF NOT EXISTS scans (
    scan_id       VARCHAR PRIMARY KEY,
    started_at    TIMESTAMPTZ NOT NULL,
    finished_at   TIMESTAMPTZ,
    status        VARCHAR NOT NULL,          -- running | completed | failed
    api_url       VARCHAR,
    workspace_id  VARCHAR,
    mode          VARCHAR,                   -- historical | forward
    items_scanned BIGINT DEFAULT 0,
    files_scanned BIGINT DEFAULT 0,
    findings_new  BIGINT DEFAULT 0,
    errors        BIGINT DEFAULT 0,
    message       VARCHAR
);

CREATE TABLE IF NOT EXISTS findings (
    finding_id      VARCHAR PRIMARY KEY,     -- hash of item, location, span and rule: stable across scans
    scan_id         VARCHAR NOT NULL,        -- the scan that first found it
    found_at        TIMESTAMPTZ NOT NULL,
    rule_id         VARCHAR NOT NULL,
    entity          VARCHAR NOT NULL,
    severity        VARCHAR NOT NULL,
    score           DOUBLE NOT NULL,
    likelihood      VARCHAR NOT NULL,
    detector        VARCHAR NOT NULL,
    item_id         VARCHAR NOT NULL,
    item_kind       VARCHAR NOT NULL,
    workspace_id    VARCHAR NOT NULL,
    user_id         VARCHAR,
    user_email      VARCHAR,
    gpt_id          VARCHAR,
    project_id      VARCHAR,
    conversation_id VARCHAR,
    message_id      VARCHAR,
    file_id         VARCHAR,
    file_name       VARCHAR,
    location        VARCHAR NOT NULL,
    start_offset    BIGINT NOT NULL,
    end_offset      BIGINT NOT NULL,
    snippet         VARCHAR NOT NULL,        -- masked: never the raw value
    fingerprint     VARCHAR NOT NULL,        -- HMAC-SHA256 of the value under the installation key
    decoded         BOOLEAN NOT NULL DEFAULT FALSE,
    tags            VARCHAR[],
    item_created_at TIMESTAMPTZ
);

CREATE TABLE IF NOT EXISTS items (
    item_id         VARCHAR PRIMARY KEY,
    kind            VARCHAR NOT NULL,
    source          VARCHAR NOT NULL,
    workspace_id    VARCHAR NOT NULL,
    user_id         VARCHAR,
    user_email      VARCHAR,
    gpt_id          VARCHAR,
    project_id      VARCHAR,
    conversation_id VARCHAR,
    message_id      VARCHAR,
    file_id         VARCHAR,
    file_name       VARCHAR,
    role            VARCHAR,
    created_at      TIMESTAMPTZ,
    scan_id         VARCHAR NOT NULL,
    scanned_at      TIMESTAMPTZ NOT NULL,
    chars           BIGINT NOT NULL,
    findings        BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS files (
    file_id      VARCHAR PRIMARY KEY,
    name         VARCHAR,
    owner_kind   VARCHAR,                    -- user | gpt | project
    user_id      VARCHAR,
    gpt_id       VARCHAR,
    sha256       VARCHAR,
    size_bytes   BIGINT,
    file_type    VARCHAR,
    outcome      VARCHAR NOT NULL,           -- scanned | too_large | type_excluded | encrypted | corrupt | timeout | expired | ...
    reason       VARCHAR,
    chars        BIGINT,
    segments     BIGINT,
    truncated    BOOLEAN,                    -- not read to its end (a content limit or a timeout)
    scan_id      VARCHAR NOT NULL,
    recorded_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS cursors (
    stream     VARCHAR PRIMARY KEY,          -- e.g. logs:CONVERSATION_MESSAGE
    value      VARCHAR NOT NULL,             -- JSON
    scan_id    VARCHAR NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS events (
    event_id    VARCHAR PRIMARY KEY,         -- log events are re-delivered across files: seen once
    event_type  VARCHAR NOT NULL,
    log_file_id VARCHAR,
    scan_id     VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS log_files (
    log_file_id VARCHAR PRIMARY KEY,
    event_type  VARCHAR NOT NULL,
    end_time    VARCHAR,
    sha256      VARCHAR,
    events      BIGINT,
    status      VARCHAR NOT NULL,            -- processed | failed
    reason      VARCHAR,
    scan_id     VARCHAR NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE IF NOT EXISTS users (
    user_id    VARCHAR PRIMARY KEY,
    email      VARCHAR,
    name       VARCHAR,
    role       VARCHAR,
    status     VARCHAR,
    in_scope   BOOLEAN
);

CREATE TABLE IF NOT EXISTS gpts (
    gpt_id      VARCHAR PRIMARY KEY,
    name        VARCHAR,
    owner_id    VARCHAR,
    owner_email VARCHAR,
    visibility  VARCHAR,
    in_scope    BOOLEAN
);

CREATE TABLE IF NOT EXISTS projects (
    project_id  VARCHAR PRIMARY KEY,
    name        VARCHAR,
    owner_id    VARCHAR,
    owner_email VARCHAR,
    visibility  VARCHAR,
    in_scope    BOOLEAN
);

CREATE TABLE IF NOT EXISTS scan_errors (
    scan_id   VARCHAR NOT NULL,
    logged_at TIMESTAMPTZ NOT NULL,
    stage     VARCHAR NOT NULL,
    object_id VARCHAR,
    message   VARCHAR NOT NULL
);
