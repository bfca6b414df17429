"""What a person wants to see after a scan: its outcome, counts by rule, user, GPT and source, and where to go next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from detectors.model import SEVERITIES
from dlp.store.db import Store

if TYPE_CHECKING:
    from dlp.pipeline import ScanReport

SUMMARY_QUERIES: dict[str, str] = {
    "by rule": """SELECT rule_id, entity, severity, count(*) AS findings
                  FROM findings GROUP BY ALL ORDER BY findings DESC, rule_id""",
    "by user": """SELECT coalesce(user_email, user_id, '(unknown)') AS user, count(*) AS findings,
                         count(DISTINCT rule_id) AS rules
                  FROM findings GROUP BY ALL ORDER BY findings DESC, user LIMIT 15""",
    "by GPT": """SELECT f.gpt_id, any_value(g.name) AS gpt_name, count(*) AS findings
                 FROM findings f LEFT JOIN gpts g USING (gpt_id)
                 WHERE f.gpt_id IS NOT NULL GROUP BY ALL ORDER BY findings DESC, f.gpt_id""",
    "by source": """SELECT item_kind AS source, count(*) AS findings, count(DISTINCT item_id) AS items
                    FROM findings GROUP BY ALL ORDER BY findings DESC, source""",
    "files": """SELECT outcome, count(*) AS files FROM files GROUP BY ALL ORDER BY files DESC, outcome""",
}

NEXT_QUERIES = (
    "SELECT user_email, rule_id, file_name, location, snippet FROM findings "
    "WHERE severity IN ('high', 'critical') ORDER BY found_at DESC LIMIT 20",
    "SELECT conversation_id, count(*) AS findings, list(DISTINCT entity) AS entities FROM findings "
    "WHERE conversation_id IS NOT NULL GROUP BY ALL ORDER BY findings DESC LIMIT 10",
)


@dataclass(frozen=True)
class Table:
    title: str
    columns: list[str]
    rows: list[tuple[object, ...]]


def summarize(db_path: str | Path) -> list[Table]:
    with Store(db_path, read_only=True) as store:
        tables = []
        for title, sql in SUMMARY_QUERIES.items():
            cursor = store.con.execute(sql)
            tables.append(Table(title, [d[0] for d in cursor.description], cursor.fetchall()))
        return tables


def severity_counts(db_path: str | Path, scan_id: str) -> dict[str, int]:
    """New findings of one scan by severity: what `--fail-on` judges."""
    with Store(db_path, read_only=True) as store:
        rows = store.con.execute(
            "SELECT severity, count(*) FROM findings WHERE scan_id = ? GROUP BY ALL", [scan_id]
        ).fetchall()
    return {str(severity): int(n) for severity, n in rows}


def report_record(report: ScanReport, *, database: str, severities: dict[str, int], exit_code: int) -> dict[str, Any]:
    """A scan's outcome as one JSON-ready object (`dlp scan --format json`)."""
    return {
        "scan_id": report.scan_id,
        "status": str(report.status),
        "exit_code": int(exit_code),
        "database": database,
        "log_files": report.log_files,
        "items": report.items,
        "files": dict(sorted(report.files.items())),
        "findings_new": report.findings_new,
        "findings_by_severity": {s: severities.get(s, 0) for s in SEVERITIES},
        "requests": dict(sorted(report.requests.items())),
        "retries": report.retries,
        "throttled": report.throttled,
        "streams": report.stream_lines(),
        "forbidden": report.forbidden,
        "out_of_scope": dict(sorted(report.out_of_scope.items())),
        "retry_queue": _queue_record(report.retry_queue),
        "warnings": list(report.warnings),
        "errors": list(report.errors),
    }


def _queue_record(queue: dict[str, Any]) -> dict[str, Any]:
    """The retry queue after the scan: pending units per kind, the next attempt, units done or given up in it."""
    next_at = queue.get("next_attempt_at")
    return {"pending": dict(sorted((queue.get("pending") or {}).items())),
            "next_attempt_at": f"{next_at.astimezone(timezone.utc):%Y-%m-%d %H:%M:%S} UTC" if next_at else None,
            "done": queue.get("done", 0), "given_up": queue.get("given_up", 0)}  # fmt: skip


def queue_line(queue: dict[str, Any]) -> str | None:
    """`retry queue: 3 pending (2 files, 1 log file; next attempt from T); 4 done, 1 given up in this scan`."""
    pending = queue["pending"]
    if not (pending or queue["done"] or queue["given_up"]):
        return None
    total = sum(pending.values())
    names = {"file": "file", "log_file": "log file", "gpt": "GPT", "project": "project"}
    kinds = ", ".join(f"{n} {names.get(kind, kind)}{'s' if n != 1 else ''}" for kind, n in pending.items())
    when = f"; next attempt from {queue['next_attempt_at']}" if queue["next_attempt_at"] else ""
    waiting = f"{total} pending ({kinds}{when})" if total else "empty"
    return (f"retry queue: {waiting}; {queue['done']} done, {queue['given_up']} given up in this scan "
            "(SELECT * FROM retry_queue WHERE state <> 'done')")  # fmt: skip


def report_lines(record: dict[str, Any]) -> list[str]:
    """The same outcome for a person: a few lines, errors left to the caller (they go to stderr)."""
    files = ", ".join(f"{n} {outcome}" for outcome, n in record["files"].items()) or "none"
    severities = ", ".join(f"{n} {s}" for s, n in reversed(record["findings_by_severity"].items()) if n)
    lines = [
        f"scan {record['scan_id']}: {record['status']}; {record['log_files']} log files, {record['items']} items "
        f"inspected, files: {files}; {record['findings_new']} new findings"
        + (f" ({severities})" if severities else "") + f" in {record['database']}"
    ]
    requests = sum(record["requests"].values())
    if requests:
        retried = f", {record['retries']} retried (429, 5xx or timeouts)" if record["retries"] else ""
        lines.append(f"{requests} API requests{retried}")
    if record["out_of_scope"]:
        lines.append("out of scope (never downloaded): " + ", ".join(f"{k}={v}" for k, v in record["out_of_scope"].items()))
    lines.extend(f"  {line}" for line in record["streams"])
    queue = queue_line(record["retry_queue"])
    if queue:
        lines.append(queue)
    if record["status"] == "incomplete" and record["errors"]:
        lines.append(
            f"incomplete: {len(record['errors'])} problem(s) below, also in the scan_errors table; committed work "
            "is kept and the next scan picks up what was left"
        )
    elif record["status"] == "incomplete":
        lines.append("incomplete: units wait in the retry queue for a later scan (their next attempt is not due yet)")
    return lines
