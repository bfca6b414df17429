-- The findings database. Every table is keyed so that re-running a scan over
-- the same data writes nothing twice.

CREATE TABLE IF NOT EXISTS scans (
    scan_id       VARCHAR PRIMARY KEY,
    started_at    TIMESTAMPTZ NOT NULL,
    finished_at   TIMESTAMPTZ,
    status        VARCHAR NOT NULL,          -- running | completed | incomplete | failed | interrupted
    api_url       VARCHAR,
    workspace_id  VARCHAR,
    mode          VARCHAR,                   -- historical | forward
    items_scanned BIGINT DEFAULT 0,
    files_scanned BIGINT DEFAULT 0,
    findings_new  BIGINT DEFAULT 0,
    errors        BIGINT DEFAULT 0,
    message       VARCHAR,
    last_seen_at  TIMESTAMPTZ                -- the scan's latest commit: when a killed scan was last alive
);
ALTER TABLE scans ADD COLUMN IF NOT EXISTS last_seen_at TIMESTAMPTZ;  -- databases made before the column

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
    status      VARCHAR NOT NULL,            -- processed | failed (tried again) | given_up | expired (410)
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

-- Units of work that failed for a transient reason (a 5xx or timeout past api.max_retries, a cut
-- download, a log file that did not verify, the 429 budget): tried again first by every later scan
-- until they succeed, the API says the file is gone, or retry.max_attempts is spent. Written in the
-- same transaction as the findings (or cursor) of the attempt.
CREATE TABLE IF NOT EXISTS retry_queue (
    unit_kind       VARCHAR NOT NULL,        -- file | log_file | gpt | project
    unit_id         VARCHAR NOT NULL,        -- the file, log file, GPT or project id
    stream          VARCHAR,                 -- the stream that found it: library_files, logs:APP_LOG, gpts, ...
    state           VARCHAR NOT NULL,        -- pending | done | given_up
    outcome         VARCHAR,                 -- once final: the file's outcome (scanned, expired, ...) or processed
    attempts        INTEGER NOT NULL,        -- attempts so far, the first included (a 403 counts none)
    first_failed_at TIMESTAMPTZ NOT NULL,
    last_attempt_at TIMESTAMPTZ NOT NULL,
    next_attempt_at TIMESTAMPTZ,             -- pending: not tried again before this time; NULL once final
    last_error      VARCHAR,                 -- why the latest attempt failed (never a signed URL)
    payload         VARCHAR,                 -- JSON: what a retry needs (the item with its ids, a GPT's ids)
    scan_id         VARCHAR NOT NULL,        -- the scan that wrote this state
    PRIMARY KEY (unit_kind, unit_id)
);

CREATE TABLE IF NOT EXISTS scan_errors (
    scan_id   VARCHAR NOT NULL,
    logged_at TIMESTAMPTZ NOT NULL,
    stage     VARCHAR NOT NULL,
    object_id VARCHAR,
    message   VARCHAR NOT NULL
);

-- == Triage, suppression, alert outbox, export cursors (what the SOC does with findings) ==

-- An analyst's decisions, append-only: the latest one about a finding (by its id or by its
-- value's fingerprint) is its state. Keyed on fingerprints, never on raw values.
CREATE SEQUENCE IF NOT EXISTS triage_seq;
CREATE TABLE IF NOT EXISTS triage (
    triage_id   BIGINT PRIMARY KEY DEFAULT nextval('triage_seq'),  -- order of decisions
    target_kind VARCHAR NOT NULL,            -- finding | fingerprint
    target      VARCHAR NOT NULL,            -- a finding_id, or a fingerprint (every finding of that value)
    state       VARCHAR NOT NULL,            -- open | false_positive | accepted_risk | resolved
    note        VARCHAR,
    actor       VARCHAR NOT NULL,            -- who decided
    decided_at  TIMESTAMPTZ NOT NULL
);

-- The reviewed suppression files (`fingerprint: reason`), as loaded by the latest scan.
CREATE TABLE IF NOT EXISTS suppression_list (
    fingerprint VARCHAR PRIMARY KEY,
    reason      VARCHAR NOT NULL,
    source      VARCHAR NOT NULL,            -- file:line
    loaded_at   TIMESTAMPTZ NOT NULL
);

-- Findings a scan recorded as suppressed when it first found them (no alert was queued).
CREATE TABLE IF NOT EXISTS suppressed (
    finding_id    VARCHAR PRIMARY KEY,
    fingerprint   VARCHAR NOT NULL,
    reason        VARCHAR,
    source        VARCHAR NOT NULL,          -- triage | file:line
    scan_id       VARCHAR NOT NULL,
    suppressed_at TIMESTAMPTZ NOT NULL
);

-- The configured alert receivers' filters, as loaded by the latest scan; a commit queues an
-- alert for each new, unsuppressed finding a route accepts.
CREATE TABLE IF NOT EXISTS alert_routes (
    receiver   VARCHAR PRIMARY KEY,
    severities VARCHAR[] NOT NULL,           -- accepted severities (the floor and above)
    entities   VARCHAR[],                    -- NULL = every entity
    rules      VARCHAR[]                     -- NULL = every rule
);

-- One row per (receiver, finding): written in the same transaction as the finding.
CREATE TABLE IF NOT EXISTS outbox (
    receiver        VARCHAR NOT NULL,
    finding_id      VARCHAR NOT NULL,
    state           VARCHAR NOT NULL,        -- pending | sending | sent | failed | unknown | suppressed
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    enqueued_at     TIMESTAMPTZ NOT NULL,
    scan_id         VARCHAR NOT NULL,
    attempt_id      VARCHAR,                 -- the latest attempt (alert_attempts.attempt_id)
    finished_at     TIMESTAMPTZ,             -- sent, given up, found in doubt or suppressed
    last_error      VARCHAR,                 -- never the receiver's URL
    PRIMARY KEY (receiver, finding_id)
);

-- Every delivery attempt (one request carrying one or more findings): the audit trail and the rate cap.
CREATE TABLE IF NOT EXISTS alert_attempts (
    attempt_id  VARCHAR PRIMARY KEY,
    receiver    VARCHAR NOT NULL,
    started_at  TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    findings    INTEGER NOT NULL,
    outcome     VARCHAR,                     -- sent | retry | rejected | in_doubt | NULL (in flight or crashed)
    http_status INTEGER,
    error       VARCHAR
);

-- Named incremental export cursors (`dlp export --since-last NAME`), advanced after the output is written.
CREATE TABLE IF NOT EXISTS export_cursors (
    name        VARCHAR PRIMARY KEY,
    value       VARCHAR NOT NULL,            -- JSON: {"found_at": ...}
    format      VARCHAR,
    exported    BIGINT,
    updated_at  TIMESTAMPTZ NOT NULL
);

-- The fingerprints a scan suppresses: the reviewed files, then the fingerprints whose latest
-- fingerprint-level decision is false_positive.
CREATE OR REPLACE VIEW suppression_rules AS
SELECT fingerprint, reason, 'file:' || source AS source FROM suppression_list
UNION ALL
SELECT target AS fingerprint, note AS reason, 'triage' AS source
FROM (SELECT target, state, note FROM triage WHERE target_kind = 'fingerprint'
      QUALIFY row_number() OVER (PARTITION BY target ORDER BY triage_id DESC) = 1)
WHERE state = 'false_positive' AND target NOT IN (SELECT fingerprint FROM suppression_list);

-- Every finding with its current triage state: a reviewed file's entry wins; otherwise the
-- latest decision about the finding or about its fingerprint; otherwise open.
CREATE OR REPLACE VIEW findings_current AS
WITH decisions AS (
    SELECT f.finding_id, t.triage_id, t.state, t.note, t.actor, t.decided_at
    FROM findings f JOIN triage t ON t.target_kind = 'finding' AND t.target = f.finding_id
    UNION ALL
    SELECT f.finding_id, t.triage_id, t.state, t.note, t.actor, t.decided_at
    FROM findings f JOIN triage t ON t.target_kind = 'fingerprint' AND t.target = f.fingerprint
), latest AS (
    SELECT * FROM decisions QUALIFY row_number() OVER (PARTITION BY finding_id ORDER BY triage_id DESC) = 1
)
SELECT f.*,
       CASE WHEN l.fingerprint IS NOT NULL THEN 'false_positive' ELSE coalesce(d.state, 'open') END AS triage_state,
       CASE WHEN l.fingerprint IS NOT NULL THEN l.reason ELSE d.note END AS triage_note,
       CASE WHEN l.fingerprint IS NOT NULL THEN 'file:' || l.source ELSE d.actor END AS triage_by,
       CASE WHEN l.fingerprint IS NOT NULL THEN l.loaded_at ELSE d.decided_at END AS triage_at,
       (l.fingerprint IS NOT NULL OR coalesce(d.state = 'false_positive', false)) AS suppressed
FROM findings f
LEFT JOIN latest d USING (finding_id)
LEFT JOIN suppression_list l ON l.fingerprint = f.fingerprint;
