"""A default scan against the emulator's documented defaults: rate limits on, admin keys with per-category
permissions, uploads only in the users' libraries, `after` strictly later. Time is virtual: the client's
waits move the emulator's fake clock, so minutes of rate-limited traffic take seconds."""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest

from dlp.config import ScanConfig
from dlp.emulator.clock import FakeClock, VirtualTime
from dlp.emulator.server import EmulatorServer
from dlp.emulator.settings import DEFAULT_API_KEY, EmulatorSettings
from dlp.ingest.ratelimit import route_key
from dlp.pipeline import ScanStatus, scan
from dlp.store.db import query

from .test_demo_scan import findings

NOW = datetime.now(timezone.utc).replace(microsecond=0)


def default_config(server: EmulatorServer, db, **ingest) -> ScanConfig:
    """The default configuration, pointed at the emulator: the client's own rate limits stay on."""
    config = ScanConfig(workers=0)
    config = config.replace(
        api=dataclasses.replace(config.api, url=server.base_url, workspace_id=server.workspace_id),
        store=dataclasses.replace(config.store, database=str(db)),
    )
    return config.replace(ingest=dataclasses.replace(config.ingest, **ingest)) if ingest else config


def scan_in_virtual_time(server: EmulatorServer, config: ScanConfig, key: str | None = None):
    virtual = VirtualTime(server.clock)
    report = virtual.run(scan(config, key or server.api_key, transport=virtual.transport(), clock=virtual.now,
                              sleep=virtual.sleep))
    return report, virtual


def busiest_rolling_minute(times: list[datetime]) -> int:
    times = sorted(times)
    best = first = 0
    for last, t in enumerate(times):
        while times[first] <= t - timedelta(seconds=60):
            first += 1
        best = max(best, last - first + 1)
    return best


@pytest.fixture(scope="module")
def documented(tmp_path_factory):
    """One default scan of the default emulator; the log downloads alone exceed a minute's allowance."""
    clock = FakeClock(NOW)
    with EmulatorServer(EmulatorSettings(seed=7), clock=clock) as server:
        db = tmp_path_factory.mktemp("documented") / "findings.duckdb"
        report, virtual = scan_in_virtual_time(server, default_config(server, db))
        yield server, db, report, virtual


def test_a_default_scan_completes_without_a_single_429(documented):
    server, _, report, virtual = documented
    assert report.status == ScanStatus.COMPLETED, report.errors
    assert report.throttled == 0 and not [r for r in server.state.request_log if r.status == 429]
    assert virtual.now() > 60.0  # the pacing was real: more than a minute's allowance on one route


def test_no_route_ever_sees_more_than_its_limit_in_a_rolling_minute(documented):
    server, _, _, _ = documented
    per_route: dict[str, list[datetime]] = {}
    for record in server.state.request_log:
        if record.path.startswith("/v1/compliance/") and record.status != 429:
            per_route.setdefault(route_key(record.method, record.path), []).append(record.time)
    downloads = [r for r in per_route if r.endswith("/logs/{id}")]
    assert downloads and max(len(per_route[r]) for r in downloads) > 100
    for route, times in per_route.items():
        limit = 50 if route.split("/")[-1] in ("users", "gpts", "projects", "conversations", "configs") else 100
        assert busiest_rolling_minute(times) <= limit, route


def test_uploads_are_found_through_the_library_and_fetched_once(documented):
    server, db, _, _ = documented
    uploads = [f for f in server.state.workspace.files.values() if f.owner_kind == "user"]
    fetched = Counter(r.path.rsplit("/", 1)[-1] for r in server.state.request_log if "/files/" in r.path)
    assert all(fetched[f.id] == 1 for f in uploads)  # every upload exactly once: none is referenced by a message
    outcomes = dict(query(db, "SELECT file_id, outcome FROM files")[1])
    library_only = [f for f in uploads if f.conversation_id is None]
    assert library_only and all(outcomes[f.id] == "scanned" for f in library_only)


def test_agent_events_are_attributed_to_their_delegating_user(documented):
    server, db, _, _ = documented
    truth = [p for p in server.ground_truth if p.kind == "log_event" and p.valid]
    stored = findings(db)
    by_item = {f["item_id"]: f for f in stored}
    for planted in truth:
        finding = by_item.get(f"event:{planted.event_id}")
        assert finding is not None and finding["user_id"] == planted.user_id, planted


def test_a_second_default_scan_reads_nothing_twice(documented, tmp_path):
    server, db, _, _ = documented
    again, _ = scan_in_virtual_time(server, default_config(server, db))
    assert again.status == ScanStatus.COMPLETED and again.findings_new == 0 and again.log_files == 0


