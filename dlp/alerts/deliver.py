"""A delivery pass: send due alerts from the outbox to the configured receivers, for a bounded time.

The pass runs after a scan has committed (and by `dlp alerts send`). For each receiver, within its
rate cap, it claims up to `max_batch` due alerts, sends them in one request and records the
outcome (see `dlp.alerts.outbox` for the states). A receiver that fails holds its other alerts
back with the same backoff; the pass sleeps until the next alert is due if that is before its
deadline, and otherwise leaves the rest to the next pass. Nothing is lost: an alert ends `sent`,
`failed` (rejected, or given up after `max_attempts` or `give_up_after_hours`), `unknown` (in
doubt) or `suppressed`, and each of these is recorded with its reason.

What is guaranteed, per (receiver, finding):
- at most once: no request for an alert is made after one that may have reached the receiver
  (an answer other than "not taken", a timeout after the request was written, or a crash while it
  was in flight), unless the receiver sets `resend_in_doubt` (then at least once, each finding
  carrying its `finding_id` so the receiver can drop repeats) or an operator requeues it;
- nothing lost while the receiver is down: a request that was not taken (no connection, a request
  not fully written, or the receiver's own 408/425/429/5xx answer, which is trusted) is retried
  with backoff until it succeeds or is given up, and a giving-up is recorded in the database
  (`outbox.state = 'failed'`, `alert_attempts`).
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import duckdb
import httpx

from dlp.alerts import outbox
from dlp.alerts.bodies import BODIES
from dlp.alerts.webhook import Outcome, post
from dlp.config import AlertsConfig, ConfigError, LinkTemplates, WebhookReceiver, read_secret
from dlp.export.records import EXPORT_SQL, iter_records

log = logging.getLogger(__name__)

RATE_WINDOW = timedelta(minutes=1)


@dataclass
class DeliveryReport:
    attempts: Counter[str] = field(default_factory=Counter)  # outcome -> requests
    alerts: Counter[str] = field(default_factory=Counter)  # outcome -> findings carried
    recovered: int = 0  # found in flight after a crash
    suppressed: int = 0
    given_up: int = 0
    errors: list[str] = field(default_factory=list)
    left: int = 0  # still pending when the pass ended

    def summary(self) -> str:
        sent = self.alerts.get(Outcome.SENT, 0)
        parts = [f"{sent} alerts sent in {self.attempts.get(Outcome.SENT, 0)} requests"]
        for label, n in (
            ("to retry", self.alerts.get(Outcome.RETRY, 0)),
            ("rejected", self.alerts.get(Outcome.REJECTED, 0)),
            ("in doubt", self.alerts.get(Outcome.IN_DOUBT, 0) + self.recovered),
            ("suppressed", self.suppressed),
            ("given up", self.given_up),
            ("pending", self.left),
        ):
            if n:
                parts.append(f"{n} {label}")
        return ", ".join(parts)


@dataclass(frozen=True)
class _Receiver:
    config: WebhookReceiver
    url: str
    secret: str | None


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Deliverer:
    """Delivers the outbox of one findings database (a writer connection)."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        config: AlertsConfig,
        links: LinkTemplates,
        *,
        transport: httpx.BaseTransport | None = None,
        now: Callable[[], datetime] = _utcnow,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        import time

        self.con = con
        self.config = config
        self.links = links
        self.now = now
        self.sleep = sleep or time.sleep
        # a fresh connection per request: a kept-alive socket the receiver closed would turn a
        # good request into an in-doubt one
        self.client = httpx.Client(transport=transport, follow_redirects=False, limits=httpx.Limits(max_keepalive_connections=0))
        self.report = DeliveryReport()
        self.receivers: list[_Receiver] = []
        for i, r in enumerate(config.receivers):
            try:
                url = r.url or read_secret(r.url_env, r.url_file, f"alerts.receivers[{i}].url_file")
                secret = read_secret(r.secret_env, r.secret_file, f"alerts.receivers[{i}].secret_file")
            except ConfigError as exc:
                self.report.errors.append(f"receiver {r.name}: {exc}")
                continue
            if not url:
                self.report.errors.append(f"receiver {r.name}: ${r.url_env} is not set; its alerts wait in the outbox")
                continue
            if r.secret_env and not secret:
                self.report.errors.append(f"receiver {r.name}: ${r.secret_env} is not set; its alerts wait in the outbox")
                continue
            self.receivers.append(_Receiver(r, url, secret))

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> "Deliverer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def run(self, seconds: float | None = None) -> DeliveryReport:
        """One pass, at most `seconds` long (default `alerts.deliver_seconds`)."""
        budget = self.config.deliver_seconds if seconds is None else seconds
        start = self.now()
        deadline = start + timedelta(seconds=budget)
        report = self.report
        resend = [r.config.name for r in self.receivers if r.config.resend_in_doubt]
        report.recovered = outbox.recover_in_flight(self.con, resend, start)
        report.suppressed = outbox.suppress_triaged(self.con, start)
        hours = self.config.give_up_after_hours
        report.given_up = outbox.give_up_stale(self.con, start - timedelta(hours=hours), start, hours)
        names = [r.config.name for r in self.receivers]
        while True:
            sent_any = False
            for receiver in self.receivers:
                sent_any |= self._send_one(receiver)
            if sent_any:
                continue
            wake = self._next_wake()
            now = self.now()
            if wake is None or wake > deadline:
                break
            self.sleep(max(0.0, (wake - now).total_seconds()))
        report.left = self._pending(names)
        return report

    def _send_one(self, receiver: _Receiver) -> bool:
        """Send one request's worth of due alerts to `receiver`, if its rate cap allows. True if a request was made."""
        cfg = receiver.config
        now = self.now()
        if len(outbox.attempts_since(self.con, cfg.name, now - RATE_WINDOW)) >= cfg.max_per_minute:
            return False
        finding_ids = outbox.due(self.con, cfg.name, now, cfg.max_batch)
        if not finding_ids:
            return False
        attempt_id = uuid.uuid4().hex
        outbox.claim(self.con, cfg.name, finding_ids, attempt_id, now)
        records = list(
            iter_records(
                self.con,
                f"SELECT * FROM ({EXPORT_SQL}) AS finding WHERE list_contains(?, finding_id) ORDER BY found_at, finding_id",
                [finding_ids],
                self.links,
            )
        )
        body = BODIES[cfg.format](records, alert_id=attempt_id, receiver=cfg.name, sent_at=now)
        result = post(self.client, receiver.url, body, alert_id=attempt_id, secret=receiver.secret, timeout=cfg.timeout_seconds)
        done = self.now()
        state = {
            Outcome.SENT: "sent",
            Outcome.RETRY: "pending",
            Outcome.REJECTED: "failed",
            Outcome.IN_DOUBT: "pending" if cfg.resend_in_doubt else "unknown",
        }[result.outcome]
        retry_at = None
        if state == "pending":
            attempts = self._attempts(cfg.name, attempt_id)
            wait = outbox.backoff(attempts, self.config.backoff_seconds, self.config.backoff_cap_seconds)
            if result.retry_after is not None:
                wait = max(wait, timedelta(seconds=min(result.retry_after, self.config.backoff_cap_seconds)))
            retry_at = done + wait
        outbox.finish(
            self.con, attempt_id, outcome=result.outcome.value, http_status=result.http_status, error=result.error,
            state=state, now=done, retry_at=retry_at, max_attempts=self.config.max_attempts,
        )  # fmt: skip
        if retry_at is not None:
            outbox.hold_receiver(self.con, cfg.name, retry_at)
        self.report.attempts[result.outcome] += 1
        given_up = self._given_up(attempt_id) if retry_at is not None else 0
        self.report.given_up += given_up
        self.report.alerts[result.outcome] += len(finding_ids) - given_up
        if result.outcome is not Outcome.SENT:
            log.warning("alert receiver %s: %s (%d findings)", cfg.name, result.error, len(finding_ids))
        return True

    def _given_up(self, attempt_id: str) -> int:
        row = self.con.execute("SELECT count(*) FROM outbox WHERE attempt_id = ? AND state = 'failed'", [attempt_id]).fetchone()
        return int(row[0]) if row else 0

    def _attempts(self, receiver: str, attempt_id: str) -> int:
        row = self.con.execute(
            "SELECT max(attempts) FROM outbox WHERE receiver = ? AND attempt_id = ?", [receiver, attempt_id]
        ).fetchone()
        return int(row[0] or 1) if row else 1

    def _next_wake(self) -> datetime | None:
        """When something can next be sent: per receiver, its earliest due alert, or its next rate slot if later."""
        now = self.now()
        wakes = []
        for receiver in self.receivers:
            cfg = receiver.config
            due = outbox.next_due(self.con, [cfg.name])
            if due is None:
                continue
            recent = outbox.attempts_since(self.con, cfg.name, now - RATE_WINDOW)
            if len(recent) >= cfg.max_per_minute:  # the slot frees when the oldest counted attempt ages out
                due = max(due, recent[len(recent) - cfg.max_per_minute] + RATE_WINDOW)
            wakes.append(due)
        return min(wakes) if wakes else None

    def _pending(self, names: list[str]) -> int:
        row = self.con.execute(
            "SELECT count(*) FROM outbox WHERE state = 'pending' AND list_contains(?, receiver)", [names]
        ).fetchone()
        return int(row[0]) if row else 0
