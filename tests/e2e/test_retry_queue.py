"""No finding lost to a transient fault: what failed goes to the retry queue, later scans work it first, and
it ends in a true final outcome (the file's own, `expired` only when the API says so, or given up with its
reason once retry.max_attempts is spent)."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
from datetime import timedelta

import pytest

from dlp.config import DEFAULT_EVENT_TYPES, RetryConfig, ScanConfig
from dlp.emulator.clock import FakeClock, VirtualTime
from dlp.emulator.server import EmulatorServer
from dlp.emulator.settings import EmulatorSettings, FaultSettings
from dlp.ingest.http import ComplianceClient
from dlp.inspect import InspectorPool
from dlp.pipeline import Scanner, ScanStatus, inspector_spec, scan
from dlp.records import FileRef, Item, ItemKind
from dlp.store.db import Batch, Store, query

from .conftest import NOW, scan_config

QUIET = dict(rate_limits_enabled=False)  # real time, a client without limits: no server limits either
FILES_DOWN = FaultSettings(server_error_rate=1.0, fault_routes=("files",))  # every file download: 5xx


def finding_ids(db) -> set[str]:
    return {r[0] for r in query(db, "SELECT finding_id FROM findings")[1]}


def file_outcomes(db) -> dict[str, str]:
    return dict(query(db, "SELECT file_id, outcome FROM files")[1])


def queue(db) -> dict[tuple[str, str], tuple[str, int, str | None]]:
    rows = query(db, "SELECT unit_kind, unit_id, state, attempts, outcome FROM retry_queue")[1]
    return {(kind, unit): (state, attempts, outcome) for kind, unit, state, attempts, outcome in rows}


def no_retries(config, **retry):
    config = config.replace(api=dataclasses.replace(config.api, max_retries=0, backoff_cap_seconds=0.01))
    return config.replace(retry=RetryConfig(**retry)) if retry else config


def files_only(config):
    """No log category: the files come from the users' libraries, GPTs and projects (a quicker scan)."""
    return config.replace(ingest=dataclasses.replace(config.ingest, event_types=()))


def heal(server: EmulatorServer, **changes) -> None:
    """The API recovers: the same workspace, served without faults from now on."""
    fixed = server.state.settings.replace(faults=FaultSettings(), **changes)
    server.state.settings = fixed
    server.state.logs.settings = fixed


@pytest.fixture
def faulty_server():
    def start(faults: FaultSettings, **settings) -> EmulatorServer:
        clock = FakeClock(NOW)
        server = EmulatorServer(EmulatorSettings(seed=7, faults=faults, **{**QUIET, **settings}), clock=clock)
        clock.advance(timedelta(hours=1))
        return server

    return start


@pytest.mark.parametrize("files_in_messages", [
    True,  # uploads named by message events (the log stream's cursor moves on), in libraries, GPT/project files
    pytest.param(False, marks=pytest.mark.slow),  # the documented default: uploads from the libraries only
])  # fmt: skip
def test_files_that_failed_to_download_are_fetched_by_the_next_scan(clean_db, faulty_server, tmp_path,
                                                                    files_in_messages):
    # The reproduction: file downloads answer 5xx for one scan, with no retries in the client.
    with faulty_server(FILES_DOWN, message_files_in_logs=files_in_messages) as server:
        db = tmp_path / "files-down.duckdb"
        config = no_retries(scan_config(server, db))
        first = asyncio.run(scan(config, server.api_key, now=server.clock.now))
        assert first.status == ScanStatus.INCOMPLETE
        waiting = [f for f, outcome in file_outcomes(db).items() if outcome == "pending_retry"]
        assert waiting and set(waiting) == set(file_outcomes(clean_db))  # not one file is final yet
        assert {state for state, _, _ in queue(db).values()} == {"pending"}
        assert first.retry_pending == len(waiting)
        found_by = {r[0] for r in query(db, "SELECT DISTINCT stream FROM retry_queue")[1]}
        assert {"library_files", "gpts", "projects"} <= found_by
        assert ("logs:CONVERSATION_MESSAGE" in found_by) == files_in_messages
        assert finding_ids(db) < finding_ids(clean_db)

        heal(server)
        start = len(server.state.request_log)
        second = asyncio.run(scan(config, server.api_key, now=server.clock.now))
        assert second.status == ScanStatus.COMPLETED, second.errors
        assert second.streams["retry_queue"].units == len(waiting)
        downloads = [r.path for r in server.state.request_log[start:] if "/files/" in r.path or "_files/" in r.path]
        assert len(downloads) == len(waiting)  # each queued file fetched once, by the queue
    assert finding_ids(db) == finding_ids(clean_db)
    assert file_outcomes(db) == file_outcomes(clean_db)  # the expired upload too: the API said 410
    assert {v[0] for v in queue(db).values()} == {"done"}