def test_a_server_allowing_only_50_a_minute_is_waited_out_not_failed(tmp_path):
    """The vendors' figure: 429s are waited out (Retry-After), never counted as faults; the route slows to 50."""
    clock = FakeClock(NOW)
    with EmulatorServer(EmulatorSettings(seed=7, logs_rate_per_minute=50), clock=clock) as server:
        config = default_config(server, tmp_path / "fifty.duckdb")
        config = config.replace(api=dataclasses.replace(config.api, max_retries=0))  # no fault retry at all
        report, _ = scan_in_virtual_time(server, config)
    assert report.status == ScanStatus.COMPLETED, report.errors
    assert 0 < report.throttled <= 8  # a handful per route, then it keeps to the server's pace
    assert any("/logs/{id}" in w and "50/min" in w for w in report.warnings)


def test_a_scan_that_would_wait_past_its_429_budget_stops_the_stream_and_ends_incomplete(tmp_path):
    clock = FakeClock(NOW)
    with EmulatorServer(EmulatorSettings(seed=7, logs_rate_per_minute=20), clock=clock) as server:
        config = default_config(server, tmp_path / "budget.duckdb", event_types=("CONVERSATION_MESSAGE",))
        config = config.replace(api=dataclasses.replace(config.api, throttle_budget_seconds=30))
        report, _ = scan_in_virtual_time(server, config)
    assert report.status == ScanStatus.INCOMPLETE
    assert report.streams["logs:CONVERSATION_MESSAGE"].status == "stopped"
    assert any("throttle_budget_seconds" in e for e in report.errors)
    assert report.streams["gpts"].status == "read"  # the other streams went on


MESSAGES_ONLY = "sk-admin-messages-only-000000000001"


def test_a_missing_permission_forbids_its_stream_only_and_the_scan_ends_incomplete(tmp_path):
    keys = {DEFAULT_API_KEY: frozenset({"read"}),
            MESSAGES_ONLY: frozenset({"logs:CONVERSATION_MESSAGE", "logs:APP_LOG", "stateful:users",
                                      "stateful:library_files", "stateful:files", "stateful:gpts"})}
    clock = FakeClock(NOW)
    with EmulatorServer(EmulatorSettings(seed=7, api_keys=keys), clock=clock) as server:
        db = tmp_path / "partial.duckdb"
        report, _ = scan_in_virtual_time(server, default_config(server, db), key=MESSAGES_ONLY)
    assert report.status == ScanStatus.INCOMPLETE
    forbidden = set(report.forbidden)
    assert forbidden == {"logs:CODEX_LOG", "logs:CUSTOM_AGENTS_LOG", "logs:CHATGPT_PLUGIN_DOCUMENT",
                         "logs:CHATGPT_PLUGIN_PRESENTATION", "logs:CHATGPT_PLUGIN_SPREADSHEET", "projects"}
    assert report.streams["gpts"].status == "read" and report.streams["library_files"].status == "read"
    assert "compliance_logs_platform.codex_log.read" in report.streams["logs:CODEX_LOG"].detail
    recorded = query(db, "SELECT stage, object_id FROM scan_errors")[1]
    assert {obj for stage, obj in recorded if stage == "forbidden"} == forbidden
    kinds = {r[0] for r in query(db, "SELECT DISTINCT item_kind FROM findings")[1]}
    assert {"message", "attachment", "app_log", "knowledge_file"} <= kinds and "log_event" not in kinds


def test_a_key_that_may_read_nothing_fails_the_scan_with_both_causes_named(tmp_path):
    clock = FakeClock(NOW)
    with EmulatorServer(EmulatorSettings(seed=7), clock=clock) as server:
        config = default_config(server, tmp_path / "nothing.duckdb")
        config = config.replace(api=dataclasses.replace(config.api, workspace_id="00000000-0000-4000-8000-000000000000"))
        with pytest.raises(Exception) as failed:
            scan_in_virtual_time(server, config)
    message = str(failed.value)
    assert "403" in message and "api.workspace_id" in message and "Admin keys" in message


@pytest.mark.parametrize("inclusive", [False, True])
def test_either_reading_of_after_gives_the_same_findings_and_no_re_download(documented, tmp_path, inclusive):
    server, clean_db, _, _ = documented
    clean = {f["finding_id"] for f in findings(clean_db)}
    clock = FakeClock(NOW)
    settings = EmulatorSettings(seed=7, logs_after_inclusive=inclusive, rate_limits_enabled=False)
    with EmulatorServer(settings, clock=clock) as emulator:
        db = tmp_path / "after.duckdb"
        config = default_config(emulator, db)
        first, _ = scan_in_virtual_time(emulator, config)
        start = len(emulator.state.request_log)
        second, _ = scan_in_virtual_time(emulator, config)
        downloads = [r for r in emulator.state.request_log[start:] if "/logs/" in r.path
                     and "max_event_time" not in r.path]
    assert first.status == second.status == ScanStatus.COMPLETED
    assert not downloads and second.log_files == 0
    assert {f["finding_id"] for f in findings(db)} == clean


