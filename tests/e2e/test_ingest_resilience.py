"""Ingest survives what the real API does to a client, and never fetches what it must not."""

from __future__ import annotations

import asyncio
import dataclasses
import json
from datetime import timedelta

import pytest

from dlp.config import GptScope, ScopeConfig, UserScope
from dlp.emulator.clock import FakeClock
from dlp.emulator.server import EmulatorServer
from dlp.emulator.settings import EmulatorSettings, FaultSettings
from dlp.ingest.logs import parse_time
from dlp.pipeline import scan
from dlp.store.db import query

from .conftest import NOW, scan_config

# The fake clocks below stand still while the client runs in real time without limits: no server limits either.
QUIET = dict(rate_limits_enabled=False)


def finding_ids(db) -> set[str]:
    return {r[0] for r in query(db, "SELECT finding_id FROM findings")[1]}


def fast_retries(config):
    # Retried 5xx and truncated bodies back off for milliseconds, not seconds.
    return config.replace(api=dataclasses.replace(config.api, backoff_cap_seconds=0.02, max_retries=10))


@pytest.fixture(scope="module")
def clean(clean_db):
    """The findings of a scan against a well-behaved emulator, once every log file is closed."""
    return finding_ids(clean_db)


def test_every_transient_fault_at_once_ends_with_the_clean_findings(clean, tmp_path):
    faults = FaultSettings(
        short_page_rate=0.3, server_error_rate=0.1, truncated_body_rate=0.05, duplicate_event_rate=0.3,
        late_delivery_max_minutes=20, slow_rate=0.02, slow_seconds=0.05,
    )  # fmt: skip
    clock = FakeClock(NOW)
    with EmulatorServer(EmulatorSettings(seed=7, faults=faults, **QUIET), clock=clock) as server:
        db = tmp_path / "faulty.duckdb"
        config = fast_retries(scan_config(server, db))
        first = asyncio.run(scan(config, server.api_key))
        assert first.status == "completed", first.errors
        statuses = {r.status for r in server.state.request_log}
        assert statuses & {500, 502, 503}, "the fault knobs did not fire"
        # Late events land in files that close after now: the next forward scan picks them up.
        clock.advance(timedelta(hours=1))
        asyncio.run(scan(config, server.api_key))
    assert finding_ids(db) == clean


def test_a_file_that_never_verifies_holds_its_stream_until_it_does(clean, tmp_path):
    clock = FakeClock(NOW + timedelta(hours=1))
    settings = EmulatorSettings(seed=7, faults=FaultSettings(sha_mismatch_rate=0.05), **QUIET)
    with EmulatorServer(settings, clock=clock) as server:
        db = tmp_path / "sha.duckdb"
        config = scan_config(server, db)
        report = asyncio.run(scan(config, server.api_key))
        assert report.status == "incomplete"
        assert any("sha256 mismatch" in e for e in report.errors)
        failed = query(db, "SELECT log_file_id, end_time, event_type FROM log_files WHERE status = 'failed'")[1]
        assert failed
        cursors = dict(query(db, "SELECT stream, value FROM cursors")[1])
        for _, end_time, event_type in failed:
            cursor = cursors.get(f"logs:{event_type}")
            # The cursor never passes the file that could not be verified.
            after = json.loads(cursor)["after"] if cursor else None
            assert after is None or parse_time(after) < parse_time(end_time)
        assert finding_ids(db) < clean
        # The listing is fixed upstream: the next scan resumes at the held file and completes.
        fixed = settings.replace(faults=FaultSettings())
        server.state.settings = fixed
        server.state.logs.settings = fixed
        again = asyncio.run(scan(config, server.api_key))
        assert again.status == "completed", again.errors
    assert finding_ids(db) == clean


def test_out_of_scope_users_and_gpts_are_never_fetched(emulator, tmp_path):
    truth = emulator.ground_truth
    upload_owner = next(p.user_id for p in truth if p.kind == "attachment" and p.user_id)
    gpt = next(p.gpt_id for p in truth if p.kind == "knowledge_file" and p.gpt_id)
    gpt_files = {p.file_id for p in truth if p.gpt_id == gpt and p.kind == "knowledge_file"}
    start = len(emulator.state.request_log)
    scope = ScopeConfig(users=UserScope(exclude=(upload_owner,)), gpts=GptScope(exclude=(gpt,)))
    config = scan_config(emulator, tmp_path / "scoped.duckdb").replace(scope=scope)
    report = asyncio.run(scan(config, emulator.api_key))
    assert report.status == "completed", report.errors
    assert report.out_of_scope["user_events"] > 0 and report.out_of_scope["gpts"] == 1
    paths = [r.path for r in emulator.state.request_log[start:]]
    assert not [p for p in paths if f"/users/{upload_owner}/" in p]  # neither its files nor its library
    assert not [p for p in paths if f"/gpts/{gpt}/" in p]
    assert not [p for p in paths if any(f"/gpt_files/{f}" in p for f in gpt_files)]
    stored = query(tmp_path / "scoped.duckdb", "SELECT count(*) FROM findings WHERE user_id = ? OR gpt_id = ?",
                   [upload_owner, gpt])[1]
    assert stored == [(0,)]


def test_a_forward_scan_with_nothing_new_lists_once_per_stream(emulator, tmp_path):
    config = scan_config(emulator, tmp_path / "forward.duckdb")
    asyncio.run(scan(config, emulator.api_key))
    start = len(emulator.state.request_log)
    again = asyncio.run(scan(config, emulator.api_key))
    assert again.findings_new == 0 and again.items == 0
    requests = [(r.path.rsplit("/", 1)[-1], r.query) for r in emulator.state.request_log[start:]]
    logs = [q for name, q in requests if name == "logs"]
    assert len(logs) == len(config.ingest.event_types)
    libraries = [name for name, _ in requests if name == "library_files"]
    assert len(libraries) == len([u for u in emulator.state.workspace.users if u.status == "active"])
    others = sorted(name for name, _ in requests if name not in ("logs", "library_files"))
    assert others == ["conversations", "gpts", "max_event_time", "projects", "users"]


@pytest.mark.parametrize("endpoint", ["absent", "gone", "live"])
def test_the_deprecated_conversations_listing_adds_nothing_twice(clean, tmp_path, endpoint):
    clock = FakeClock(NOW + timedelta(hours=1))
    settings = EmulatorSettings(seed=7, conversations_endpoint=endpoint, **QUIET)
    with EmulatorServer(settings, clock=clock) as server:
        config = scan_config(server, tmp_path / "conversations.duckdb")
        report = asyncio.run(scan(config, server.api_key))
        assert report.status == "completed", report.errors  # 404 and 410 alike: not served, not an error
        outcome = report.streams["conversations"]
        assert outcome.status == ("read" if endpoint == "live" else "not_served")
        listed = [r for r in server.state.request_log if r.path.endswith("/conversations")]
        assert listed and all(r.status == {"absent": 404, "gone": 410, "live": 200}[endpoint] for r in listed)
        if endpoint == "live":
            assert query(tmp_path / "conversations.duckdb",
                         "SELECT count(*) FROM items WHERE source = 'conversations'")[1][0][0] > 0
    assert finding_ids(tmp_path / "conversations.duckdb") == clean