def test_an_upload_fetched_with_single_use_urls_and_cut_bodies_is_never_called_expired(clean_db, faulty_server,
                                                                                       tmp_path):
    faults = FaultSettings(truncated_body_rate=0.3)
    with faulty_server(faults, signed_url_single_use=True) as server:
        db = tmp_path / "single-use.duckdb"
        config = scan_config(server, db)
        config = config.replace(api=dataclasses.replace(config.api, max_retries=12, backoff_cap_seconds=0.01))
        report = asyncio.run(scan(config, server.api_key, now=server.clock.now))
        assert report.status == ScanStatus.COMPLETED, report.errors
        refused = [r for r in server.state.request_log if r.path.startswith("/_blob/") and r.status == 403]
        assert not refused  # every retry asked the API for a fresh URL instead of reusing a spent one
    assert file_outcomes(db) == file_outcomes(clean_db)
    assert finding_ids(db) == finding_ids(clean_db)


def test_a_file_that_keeps_failing_is_given_up_with_its_reason_and_can_be_queued_again(clean_db, faulty_server,
                                                                                        tmp_path):
    with faulty_server(FILES_DOWN) as server:
        db = tmp_path / "given-up.duckdb"
        config = no_retries(scan_config(server, db), max_attempts=2)
        first = asyncio.run(scan(files_only(config), server.api_key, now=server.clock.now))
        assert first.status == ScanStatus.INCOMPLETE and first.retry_pending > 0
        second = asyncio.run(scan(files_only(config), server.api_key, now=server.clock.now))
        # Nothing is left for a later scan: completed, the giving-up said in the summary and kept in the tables.
        assert second.status == ScanStatus.COMPLETED and second.retry_pending == 0
        assert second.retry_queue["given_up"] == first.retry_pending
        assert any("given up" in w for w in second.warnings)
        rows = query(db, "SELECT f.outcome, f.reason, q.state, q.attempts, q.last_error FROM files f "
                         "JOIN retry_queue q ON q.unit_id = f.file_id")[1]  # fmt: skip
        assert {(outcome, state, attempts) for outcome, _, state, attempts, _ in rows} == {
            ("fetch_failed", "given_up", 2), ("expired", "given_up", 2)  # the old upload is past its 48 h anyway
        }
        assert all("gave up after 2 attempts" in reason and "HTTP 5" in error for _, reason, _, _, error in rows)
        # The outage is over: the README's two statements queue them again, and the next scan reads them.
        with Store(db) as store:
            store.con.execute("UPDATE retry_queue SET state = 'pending', attempts = 0, next_attempt_at = now() "
                              "WHERE state = 'given_up' AND unit_kind <> 'log_file'")
            store.con.execute("UPDATE files SET outcome = 'pending_retry' WHERE file_id IN (SELECT unit_id FROM "
                              "retry_queue WHERE unit_kind = 'file' AND state = 'pending')")  # fmt: skip
        heal(server)
        third = asyncio.run(scan(config, server.api_key, now=server.clock.now))
    assert third.status == ScanStatus.COMPLETED
    assert finding_ids(db) == finding_ids(clean_db) and file_outcomes(db) == file_outcomes(clean_db)


def test_files_the_key_may_not_read_wait_for_the_permission_without_spending_the_budget(clean_db, faulty_server,
                                                                                        tmp_path):
    no_files = frozenset({*(f"logs:{t}" for t in DEFAULT_EVENT_TYPES), "stateful:users", "stateful:library_files",
                          "stateful:gpts", "stateful:projects", "stateful:conversations"})  # fmt: skip
    with faulty_server(FaultSettings(), api_keys={"sk-no-files-0000000000000001": no_files}) as server:
        db = tmp_path / "no-files.duckdb"
        config = no_retries(scan_config(server, db), max_attempts=1)  # a transient failure would be given up at once
        for _ in range(2):
            report = asyncio.run(scan(files_only(config), server.api_key, now=server.clock.now))
            assert report.status == ScanStatus.INCOMPLETE and "files:user" in report.forbidden
            assert {v[:2] for v in queue(db).values()} == {("pending", 0)}
        server.state.settings = server.state.settings.replace(api_keys={server.api_key: no_files | {"stateful:files"}})
        granted = asyncio.run(scan(config, server.api_key, now=server.clock.now))
    assert granted.status == ScanStatus.COMPLETED, granted.errors
    assert finding_ids(db) == finding_ids(clean_db) and file_outcomes(db) == file_outcomes(clean_db)


