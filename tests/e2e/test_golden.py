"""Golden outputs of `dlp inspect` and `dlp scan` over fixtures/: a change in findings shows in review.

When a change to rules, extraction or ingest changes what is found, these tests
fail with the difference; rewrite the golden files with

    .venv/bin/python -m pytest tests/e2e/test_golden.py --update-golden

and commit them with the change, so the reviewer sees the new findings.
"""

from __future__ import annotations

import difflib
import json
import shutil
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from dlp.cli import app
from dlp.emulator.clock import FakeClock
from dlp.emulator.export import export_workspace
from dlp.emulator.server import EmulatorServer
from dlp.emulator.settings import load_settings

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
DOCUMENTS = FIXTURES / "documents"
WORKSPACE = FIXTURES / "workspace"
EXPORT_NOW = "2026-07-15T12:00:00+00:00"  # the --now of the committed export (fixtures/README.md)
runner = CliRunner()


def compare_or_update(request: pytest.FixtureRequest, golden: Path, actual: str) -> None:
    if request.config.getoption("--update-golden"):
        golden.write_text(actual, encoding="utf-8")
        return
    expected = golden.read_text(encoding="utf-8") if golden.exists() else ""
    if actual != expected:
        diff = "".join(difflib.unified_diff(
            expected.splitlines(True), actual.splitlines(True), str(golden), "now"
        ))  # fmt: skip
        pytest.fail(
            f"{golden.name} differs from the current output; if the change is intended, run\n"
            f"  .venv/bin/python -m pytest tests/e2e/test_golden.py --update-golden\nand commit it.\n{diff}"
        )


@pytest.mark.parametrize("name", ["memo.docx", "payroll.xlsx", "report.pdf", "notes.txt"])
def test_inspect_of_each_sample_document_matches_its_golden_findings(request, name):
    result = runner.invoke(app, ["inspect", str(DOCUMENTS / name)])
    assert result.exit_code == 0, result.output
    compare_or_update(request, DOCUMENTS / f"{name}.expected.jsonl", result.stdout)


def test_inspect_of_the_sample_jsonl_records_matches_its_golden_findings(request):
    result = runner.invoke(app, ["inspect", "--jsonl", str(DOCUMENTS / "records.jsonl")])
    assert result.exit_code == 0, result.output
    compare_or_update(request, DOCUMENTS / "records.jsonl.expected.jsonl", result.stdout)


def test_the_committed_sample_workspace_is_what_the_emulator_serves(request, tmp_path):
    """The export under fixtures/ is the emulator's generate output for emulator.yaml: same files, same bytes."""
    settings = load_settings(WORKSPACE / "emulator.yaml")
    clock = FakeClock(datetime.fromisoformat(EXPORT_NOW))
    if request.config.getoption("--update-golden"):
        shutil.rmtree(WORKSPACE / "export", ignore_errors=True)
        export_workspace(settings, clock, WORKSPACE / "export")
        return
    export_workspace(settings, clock, tmp_path)
    committed = {p.relative_to(WORKSPACE / "export"): p.read_bytes() for p in (WORKSPACE / "export").rglob("*") if p.is_file()}
    generated = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert sorted(generated) == sorted(committed), "the emulator writes other files now: regenerate (fixtures/README.md)"
    changed = sorted(str(path) for path in generated if generated[path] != committed[path])
    assert not changed, f"the emulator writes other bytes now: regenerate (fixtures/README.md): {changed}"


def _scan_summary(db: Path, report: dict) -> tuple[str, str]:
    """What the golden files hold: counts read back from the database, and every finding, sorted."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        def counts(sql: str) -> dict[str, int]:
            return {str(k): int(v) for k, v in con.execute(sql).fetchall()}

        summary = {
            "status": report["status"],
            "exit_code": report["exit_code"],
            "log_files": counts("SELECT status, count(*) FROM log_files GROUP BY ALL ORDER BY 1"),
            "items": counts("SELECT kind, count(*) FROM items GROUP BY ALL ORDER BY 1"),
            "files": counts("SELECT outcome, count(*) FROM files GROUP BY ALL ORDER BY 1"),
            "findings_by_severity": report["findings_by_severity"],
            "findings_by_entity": counts("SELECT entity, count(*) FROM findings GROUP BY ALL ORDER BY 1"),
            "warnings": report["warnings"],
            "errors": report["errors"],
        }
        rows = con.execute(
            "SELECT item_id, location, start_offset, end_offset, rule_id, entity, severity FROM findings "
            "ORDER BY item_id, location, start_offset, end_offset, rule_id"
        ).fetchall()
    finally:
        con.close()
    keys = ("item_id", "location", "start", "end", "rule_id", "entity", "severity")
    findings = "".join(json.dumps(dict(zip(keys, row)), ensure_ascii=False) + "\n" for row in rows)
    return json.dumps(summary, indent=2, ensure_ascii=False) + "\n", findings


def test_scan_of_the_sample_workspace_matches_its_golden_summary_and_findings(request, tmp_path, monkeypatch):
    settings = load_settings(WORKSPACE / "emulator.yaml")
    # Log files roll on 5-minute boundaries of the emulator's clock: a clock stopped at today's midnight gives the
    # same files every run, while the scan's 30-day window (from the real time) still covers all of them.
    midnight = datetime.now(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    with EmulatorServer(settings, clock=FakeClock(midnight)) as server:
        config = tmp_path / "dlp.yaml"
        config.write_text(
            f"api:\n  url: {server.base_url}\n  workspace_id: {server.workspace_id}\n"
            "  list_per_minute: 0\n  item_per_minute: 0\n  logs_per_minute: 0\n"
            "store:\n  database: findings.duckdb\nworkers: 0\n"
        )
        monkeypatch.setenv("DLP_API_KEY", server.api_key)
        result = runner.invoke(app, ["scan", "--config", str(config), "--format", "json", "--quiet"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["database"] == str(tmp_path / "findings.duckdb")  # resolved against the config's folder
    summary, findings = _scan_summary(tmp_path / "findings.duckdb", report)
    compare_or_update(request, WORKSPACE / "expected-scan.json", summary)
    compare_or_update(request, WORKSPACE / "expected-findings.jsonl", findings)
