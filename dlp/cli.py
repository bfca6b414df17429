"""The `dlp` command line."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import logging
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Optional

import typer
from rich.console import Console
from rich.table import Table as RichTable

from dlp.commands import alerts as alerts_commands
from dlp.commands import bench as bench_commands
from dlp.commands import emulator as emulator_commands
from dlp.commands import export as export_commands
from dlp.commands import rules as rules_commands
from dlp.commands import triage as triage_commands
from dlp.config import ConfigError, ScanConfig, load_config, read_api_key
from dlp.redact import RedactingFilter, redact

app = typer.Typer(
    help="Data-loss prevention for ChatGPT Enterprise: scan Compliance API activity for sensitive data.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(rules_commands.app, name="rules")
app.add_typer(emulator_commands.app, name="emulator")
bench_commands.register(app)
export_commands.register(app)
app.add_typer(triage_commands.app, name="triage")
app.add_typer(alerts_commands.app, name="alerts")

console = Console()
errors = Console(stderr=True)


def _fail(message: str, code: int = 2) -> None:
    errors.print(f"[bold red]error:[/] {message}", highlight=False, markup=True, soft_wrap=True)
    raise typer.Exit(code)


def _setup_logging(verbose: bool, secrets: tuple[str, ...] = ()) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactingFilter(secrets))
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO if verbose else logging.WARNING)
    for noisy in ("httpx", "httpcore", "uvicorn", "uvicorn.access", "uvicorn.error"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _load(config_path: Optional[Path]) -> ScanConfig:
    try:
        return load_config(config_path)
    except ConfigError as exc:
        _fail(str(exc))
        raise  # unreachable; keeps type checkers calm


def _json_default(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return str(value)


def print_table(title: str | None, columns: list[str], rows: list[tuple[Any, ...]], fmt: str = "table") -> None:
    if fmt == "json":
        for row in rows:
            print(json.dumps(dict(zip(columns, row)), default=_json_default, ensure_ascii=False))
        return
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(columns)
        writer.writerows(rows)
        sys.stdout.write(buffer.getvalue())
        return
    table = RichTable(title=title, title_justify="left", title_style="bold")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*("" if v is None else str(v) for v in row))
    console.print(table)


def _effective_config(
    config: Optional[Path], api_url: Optional[str], workspace_id: Optional[str], db: Optional[str] = None
) -> ScanConfig:
    cfg = _load(config)
    api = cfg.api
    if api_url:
        api = dataclasses.replace(api, url=api_url)
    if workspace_id:
        api = dataclasses.replace(api, workspace_id=workspace_id)
    cfg = cfg.replace(api=api)
    if db:
        cfg = cfg.replace(store=dataclasses.replace(cfg.store, database=db))
    return cfg


def _api_key(cfg: ScanConfig) -> str | None:
    try:
        return read_api_key(cfg.api)
    except ConfigError as exc:
        _fail(str(exc))
        return None


# -- scan ------------------------------------------------------------------------------------


def _print_report(report: Any, db: str) -> None:
    files = ", ".join(f"{n} {outcome}" for outcome, n in sorted(report.files.items())) or "none"
    console.print(
        f"scan {report.scan_id}: {report.status}; {report.log_files} log files, {report.items} items inspected, "
        f"files: {files}; [bold]{report.findings_new} new findings[/] in {db}",
        highlight=False,
    )
    requests = sum(report.requests.values())
    if requests:
        retried = f", {report.retries} retried (429, 5xx or timeouts)" if report.retries else ""
        console.print(f"{requests} API requests{retried}", highlight=False)
    if report.out_of_scope:
        console.print("out of scope (never downloaded): " + ", ".join(f"{k}={v}" for k, v in report.out_of_scope.items()))
    for line in report.stream_lines():
        console.print(f"  {line}", highlight=False, soft_wrap=True)
    for warning in report.warnings:
        errors.print(f"warning: {warning}", highlight=False)
    for error in report.errors[:20]:
        errors.print(f"error: {error}", highlight=False)


@app.command()
def scan(
    api_url: Optional[str] = typer.Option(None, help="Compliance API base URL (default https://api.chatgpt.com/v1)."),
    workspace_id: Optional[str] = typer.Option(None, help="Workspace UUID."),
    config: Optional[Path] = typer.Option(None, "--config", "-c", help="YAML configuration file."),
    db: Optional[str] = typer.Option(None, help="DuckDB findings database (default dlp.duckdb)."),
    lookback_days: Optional[int] = typer.Option(None, help="Historical window in days (max 30, the API's retention)."),
    historical: bool = typer.Option(False, "--historical", help="Re-read the whole lookback window, ignoring cursors."),
    workers: Optional[int] = typer.Option(None, help="Inspection worker processes (0 = in-process)."),
    every: Optional[float] = typer.Option(
        None, help="Keep running: start a forward scan every N minutes (the built-in scheduler)."
    ),
    verbose: bool = typer.Option(False, "--verbose", "-v"),
) -> None:
    """Pull new activity from the Compliance API, inspect it and store findings.

    The API key is read from $DLP_API_KEY (or the variable/secret file named in the config), never from the
    command line.
    """
    cfg = _effective_config(config, api_url, workspace_id, db)
    if workers is not None:
        cfg = cfg.replace(workers=workers)
    if lookback_days is not None:
        if lookback_days > 30:
            errors.print("warning: the Logs Platform keeps 30 days; --lookback-days capped at 30")
            lookback_days = 30
        cfg = cfg.replace(ingest=dataclasses.replace(cfg.ingest, lookback_days=lookback_days))
    key = _api_key(cfg)
    _setup_logging(verbose, (key,) if key else ())
    if every is None:
        _run_and_report(cfg, key or "", "historical" if historical else "forward")
        return
    if every <= 0:
        _fail("--every must be a positive number of minutes")
    _run_on_schedule(cfg, key or "", every * 60, "historical" if historical else "forward")


def _run_on_schedule(cfg: ScanConfig, key: str, interval_seconds: float, first_mode: str) -> None:
    """Scan, wait, scan again. Transient failures wait for the next run; a wrong key or scope stops."""
    import time

    from dlp.errors import DlpError, is_transient
    from dlp.ingest.http import ApiError, AuthError, ScopeError
    from dlp.pipeline import run_scan

    mode = first_mode
    while True:
        started = time.monotonic()
        try:
            report = run_scan(cfg, key, mode=mode, progress=lambda message: errors.print(message, highlight=False))
            _print_report(report, cfg.store.database)
        except (AuthError, ScopeError) as exc:
            _fail(redact(str(exc), (key,)))
        except ApiError as exc:
            errors.print(f"error: {redact(str(exc), (key,))}; trying again at the next run", highlight=False)
        except DlpError as exc:  # a busy database waits for the next run; a broken suppression file stops
            if not is_transient(exc):
                _fail(str(exc))
            errors.print(f"error: {exc}; trying again at the next run", highlight=False)
        except KeyboardInterrupt:
            _fail("stopped; committed progress is kept and the next scan resumes from it", 130)
        mode = "forward"
        pause = max(0.0, interval_seconds - (time.monotonic() - started))
        errors.print(f"next scan in {pause / 60:.1f} min", highlight=False)
        try:
            time.sleep(pause)
        except KeyboardInterrupt:
            raise typer.Exit(0)


def _run_and_report(cfg: ScanConfig, key: str, mode: str) -> Any:
    from detectors.errors import RuleError
    from dlp.errors import DlpError
    from dlp.ingest.http import ApiError
    from dlp.pipeline import run_scan

    try:
        report = run_scan(cfg, key, mode=mode, progress=lambda message: errors.print(message, highlight=False))
    except RuleError as exc:
        _fail(f"the scan did not start: a rule file is broken:\n{exc}")
    except ApiError as exc:
        _fail(redact(str(exc), (key,)))
    except DlpError as exc:  # a busy database (StoreBusyError), a broken suppression file (file:line)
        _fail(str(exc))
    except KeyboardInterrupt:
        _fail("interrupted; committed progress is kept and the next scan resumes from it", 130)
    _print_report(report, cfg.store.database)
    return report


@app.command()
def check(
    api_url: Optional[str] = typer.Option(None, help="Compliance API base URL."),
    workspace_id: Optional[str] = typer.Option(None, help="Workspace UUID."),
    config: Optional[Path] = typer.Option(None, "--config", "-c", help="YAML configuration file."),
) -> None:
    """Test the credentials and configuration: key, workspace, scopes, available logs, what a scan covers."""
    import asyncio

    from dlp.check import run_check
    from dlp.ingest.http import ApiError, ComplianceClient

    cfg = _effective_config(config, api_url, workspace_id)
    key = _api_key(cfg) or ""
    _setup_logging(False, (key,) if key else ())

    async def go() -> Any:
        async with ComplianceClient(cfg.api, key) as client:
            return await run_check(cfg, client)

    try:
        result = asyncio.run(go())
    except ApiError as exc:
        _fail(redact(str(exc), (key,)))
        return
    for status, what, detail in result.lines:
        style = {"ok": "green", "FAIL": "bold red"}.get(status, "yellow")
        console.print(f"[{style}]{status:>4}[/] {what}: {redact(detail, (key,))}", highlight=False)
    raise typer.Exit(0 if result.ok else 1)


# -- demo ------------------------------------------------------------------------------------


@app.command()
def demo(
    db: str = typer.Option("dlp-demo.duckdb", help="Where the findings database is written."),
    seed: int = typer.Option(7, help="Seed of the generated workspace."),
    workers: Optional[int] = typer.Option(None, help="Inspection worker processes (0 = in-process)."),
    fresh: bool = typer.Option(True, help="Start from an empty database."),
    verbose: bool = typer.Option(False, "--verbose", "-v"),
) -> None:
    """Start the local Compliance API emulator, scan it into DuckDB, and summarise the findings."""
    from dlp.emulator.server import EmulatorServer
    from dlp.emulator.settings import EmulatorSettings
    from dlp.summary import NEXT_QUERIES, summarize

    db_path = Path(db)
    if fresh:
        for stale in (db_path, db_path.with_name(db_path.name + ".wal")):
            stale.unlink(missing_ok=True)
    # The emulator limits requests like the real API by default; the demo turns that off to finish in seconds.
    with EmulatorServer(EmulatorSettings(seed=seed, rate_limits_enabled=False)) as server:
        console.print(
            f"emulator: {server.base_url} (workspace {server.workspace_id}, seed {seed})", highlight=False
        )
        cfg = ScanConfig()
        cfg = cfg.replace(
            # The local emulator runs without rate limits; so does the client talking to it.
            api=dataclasses.replace(
                cfg.api, url=server.base_url, workspace_id=server.workspace_id,
                list_per_minute=0, item_per_minute=0, logs_per_minute=0,
            ),
            store=dataclasses.replace(cfg.store, database=str(db_path)),
        )
        if workers is not None:
            cfg = cfg.replace(workers=workers)
        _setup_logging(verbose, (server.api_key,))
        _run_and_report(cfg, server.api_key, "forward")
    for table in summarize(db_path):
        print_table(f"Findings {table.title}" if table.title != "files" else "File outcomes", table.columns, table.rows)
    console.print("\nNext, try:", style="bold")
    for sql in NEXT_QUERIES:
        console.print(f"  dlp query --db {db} \"{sql}\"", highlight=False, soft_wrap=True)


# -- query -----------------------------------------------------------------------------------


@app.command()
def query(
    sql: str = typer.Argument(..., help="SQL to run (read-only)."),
    db: str = typer.Option("dlp.duckdb", help="DuckDB findings database."),
    format: str = typer.Option("table", "--format", "-f", help="table, csv or json (JSON lines)."),
) -> None:
    """Run read-only SQL on the findings database (tables: findings, items, files, scans, users, gpts, ...)."""
    import duckdb

    from dlp.errors import DlpError
    from dlp.store.db import query as run_query

    if format not in ("table", "csv", "json"):
        _fail("--format must be table, csv or json")
    try:
        columns, rows = run_query(db, sql)
    except (FileNotFoundError, DlpError) as exc:  # DlpError: a scan is writing it (StoreBusyError)
        _fail(str(exc))
        return
    except duckdb.Error as exc:
        _fail(f"query failed: {exc}")
        return
    print_table(None, columns, rows, format)


# -- inspect ---------------------------------------------------------------------------------

JSONL_BATCH = 256  # records per engine call with --jsonl (as a scan hands over segments)


@app.command()
def inspect(
    path: Optional[str] = typer.Argument(None, help="A file to inspect, or - for stdin."),
    jsonl: Optional[Path] = typer.Option(None, "--jsonl", help='JSONL of {"id": ..., "text": ...} records.'),
    rules: Optional[list[str]] = typer.Option(None, "--rules", "-r", help="Rule files or folders (default: built-in policy)."),
    min_likelihood: Optional[str] = typer.Option(None, help="Drop findings below this likelihood."),
    policy: Optional[str] = typer.Option(
        None, "--policy", "-p", help="A built-in policy by name (default, full) or a policy file."),
    format: str = typer.Option("jsonl", "--format", "-f", help="jsonl, or sarif (SARIF 2.1.0 for code review and CI)."),
) -> None:
    """Print findings for a file, stdin, or JSONL records, as JSON lines (offsets in characters)."""
    from detectors.engine import Engine, EngineSpec
    from detectors.errors import RuleError
    from dlp.inspect import extract_untrusted_file, file_summary

    try:
        engine = Engine.from_spec(EngineSpec(rule_paths=tuple(rules or ()), policy_path=policy,
                                             min_likelihood=min_likelihood))
    except RuleError as exc:
        _fail(str(exc))
        return
    if format not in ("jsonl", "sarif"):
        _fail("--format must be jsonl or sarif")
    if format == "sarif":
        from dlp.export.sarif import InspectInputError, inspect_sarif

        try:
            inspect_sarif(engine.analyze, path, jsonl, sys.stdout.buffer)
        except InspectInputError as exc:
            _fail(str(exc), 1)
        return

    def as_json(matches: list[Any]) -> list[dict[str, Any]]:
        return [
            {"start": m.start, "end": m.end, "entity": m.entity, "rule_id": m.rule_id, "score": round(m.score, 4)}
            for m in matches
        ]

    def found(text: str) -> list[dict[str, Any]]:
        return as_json(engine.analyze(text))

    if jsonl is not None:
        batch: list[tuple[Any, str]] = []  # records go through the engine in batches (NER batches them)

        def flush() -> None:
            for (record_id, _), matches in zip(batch, engine.analyze_batch([text for _, text in batch])):
                print(json.dumps({"id": record_id, "findings": as_json(matches)}, ensure_ascii=False))
            batch.clear()

        with (sys.stdin if str(jsonl) == "-" else open(jsonl, encoding="utf-8")) as handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                    text = record["text"]
                except (json.JSONDecodeError, KeyError, TypeError) as exc:
                    flush()
                    _fail(f"{jsonl}:{number}: expected a JSON object with \"id\" and \"text\" ({exc})")
                    return
                batch.append((record.get("id"), str(text)))
                if len(batch) >= JSONL_BATCH:
                    flush()
        flush()
        return
    if path is None:
        _fail("give a file, - for stdin, or --jsonl FILE")
        return
    if path == "-":
        for finding in found(sys.stdin.read()):
            print(json.dumps(finding))
        return
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        _fail(f"cannot read {path}: {exc.strerror}")
        return
    result = extract_untrusted_file(data, Path(path).name)
    for part in result.parts:  # text read before a limit stopped the file is inspected too
        for finding in found(part.text):
            if part.location:
                finding["location"] = part.location
            print(json.dumps(finding))
    summary = file_summary(path, result)
    if summary is not None:  # not read whole: say so on stdout and stderr, and exit 3 (incomplete)
        print(json.dumps(summary))
        _fail(f"{path}: {result.outcome.value}, not read whole: {result.reason}", 3)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
