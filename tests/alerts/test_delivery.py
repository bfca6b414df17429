"""Webhook delivery against a real receiver on loopback: failures, timeouts, outages, rate caps, at most once."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path

import pytest

from dlp.alerts import Deliverer, requeue, routes_for
from dlp.config import AlertsConfig, LinkTemplates, WebhookReceiver
from dlp.store.db import Batch, Store
from tests.alerts.receiver import Receiver
from tests.soc_data import build, finding

EVERY = ("low", "medium", "high", "critical")


def config(receiver: Receiver, **kw) -> AlertsConfig:
    alerts = {k: kw.pop(k) for k in list(kw) if k in AlertsConfig.__dataclass_fields__}
    hook = WebhookReceiver(name="soc", url=receiver.url, min_severity="low", max_batch=1, timeout_seconds=0.3, **kw)
    return AlertsConfig(receivers=(hook,), backoff_seconds=30, deliver_seconds=600, **alerts)


def setup_db(tmp_path: Path, cfg: AlertsConfig) -> Path:
    db = tmp_path / "f.duckdb"
    build(db, routes=routes_for(cfg))
    return db


def deliver(db: Path, cfg: AlertsConfig, clock, seconds: float | None = None):
    with Store(db) as store, Deliverer(store.con, cfg, LinkTemplates(), now=clock.now, sleep=clock.sleep) as d:
        return d.run(seconds)


def states(db: Path) -> dict[str, tuple]:
    with Store(db, read_only=True) as store:
        rows = store.con.execute("SELECT finding_id, state, attempts, last_error FROM outbox ORDER BY finding_id").fetchall()
    return {r[0][0]: r[1:] for r in rows}


def commit(db: Path, *fids: str, severity: str = "critical") -> None:
    with Store(db) as store:
        if not store.con.execute("SELECT 1 FROM scans WHERE scan_id = 'scan-2'").fetchall():
            store.start_scan("scan-2", api_url="u", workspace_id="ws", mode="forward")
        store.commit("scan-2", Batch(findings=[finding(fid, severity=severity, scan_id="scan-2") for fid in fids]))


def test_alerts_are_queued_with_their_findings_by_the_routes(tmp_path, receiver):
    hook = WebhookReceiver(name="secrets", url=receiver.url, min_severity="high", entities=("SECRET", "US_SSN"))
    cards = WebhookReceiver(name="cards", url=receiver.url, min_severity="low", rules=("credit-card",))
    db = setup_db(tmp_path, AlertsConfig(receivers=(hook, cards)))
    with Store(db, read_only=True) as store:
        rows = store.con.execute("SELECT receiver, finding_id, state, attempts FROM outbox ORDER BY 1, 2").fetchall()
    assert [(r[0], r[1][0], r[2], r[3]) for r in rows] == [
        ("cards", "b", "pending", 0), ("secrets", "c", "pending", 0), ("secrets", "d", "pending", 0),
    ]  # fmt: skip


def test_a_receiver_that_fails_times_out_and_comes_back_loses_nothing_and_repeats_nothing(tmp_path, clock, receiver):
    receiver.script.extend(["500", "503", "hang"])
    cfg = config(receiver)
    db = setup_db(tmp_path, cfg)
    report = deliver(db, cfg, clock)
    # finding a: 500, then 503 (each held back with a doubling backoff), then a timeout: in doubt
    assert clock.sleeps == [30.0, 60.0]
    got = states(db)
    assert got["a"][:2] == ("unknown", 3) and "ReadTimeout" in got["a"][2]
    assert {k: v[0] for k, v in got.items()} == {"a": "unknown", "b": "sent", "c": "sent", "d": "sent"}
    assert sorted(receiver.accepted) == sorted(k * 32 for k in "bcd")
    assert report.alerts["in_doubt"] == 1 and report.alerts["retry"] == 2 and report.left == 0

    # down: the next finding cannot be delivered; it waits with backoff and is not lost
    receiver.stop()
    commit(db, "e" * 32)
    deliver(db, cfg, clock, seconds=100)
    state, attempts, error = states(db)["e"]
    assert state == "pending" and attempts == 3 and "ConnectError" in error  # at +0, +30 s, +90 s

    # back: the waiting alert goes out once; the in-doubt one is never sent again
    receiver.start()
    clock.advance(minutes=5)
    deliver(db, cfg, clock)
    assert states(db)["e"][:2] == ("sent", 4)
    assert sorted(receiver.accepted) == sorted(k * 32 for k in "bcde")
    carried = [fid for body in receiver.bodies() for fid in (f["finding_id"] for f in body["findings"])]
    assert carried.count("a" * 32) == 3  # 500, 503 and the timed-out request; never after it


def test_a_receiver_that_drops_repeats_gets_in_doubt_alerts_again(tmp_path, clock, receiver):
    receiver.script.extend(["hang"])
    cfg = config(receiver, resend_in_doubt=True)
    db = setup_db(tmp_path, cfg)
    deliver(db, cfg, clock)
    assert {k: v[0] for k, v in states(db).items()} == dict.fromkeys("abcd", "sent")
    assert receiver.accepted.count("a" * 32) == 1 and len(receiver.requests) == 5
    assert receiver.requests[0]["headers"]["X-DLP-Alert-Id"] != receiver.requests[1]["headers"]["X-DLP-Alert-Id"]


def test_an_alert_is_given_up_and_recorded_after_max_attempts(tmp_path, clock, receiver):
    receiver.default = "503"
    cfg = config(receiver, max_attempts=3, backoff_cap_seconds=60)
    db = setup_db(tmp_path, cfg)
    deliver(db, cfg, clock, seconds=10_000)
    got = states(db)
    assert {v[0] for v in got.values()} == {"failed"}
    assert got["a"][1] == 3 and "given up after 3 attempts: the receiver answered 503" in got["a"][2]
    with Store(db, read_only=True) as store:
        outcomes = store.con.execute("SELECT outcome, http_status, count(*) FROM alert_attempts GROUP BY ALL").fetchall()
    assert outcomes == [("retry", 503, 12)]
    # an operator can requeue what was given up
    with Store(db) as store:
        assert requeue(store.con, ["failed"], None, clock.now()) == 4
    receiver.default = "ok"
    deliver(db, cfg, clock)
    assert {v[0] for v in states(db).values()} == {"sent"}


def test_an_alert_that_waited_too_long_is_given_up(tmp_path, clock, receiver):
    cfg = config(receiver, give_up_after_hours=1)
    db = setup_db(tmp_path, cfg)
    clock.advance(hours=2)
    report = deliver(db, cfg, clock)
    assert report.given_up == 4 and receiver.requests == []
    assert "not delivered within 1 h" in states(db)["a"][2]


def test_a_rejected_request_is_not_repeated(tmp_path, clock, receiver):
    receiver.script.extend(["400"])
    cfg = config(receiver)
    db = setup_db(tmp_path, cfg)
    deliver(db, cfg, clock)
    assert states(db)["a"][:2] == ("failed", 1) and "answered 400" in states(db)["a"][2]
    assert len(receiver.requests) == 4


def test_retry_after_is_honoured(tmp_path, clock, receiver):
    receiver.script.extend(["429"])
    cfg = config(receiver)
    db = setup_db(tmp_path, cfg)
    deliver(db, cfg, clock)
    assert clock.sleeps == [120.0]  # the receiver's Retry-After, longer than the 30 s backoff
    assert {v[0] for v in states(db).values()} == {"sent"}


def test_the_rate_cap_spreads_requests_and_a_backlog_goes_out_in_batches(tmp_path, clock, receiver):
    cfg = config(receiver, max_per_minute=2)
    db = setup_db(tmp_path, cfg)
    deliver(db, cfg, clock)
    times = [clock_time for clock_time in _attempt_times(db)]
    assert len(times) == 4
    assert all((times[i + 2] - times[i]).total_seconds() >= 60 for i in range(len(times) - 2))
    assert {v[0] for v in states(db).values()} == {"sent"}

    receiver.requests.clear()
    commit(db, *(c * 32 for c in "efghij"))
    batched = AlertsConfig(receivers=(WebhookReceiver(name="soc", url=receiver.url, min_severity="low", max_batch=4),))
    deliver(db, batched, clock)
    assert [len(body["findings"]) for body in receiver.bodies()] == [4, 2]


def _attempt_times(db: Path):
    with Store(db, read_only=True) as store:
        return [r[0] for r in store.con.execute("SELECT started_at FROM alert_attempts ORDER BY started_at").fetchall()]


def test_a_false_positive_marked_before_delivery_is_not_sent(tmp_path, clock, receiver):
    cfg = config(receiver)
    db = setup_db(tmp_path, cfg)
    with Store(db) as store:
        store.con.execute(
            "INSERT INTO triage (target_kind, target, state, note, actor, decided_at) VALUES ('fingerprint', ?, 'false_positive', 'test', 'ana', now())",
            ["b" * 64],
        )
    report = deliver(db, cfg, clock)
    assert report.suppressed == 1 and states(db)["b"][0] == "suppressed"
    assert "b" * 32 not in receiver.accepted and len(receiver.accepted) == 3


def test_bodies_carry_masked_snippets_links_and_a_signature_never_values_or_the_url(tmp_path, clock, monkeypatch, receiver):
    receiver.script.extend(["503"])
    monkeypatch.setenv("SOC_HOOK_SECRET", "s3cret-signing-key")
    monkeypatch.setenv("SOC_HOOK_URL", receiver.url)
    hook = WebhookReceiver(name="soc", url_env="SOC_HOOK_URL", secret_env="SOC_HOOK_SECRET", min_severity="high")
    slack = WebhookReceiver(name="chan", url_env="SOC_HOOK_URL", format="slack", min_severity="critical")
    cfg = AlertsConfig(receivers=(hook, slack), backoff_seconds=30)
    db = setup_db(tmp_path, cfg)
    deliver(db, cfg, clock)
    json_bodies = [r for r in receiver.requests if b'"findings"' in r["body"]]
    slack_bodies = [r for r in receiver.requests if b'"blocks"' in r["body"]]
    assert json_bodies and slack_bodies
    request = json_bodies[-1]
    expected = "sha256=" + hmac.new(b"s3cret-signing-key", request["body"], hashlib.sha256).hexdigest()
    assert request["headers"]["X-DLP-Signature-256"] == expected
    body = json.loads(request["body"])
    card = next(f for f in body["findings"] if f["entity"] == "CREDIT_CARD")
    assert card["snippet"] == "**************1111" and card["link"] == "https://chatgpt.com/c/conv-1"
    text = json.loads(slack_bodies[-1]["body"])["text"]
    assert "*CRITICAL* SECRET (`openai-api-key`) by bob@example.com in <https://chatgpt.com/g/g-1|gpt config of GPT Support bot, instructions>" in text
    # the receiver's URL is a secret: not in the outbox, the attempts or the report
    with Store(db, read_only=True) as store:
        dump = str(store.con.execute("SELECT * FROM outbox").fetchall()) + str(store.con.execute("SELECT * FROM alert_attempts").fetchall())
    assert "T0SECRET" not in dump and "503" in dump


def test_a_receiver_without_its_url_keeps_its_alerts_waiting(tmp_path, clock, monkeypatch, receiver):
    monkeypatch.delenv("MISSING_HOOK_URL", raising=False)
    cfg = AlertsConfig(receivers=(WebhookReceiver(name="soc", url_env="MISSING_HOOK_URL", min_severity="low"),))
    db = setup_db(tmp_path, cfg)
    report = deliver(db, cfg, clock)
    assert report.errors == ["receiver soc: $MISSING_HOOK_URL is not set; its alerts wait in the outbox"]
    assert {v[0] for v in states(db).values()} == {"pending"}


@pytest.mark.parametrize(
    "receiver_yaml, message",
    [
        ("{name: a}", "give exactly one of url, url_env, url_file"),
        ("{name: a, url: 'ftp://x'}", "url must start with http"),
        ("{name: a, url: 'http://x', format: teams}", "format must be one of json, slack"),
        ("{name: a, url: 'http://x', min_severity: urgent}", "min_severity must be one of low, medium, high, critical"),
        ("{url: 'http://x'}", "name is required"),
        ("{name: a, url: 'http://x', max_per_minute: 0}", "max_per_minute must be more than 0"),
    ],
)
def test_alert_config_errors_name_the_key(tmp_path, receiver_yaml, message):
    from dlp.config import ConfigError, load_config

    path = tmp_path / "dlp.yaml"
    path.write_text(f"alerts:\n  receivers:\n    - {receiver_yaml}\n")
    with pytest.raises(ConfigError, match="alerts.receivers\\[0\\]"):
        load_config(path)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert message in str(caught.value)


def test_the_alerts_commands(tmp_path, receiver):
    from typer.testing import CliRunner

    from dlp.cli import app

    runner = CliRunner()
    receiver.default = "503"
    cfg = config(receiver)
    db = setup_db(tmp_path, cfg)
    path = tmp_path / "dlp.yaml"
    path.write_text(
        f"store: {{database: {db}}}\nalerts:\n  max_attempts: 1\n  receivers:\n"
        f"    - {{name: soc, url: '{receiver.url}', min_severity: low, max_batch: 10}}\n"
    )
    result = runner.invoke(app, ["alerts", "send", "-c", str(path), "--seconds", "0"])
    assert result.exit_code == 0, result.output
    assert "0 alerts sent in 0 requests, 4 given up" in result.output
    result = runner.invoke(app, ["alerts", "status", "--db", str(db), "-f", "csv"])
    assert result.output.splitlines()[1].startswith("soc,failed,4,1,")
    assert "T0SECRET" not in result.output
    result = runner.invoke(app, ["alerts", "retry", "--db", str(db), "--state", "failed"])
    assert "4 alerts requeued" in result.output
    receiver.default = "ok"
    result = runner.invoke(app, ["alerts", "send", "-c", str(path), "--seconds", "0"])
    assert "4 alerts sent in 1 requests" in result.output
