"""A real scan of the emulator with a suppression file, a webhook receiver and a readers' snapshot.

What the SOC gets: alerts queued in the commits that store their findings and sent after them,
once; the reviewed file's fingerprint recorded as suppressed and never alerted; exports and alert
bodies without a single planted raw value; a second scan that sends nothing again.
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
import json

import pytest

from dlp.config import AlertsConfig, TriageConfig, WebhookReceiver
from dlp.emulator.server import EmulatorServer
from dlp.emulator.settings import EmulatorSettings
from dlp.evidence import Fingerprinter
from dlp.export import FORMATS, Selection, export
from dlp.pipeline import scan
from dlp.store.db import Store, query
from dlp.store.readonly import snapshot_path
from tests.alerts.receiver import Receiver
from tests.e2e.conftest import scan_config


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("soc")
    db = tmp / "findings.duckdb"
    receiver = Receiver()
    # Rate limits off: the client runs without limits against it, in real time.
    with EmulatorServer(EmulatorSettings(seed=7, rate_limits_enabled=False)) as server:
        card = next(p for p in server.ground_truth if p.entity == "CREDIT_CARD" and p.valid)
        fingerprint = Fingerprinter(Fingerprinter.key_for_database(db))(card.value)
        suppressions = tmp / "suppressions.yaml"
        suppressions.write_text(f"# reviewed\n{fingerprint}: the checkout team's test card\n")
        hook = WebhookReceiver(name="soc", url=receiver.url, min_severity="high", max_per_minute=1000, max_batch=50)
        config = scan_config(server, db)
        config = config.replace(
            alerts=AlertsConfig(receivers=(hook,), deliver_seconds=30),
            triage=TriageConfig(suppression_files=(str(suppressions),)),
            store=dataclasses.replace(config.store, snapshot=True),
        )
        messages: list[str] = []
        report = asyncio.run(scan(config, server.api_key, progress=messages.append))
        yield dict(db=db, server=server, receiver=receiver, config=config, report=report, messages=messages,
                   fingerprint=fingerprint, suppressions=suppressions)  # fmt: skip
    receiver.close()


def test_the_scan_queues_alerts_for_what_the_route_accepts_and_sends_them_once(world):
    db, receiver = world["db"], world["receiver"]
    assert world["report"].status == "completed"
    _, rows = query(db, """SELECT count(*) FROM findings_current WHERE severity IN ('high', 'critical') AND NOT suppressed""")
    expected = rows[0][0]
    assert expected > 0
    _, rows = query(db, "SELECT state, count(*) FROM outbox GROUP BY ALL")
    assert rows == [("sent", expected)]
    assert len(receiver.accepted) == len(set(receiver.accepted)) == expected
    assert any(m.startswith(f"alerts: {expected} alerts sent") for m in world["messages"])


def test_the_reviewed_fingerprint_is_recorded_as_suppressed_and_never_alerted(world):
    db = world["db"]
    _, rows = query(db, "SELECT finding_id, source FROM suppressed")
    assert rows and {source for _, source in rows} == {f"file:{world['suppressions']}:2"}
    suppressed_ids = {fid for fid, _ in rows}
    _, kept = query(db, "SELECT finding_id, triage_state FROM findings_current WHERE fingerprint = ?", [world["fingerprint"]])
    assert {fid for fid, _ in kept} == suppressed_ids and {s for _, s in kept} == {"false_positive"}
    assert not suppressed_ids & set(world["receiver"].accepted)


def test_nothing_that_leaves_the_store_holds_a_planted_value(world):
    db, receiver = world["db"], world["receiver"]
    values = [p.value for p in world["server"].ground_truth if p.entity not in ("PERSON", "CONFIDENTIAL_DOCUMENT") and len(p.value) >= 8]
    outputs = [r["body"] for r in receiver.requests]
    with Store(db, read_only=True) as store:
        for fmt in FORMATS:
            sink = io.BytesIO()
            count = export(store.con, fmt, "-", Selection(include_suppressed=True), world["config"].export.links, stdout=sink).count
            assert count > 0
            outputs.append(sink.getvalue())
    leaked = [v for v in values for out in outputs if v.encode() in out]
    assert not leaked
    first = json.loads(receiver.requests[0]["body"])["findings"][0]
    assert first["link"].startswith("https://chatgpt.com/") and "*" in first["snippet"]


def test_the_snapshot_holds_what_the_scan_committed(world):
    db = world["db"]
    snapshot = snapshot_path(db)
    assert query(snapshot, "SELECT count(*) FROM findings")[1] == query(db, "SELECT count(*) FROM findings")[1]


def test_a_second_scan_sends_nothing_again(world):
    receiver = world["receiver"]
    before = len(receiver.requests)
    again = asyncio.run(scan(world["config"], world["server"].api_key))
    assert again.findings_new == 0
    assert len(receiver.requests) == before
    assert query(world["db"], "SELECT DISTINCT state FROM outbox")[1] == [("sent",)]