def test_a_failing_unit_waits_for_its_backoff_between_scans(faulty_server, tmp_path):
    with faulty_server(FILES_DOWN) as server:
        db = tmp_path / "backoff.duckdb"
        config = files_only(no_retries(scan_config(server, db), max_attempts=5, backoff_seconds=600))
        run = lambda: asyncio.run(scan(config, server.api_key, now=server.clock.now))  # noqa: E731
        run()  # attempt 1
        run()  # attempt 2: the next scan tries at once
        attempts = {v[1] for v in queue(db).values()}
        assert attempts == {2}
        start = len(server.state.request_log)
        waiting = run()  # 10 minutes have not passed: not tried
        assert waiting.status == ScanStatus.INCOMPLETE and waiting.retry_pending > 0
        assert not [r for r in server.state.request_log[start:] if "files/" in r.path]
        assert {v[1] for v in queue(db).values()} == {2}
        server.clock.advance(timedelta(seconds=601))
        heal(server)
        done = run()
    assert done.status == ScanStatus.COMPLETED and {v[0] for v in queue(db).values()} == {"done"}


def test_gpts_and_projects_whose_configs_failed_are_queued_and_read_by_the_next_scan(clean_db, faulty_server,
                                                                                     tmp_path):
    configs = ("/gpts/{gpt_id}/configs", "/projects/{project_id}/configs")
    faults = FaultSettings(server_error_rate=1.0, fault_routes=configs)
    with faulty_server(faults) as server:
        db = tmp_path / "configs-down.duckdb"
        config = no_retries(scan_config(server, db))
        first = asyncio.run(scan(config, server.api_key, now=server.clock.now))
        containers = len(server.state.workspace.gpts) + len(server.state.workspace.projects)
        assert first.status == ScanStatus.INCOMPLETE
        # Each failed on its own and waits in the queue; the streams went on to the next one.
        assert first.streams["gpts"].status == "read" and first.streams["projects"].status == "read"
        assert [v[:2] for k, v in queue(db).items() if k[0] in ("gpt", "project")] == [("pending", 1)] * containers
        heal(server)
        deleted = server.state.workspace.gpts[0].id  # deleted meanwhile: the queue finds it gone, and ends it
        server.state.deletions.assistants.add(deleted)
        second = asyncio.run(scan(config, server.api_key, now=server.clock.now))
        assert second.status == ScanStatus.COMPLETED, second.errors
        assert second.streams["retry_queue"].units == containers
    rows = queue(db)
    assert rows.pop(("gpt", deleted)) == ("done", 2, "not_found")
    assert {v[:3:2] for k, v in rows.items() if k[0] in ("gpt", "project")} == {("done", "read")}
    missed = finding_ids(clean_db) - finding_ids(db)
    assert not finding_ids(db) - finding_ids(clean_db)
    assert missed == {r[0] for r in query(clean_db, "SELECT finding_id FROM findings WHERE gpt_id = ?", [deleted])[1]}


def test_inspection_stopped_while_files_download_leaves_no_fetch_behind(faulty_server, tmp_path):
    # A stream that stops cancels the unit it was preparing: the unit's own file fetches must stop with it,
    # not run on unheard (their errors printed later as "Task exception was never retrieved").
    faults = FaultSettings(slow_rate=1.0, slow_seconds=1.0, fault_routes=("files",))
    with faulty_server(faults) as server:
        config = scan_config(server, tmp_path / "cancelled.duckdb")
        files = [f for f in server.state.workspace.files.values() if f.owner_kind == "gpt"]
        items = [Item(item_id=f"file:{f.id}", kind=ItemKind.KNOWLEDGE_FILE, workspace_id=server.workspace_id,
                      source="gpts", gpt_id=f.owner_id, file_id=f.id, file_ref=FileRef(f.id, f.name, "gpt"))
                 for f in files]  # fmt: skip
        pool = InspectorPool(inspector_spec(config, b"k" * 32), workers=0)

        async def stop_mid_download() -> list[asyncio.Task]:
            async with ComplianceClient(config.api, server.api_key) as client:
                with Store(config.store.database) as store:
                    scanner = Scanner(config, client, pool, store)
                    inspection = asyncio.create_task(scanner.inspect_items(items, Batch()))
                    asked = lambda: [r for r in server.state.request_log if "/gpt_files/" in r.path]  # noqa: E731
                    while not asked() and not inspection.done():
                        await asyncio.sleep(0.01)
                    inspection.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await inspection
                    return [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]

        try:
            left = asyncio.run(stop_mid_download())
        finally:
            pool.close()
    assert len(items) > 1 and left == []


def test_each_item_is_inspected_and_counted_once_with_duplicate_events(faulty_server, tmp_path):
    # Log files are prepared a few at a time; an event delivered in two of them, or an upload two messages
    # name, is inspected by one. The count a first scan reports is then what it stored, run after run.
    with faulty_server(FaultSettings(duplicate_event_rate=0.5), message_files_in_logs=True) as server:
        db = tmp_path / "duplicates.duckdb"
        report = asyncio.run(scan(scan_config(server, db), server.api_key, now=server.clock.now))
    assert report.items == query(db, "SELECT count(*) FROM items")[1][0][0]
    assert sum(report.files.values()) == query(db, "SELECT count(*) FROM files")[1][0][0]