def test_message_files_in_the_logs_and_the_library_lead_to_one_fetch_per_upload(documented, tmp_path):
    _, clean_db, _, _ = documented
    clock = FakeClock(NOW)
    settings = EmulatorSettings(seed=7, message_files_in_logs=True, rate_limits_enabled=False)
    with EmulatorServer(settings, clock=clock) as emulator:
        db = tmp_path / "both.duckdb"
        report, _ = scan_in_virtual_time(emulator, default_config(emulator, db))
        fetched = Counter(r.path.rsplit("/", 1)[-1] for r in emulator.state.request_log if "/files/" in r.path)
    assert report.status == ScanStatus.COMPLETED
    assert fetched and max(fetched.values()) == 1
    assert {f["finding_id"] for f in findings(db)} == {f["finding_id"] for f in findings(clean_db)}


def test_an_unknown_event_type_is_read_counted_and_its_ids_stored(tmp_path):
    clock = FakeClock(NOW)
    with EmulatorServer(EmulatorSettings(seed=7, rate_limits_enabled=False), clock=clock) as server:
        event = {"event_id": "5b0c7a52-0000-4000-8000-00000000f00d", "type": "CHATGPT_PLUGIN_NOTEBOOK",
                 "timestamp": NOW.isoformat().replace("+00:00", "Z"),
                 "actor": {"type": "ACCOUNT_USER", "user_id": server.state.workspace.users[0].id},
                 "event_details": {"prompt_text": "Use card 4539 1488 0343 6467 for the test order."}}
        server.state.logs.append_live("CHATGPT_PLUGIN_NOTEBOOK", event, clock.now())
        clock.advance(timedelta(minutes=10))  # its log file closes
        db = tmp_path / "unknown.duckdb"
        config = default_config(server, db, event_types=("CHATGPT_PLUGIN_NOTEBOOK",))
        report, _ = scan_in_virtual_time(server, config)
    assert report.status == ScanStatus.COMPLETED, report.errors
    assert report.unknown_event_types == Counter({"CHATGPT_PLUGIN_NOTEBOOK": 1})
    assert query(db, "SELECT event_type FROM events WHERE event_id = ?", [event["event_id"]])[1] == [
        ("CHATGPT_PLUGIN_NOTEBOOK",)]
    found = query(db, "SELECT entity, user_id FROM findings WHERE item_id = ?", [f"event:{event['event_id']}"])[1]
    assert ("CREDIT_CARD", event["actor"]["user_id"]) in found


def test_the_organization_scope_is_read_for_the_types_it_serves_and_check_names_each_scope(tmp_path):
    from dlp.check import run_check
    from dlp.ingest.http import ComplianceClient

    clock = FakeClock(NOW)
    with EmulatorServer(EmulatorSettings(seed=7, rate_limits_enabled=False), clock=clock) as server:
        config = default_config(server, tmp_path / "org.duckdb", event_types=("CONVERSATION_MESSAGE",),
                                organization_event_types=("COSTS",))
        config = config.replace(api=dataclasses.replace(config.api, organization_id=server.organization_id))
        report, virtual = scan_in_virtual_time(server, config)

        async def check():
            async with ComplianceClient(config.api, server.api_key) as client:
                return await run_check(config, client)

        result = virtual.run(check())
    assert report.status == ScanStatus.COMPLETED, report.errors
    assert report.streams["org-logs:COSTS"].status == "read" and report.streams["org-logs:COSTS"].units > 0
    # a workspace category at the organization route answers 400 naming the right scope: not served, no error
    assert report.streams["org-logs:CONVERSATION_MESSAGE"].status == "not_served"
    assert report.streams["logs:CONVERSATION_MESSAGE"].status == "read"
    lines = {what: (status, detail) for status, what, detail in result.lines}
    assert lines["logs COSTS (organization)"][0] == "ok" and "organization scope" in lines["logs COSTS (organization)"][1]
    assert lines["logs CONVERSATION_MESSAGE (organization)"][1].startswith("not served at organization scope")
    assert "workspace scope" in lines["logs CONVERSATION_MESSAGE"][1] and result.ok
