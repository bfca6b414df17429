"""The yardstick: a default `dlp scan` against an independent server built from the public samples, at 100
requests per rolling minute per route, finds every planted value, attributes each to its user, and provokes
no 429. Time is virtual (the server's fake clock moves when the client waits)."""

from __future__ import annotations

import dataclasses
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest

from dlp.config import ScanConfig
from dlp.emulator.clock import FakeClock, VirtualTime
from dlp.evidence import Fingerprinter
from dlp.pipeline import ScanStatus, scan
from dlp.store.db import query

from .server import API_KEY, CONTENT_TYPES, PER_MINUTE, WORKSPACE, ContractServer


@pytest.fixture(scope="module")
def scanned(tmp_path_factory):
    clock = FakeClock(datetime.now(timezone.utc).replace(microsecond=0))
    with ContractServer(clock) as server:
        db = tmp_path_factory.mktemp("contract") / "findings.duckdb"
        config = ScanConfig(workers=0)
        config = config.replace(
            api=dataclasses.replace(config.api, url=server.base_url, workspace_id=WORKSPACE),
            store=dataclasses.replace(config.store, database=str(db)),
        )
        virtual = VirtualTime(clock)
        report = virtual.run(scan(config, API_KEY, transport=virtual.transport(), clock=virtual.now,
                                  sleep=virtual.sleep))
        yield server, db, report, virtual


def test_the_default_scan_completes(scanned):
    _, _, report, virtual = scanned
    assert report.status == ScanStatus.COMPLETED, report.errors
    assert virtual.now() > 60  # more than a minute's allowance: the client had to pace itself


def test_every_planted_value_is_found_and_attributed_to_its_user(scanned):
    server, db, _, _ = scanned
    fingerprint = Fingerprinter(Fingerprinter.key_for_database(db))
    found = {(fp, user) for fp, user in query(db, "SELECT fingerprint, user_id FROM findings")[1]}
    planted = server.plants
    assert {p.where for p in planted} == set(CONTENT_TYPES) | {"library_file"}
    missing = [(p.where, p.entity) for p in planted if (fingerprint(p.value), p.user_id) not in found]
    assert not missing, f"{len(planted) - len(missing)} of {len(planted)} planted values found; missing {missing}"


def test_no_429_and_no_rolling_minute_over_the_limit_on_any_route(scanned):
    server, _, report, _ = scanned
    assert report.throttled == 0
    assert not [r for r in server.requests if r.status == 429]
    by_route: dict[str, list[datetime]] = {}
    for r in server.requests:
        by_route.setdefault(r.route, []).append(r.at)
    downloads = by_route["GET /v1/compliance/workspaces/{workspace_id}/logs/{log_file_id}"]
    assert len(downloads) > PER_MINUTE
    for route, times in by_route.items():
        times.sort()
        busiest = max(sum(1 for t in times if start <= t < start + timedelta(seconds=60)) for start in times)
        assert busiest <= PER_MINUTE, route


def test_listing_entries_with_only_an_id_are_downloaded_and_recorded(scanned):
    server, db, _, _ = scanned
    id_only = [f.id for f in server.data.logs["CHATGPT_PLUGIN_SPREADSHEET"]]
    recorded = dict(query(db, "SELECT log_file_id, status FROM log_files")[1])
    assert all(recorded.get(i) == "processed" for i in id_only)


def test_every_log_file_is_read_once_and_the_summary_says_how_current_each_type_is(scanned):
    server, db, report, _ = scanned
    counts = Counter(r[0] for r in query(db, "SELECT event_type FROM log_files")[1])
    assert all(counts[t] == len(server.data.logs[t]) for t in CONTENT_TYPES)
    downloads = [r for r in server.requests if r.route.endswith("{log_file_id}")]
    assert len(downloads) == sum(len(server.data.logs[t]) for t in CONTENT_TYPES)  # none twice
    assert all("min behind" in report.streams[f"logs:{t}"].freshness for t in CONTENT_TYPES)
    assert report.streams["conversations"].status == "not_served"