def test_a_killed_scan_is_marked_interrupted_by_the_next_one_with_when_it_was_last_seen(tmp_path):
    db = tmp_path / "killed.duckdb"
    with Store(db) as store:
        store.start_scan("dead", api_url="u", workspace_id="ws", mode="forward")
        store.commit("dead", Batch(cursors={"logs:X": {"after": "t"}}))
        seen = store.con.execute("SELECT last_seen_at FROM scans WHERE scan_id = 'dead'").fetchone()[0]
    # the process died here: nothing marked it
    with Store(db) as store:
        abandoned = store.start_scan("next", api_url="u", workspace_id="ws", mode="forward")
    assert abandoned == [("dead", seen)]
    status, finished, message = query(db, "SELECT status, finished_at, message FROM scans WHERE scan_id = 'dead'")[1][0]
    assert status == "interrupted" and finished == seen
    assert "last seen alive at" in message and "next" in message


# -- the yardstick: every fault knob at once --------------------------------------------------------

EVERY_FAULT = FaultSettings(
    short_page_rate=0.3, server_error_rate=0.1, slow_rate=0.02, slow_seconds=1.0, truncated_body_rate=0.1,
    sha_mismatch_rate=0.05, duplicate_event_rate=0.3, late_delivery_max_minutes=20,
)  # fmt: skip
# Server limits below the client's documented ones (50, 100, 100 a minute): the API answers 429 too.
TIGHT_LIMITS = dict(rate_limits_enabled=True, list_rate_per_minute=30, item_rate_per_minute=60,
                    logs_rate_per_minute=60, signed_url_single_use=True)  # fmt: skip


def scan_with_every_fault(server: EmulatorServer, db):
    """A scan with the client's own limits on, in virtual time; `slow` answers outlast its timeout."""
    config = ScanConfig(workers=0)
    config = config.replace(
        api=dataclasses.replace(config.api, url=server.base_url, workspace_id=server.workspace_id,
                                timeout_seconds=0.5, max_retries=10),
        store=dataclasses.replace(config.store, database=str(db)),
    )  # fmt: skip
    virtual = VirtualTime(server.clock)
    return virtual.run(scan(config, server.api_key, transport=virtual.transport(), clock=virtual.now,
                            sleep=virtual.sleep, now=server.clock.now))  # fmt: skip


def assert_no_wrong_final_outcome(db, clean_db) -> None:
    expected = file_outcomes(clean_db)
    for file_id, outcome in file_outcomes(db).items():
        assert outcome in (expected[file_id], "pending_retry"), (file_id, outcome, expected[file_id])


@pytest.mark.slow
def test_every_fault_but_hash_mismatches_and_the_first_scan_alone_has_the_clean_findings(clean_db, faulty_server,
                                                                                         tmp_path):
    faults = dataclasses.replace(EVERY_FAULT, sha_mismatch_rate=0.0)
    with faulty_server(faults, **TIGHT_LIMITS) as server:
        db = tmp_path / "every-fault.duckdb"
        report = scan_with_every_fault(server, db)
        statuses = {r.status for r in server.state.request_log}
        assert {429, 500, 502, 503} <= statuses and report.throttled and report.retries  # the knobs fired
    assert report.status == ScanStatus.COMPLETED, report.errors
    assert finding_ids(db) == finding_ids(clean_db)
    assert file_outcomes(db) == file_outcomes(clean_db)
    assert report.items == query(db, "SELECT count(*) FROM items")[1][0][0]


@pytest.mark.slow
def test_every_fault_then_one_clean_scan_has_the_clean_findings(clean_db, faulty_server, tmp_path):
    with faulty_server(EVERY_FAULT, **TIGHT_LIMITS) as server:
        db = tmp_path / "every-fault-then-clean.duckdb"
        first = scan_with_every_fault(server, db)
        # Log files that never verify stop their streams, recorded; nothing final is wrong meanwhile.
        assert first.status == ScanStatus.INCOMPLETE
        assert any("sha256 mismatch" in e for e in first.errors)
        assert query(db, "SELECT count(*) FROM log_files WHERE status = 'failed'")[1][0][0] > 0
        assert_no_wrong_final_outcome(db, clean_db)
        heal(server)
        second = scan_with_every_fault(server, db)
    assert second.status == ScanStatus.COMPLETED, second.errors
    assert finding_ids(db) == finding_ids(clean_db)
    assert file_outcomes(db) == file_outcomes(clean_db)
    assert {state for state, _, _ in queue(db).values()} <= {"done"}
