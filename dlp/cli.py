"""The `dlp` command line.

Scripts and cron jobs rely on three things here: exit codes (`dlp.exitcodes`),
machine-readable output (`--format json`), and output that goes where it
should (results on stdout; progress, warnings and errors on stderr, unwrapped
and without colour when not a terminal or with NO_COLOR).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import logging
import os
import signal
import sys
import traceback
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, NoReturn, Optional

import typer
from rich.console import Console
from rich.table import Table as RichTable

from dlp.commands import alerts as alerts_commands
from dlp.commands import bench as bench_commands
from dlp.commands import daemon as daemon_commands
from dlp.commands import emulator as emulator_commands
from dlp.commands import export as export_commands
from dlp.commands import rules as rules_commands
from dlp.commands import triage as triage_commands
from dlp.commands.options import (
    CliState,
    Format,
    api_url_option,
    config_option,
    db_option,
    format_option,
    print_json,
    quiet_option,
    verbose_option,
    workspace_option,
)
from dlp.config import (
    ConfigError,
    ScanConfig,
    check_api_url,
    check_workspace_id,
    config_warnings,
    find_config,
    load_config,
    lookback_warning,
    read_api_key,
    validate,
)
from dlp.exitcodes import ExitCode, fail_on_option, findings_exit, for_error, for_scan_status, for_signal
from dlp.redact import RedactingFilter, display_url, redact

EXIT_CODES_HELP = (
    "Exit codes: 0 done and complete; 1 findings at or above --fail-on; 2 usage or configuration error; "
    "3 finished but incomplete; 4 failed; 130 Ctrl-C; 143 SIGTERM."
)
BUG_HINT = "this is a bug in dlp: please report it with the trace (run again with --verbose) and `dlp --version`"


def _control_flow() -> tuple[type[BaseException], ...]:
    # typer.TyperException is the base of click's usage errors in typer >= 0.29 (its vendored click)
    return (typer.Exit, typer.Abort, typer.TyperException)


_PLAIN_TYPES = {"str": "TEXT", "int": "INTEGER", "float": "NUMBER", "path": "PATH"}


def _plain_help(command: Any) -> None:
    """Classic help for every command, later ones included: flags without a type, `--db TEXT` not `--db <str>`."""
    for param in command.params:
        if getattr(param, "is_flag", False) or getattr(param, "count", False):
            param.metavar = param.metavar or ""
            continue
        if param.metavar is None:
            try:
                label = param.display_type(None).strip("<>")
            except Exception:  # a type that needs a context (choices): left as it is
                continue
            inner = label[5:-1] if label.startswith("list[") else label
            param.metavar = _PLAIN_TYPES.get(inner.lower(), inner.upper())
            if param.param_type_name == "argument":
                param.metavar = param.name.upper()
        if param.param_type_name == "argument":
            param.display_type_rich = lambda ctx: None  # the name says it; no type column beside it
    for sub in getattr(command, "commands", {}).values():
        _plain_help(sub)


class DlpGroup(typer.core.TyperGroup):
    """Turns whatever escapes a command into one clear line and an exit code; the trace only with --verbose."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _plain_help(self)

    def invoke(self, ctx: typer.Context) -> Any:
        from dlp.interrupts import Interrupted

        try:
            return super().invoke(ctx)
        except _control_flow():
            raise
        except Interrupted as exc:
            _error(f"{exc}; stopped")
            raise typer.Exit(for_signal(exc.signum)) from None
        except KeyboardInterrupt:
            _error("interrupted by SIGINT; stopped")
            raise typer.Exit(ExitCode.SIGINT) from None
        except BrokenPipeError:  # `dlp ... | head`: the reader has gone; end quietly, as a Unix tool would
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(128 + signal.SIGPIPE) from None
        except Exception as exc:
            state = ctx.find_object(CliState) or CliState()
            code, message = _known_error(exc)
            if code is ExitCode.FAILED and message is None:
                message = f"unexpected {type(exc).__name__}: {exc}; {BUG_HINT}"
                if state.verbose:
                    errors.print(redact("".join(traceback.format_exception(exc)), state.secrets), markup=False,
                                 highlight=False)  # fmt: skip
            _error(redact(message or str(exc), state.secrets))
            raise typer.Exit(code) from None


def _known_error(exc: Exception) -> tuple[ExitCode, str | None]:
    """Errors with a message written for people, and the exit code of each kind."""
    from detectors.errors import RuleError
    from detectors.ner import NerModelError
    from dlp.errors import DlpError
    from dlp.ingest.http import ApiError, AuthError, NotComplianceApiError, NotFoundError, ScopeError, UnreachableError

    if isinstance(exc, DlpError):  # a busy database waits (4); a broken suppression file needs a fix (2)
        return for_error(exc), str(exc)
    if isinstance(exc, ConfigError):
        return ExitCode.USAGE, str(exc)
    if isinstance(exc, RuleError):
        return ExitCode.USAGE, f"a rule file is broken:\n{exc}"
    if isinstance(exc, NerModelError):
        return ExitCode.USAGE, f"{exc} (`pip install {_ner_package(None)}`)"
    if isinstance(exc, (AuthError, ScopeError, NotFoundError, UnreachableError, NotComplianceApiError)):
        return ExitCode.USAGE, str(exc)
    if isinstance(exc, ApiError):
        return ExitCode.FAILED, str(exc)
    if isinstance(exc, OSError) and exc.filename:  # a path we were given cannot be created or read
        return ExitCode.USAGE, f"{exc.filename}: {exc.strerror or exc}"
    import duckdb

    if isinstance(exc, duckdb.Error):
        return ExitCode.FAILED, f"database error: {exc}"
    return ExitCode.FAILED, None


def _print_version(value: bool) -> None:
    if value:
        from importlib.metadata import version

        typer.echo(f"dlp {version('dlp-chatgpt')}")
        raise typer.Exit()


app = typer.Typer(
    cls=DlpGroup,
    help="Data-loss prevention for ChatGPT Enterprise: scan Compliance API activity for sensitive data.",
    epilog=EXIT_CODES_HELP,
    no_args_is_help=True,
    rich_markup_mode=None,  # plain help: no boxes, no <type> columns, nothing to strip in a pipe
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(rules_commands.app, name="rules")
app.add_typer(emulator_commands.app, name="emulator")
bench_commands.register(app)
export_commands.register(app)
app.add_typer(triage_commands.app, name="triage")
app.add_typer(alerts_commands.app, name="alerts")
app.add_typer(daemon_commands.app, name="daemon")


@app.callback()
def _root(
    ctx: typer.Context,
    version: bool = typer.Option(
        False, "--version", "-V", callback=_print_version, is_eager=True,
        help="Print the version and exit.",
    ),  # fmt: skip
) -> None:
    ctx.ensure_object(CliState)


def make_console(stderr: bool = False) -> Console:
    """A console that wraps to the terminal's width, and not at all when the output is a pipe or a file."""
    console = Console(stderr=stderr)
    if console.is_terminal:
        return console
    return Console(stderr=stderr, width=1_000_000, soft_wrap=True)


console = make_console()
errors = make_console(stderr=True)


def _error(message: str) -> None:
    errors.print(f"[bold red]error:[/] {message}" if errors.is_terminal else f"error: {message}",
                 highlight=False, markup=errors.is_terminal, soft_wrap=True)  # fmt: skip


def _warn(message: str) -> None:
    errors.print(f"warning: {message}", highlight=False, markup=False, soft_wrap=True)


def _fail(message: str, code: int = ExitCode.USAGE) -> NoReturn:
    _error(message)
    raise typer.Exit(code)


def _setup_logging(verbose: bool, secrets: tuple[str, ...] = ()) -> None:
    class _ToErrors(logging.Handler):  # through the stderr console, so a live progress display stays intact
        def emit(self, record: logging.LogRecord) -> None:
            errors.print(self.format(record), markup=False, highlight=False, soft_wrap=True)

    handler = _ToErrors()
    handler.addFilter(RedactingFilter(secrets))
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.INFO if verbose else logging.WARNING)
    for noisy in ("httpx", "httpcore", "uvicorn", "uvicorn.access", "uvicorn.error"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def _remember_secret(ctx: typer.Context, secret: str | None) -> None:
    if secret:
        state = ctx.find_root().ensure_object(CliState)
        state.secrets = (*state.secrets, secret)


def print_table(title: str | None, columns: list[str], rows: list[tuple[Any, ...]], fmt: str = "table") -> None:
    if fmt == "json":
        for row in rows:
            print_json(dict(zip(columns, row)))
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
    make_console().print(table)


# -- configuration: file, environment, flags -------------------------------------------------


def _effective_config(
    ctx: typer.Context,
    config: Optional[Path],
    api_url: Optional[str] = None,
    workspace_id: Optional[str] = None,
    db: Optional[str] = None,
    lookback_days: Optional[int] = None,
) -> ScanConfig:
    """Defaults < config file < environment (DLP_*) < flags; checked before any request is made."""
    path = find_config(config)
    state = ctx.find_object(CliState)
    if path is not None and state is not None and state.verbose:
        errors.print(f"config: {path}", highlight=False, markup=False)
    if lookback_days is not None and lookback_days < 1:
        _fail("--lookback-days must be at least 1")
    try:
        cfg = load_config(path)
        api = cfg.api
        if api_url:
            api = dataclasses.replace(api, url=check_api_url(api_url, "--api-url"))
        if workspace_id:
            api = dataclasses.replace(api, workspace_id=check_workspace_id(workspace_id, "--workspace-id"))
        cfg = cfg.replace(api=api)
        if db:
            cfg = cfg.replace(store=dataclasses.replace(cfg.store, database=db))
        if Path(cfg.store.database).is_dir():
            raise ConfigError(f"--db / store.database: {cfg.store.database} is a folder; give the database file's path")
        if lookback_days is not None:
            cfg = cfg.replace(ingest=dataclasses.replace(cfg.ingest, lookback_days=lookback_days))
        validate(cfg)
    except ConfigError as exc:
        _fail(str(exc))
    if lookback_days is not None:
        warnings = [w for w in [lookback_warning(lookback_days, "--lookback-days")] if w]
    else:
        warnings = config_warnings(cfg, f"{path}: " if path else "")
    for warning in warnings:
        _warn(warning)
    return cfg


def _api_key(ctx: typer.Context, cfg: ScanConfig) -> str:
    try:
        key = read_api_key(cfg.api)
    except ConfigError as exc:
        _fail(str(exc))
    if not key:
        from dlp.ingest.permissions import KEY_ORIGIN

        _fail(f"no API key: set the environment variable {cfg.api.key_env} or api.key_file in the config. {KEY_ORIGIN}")
    if not cfg.api.workspace_id:
        _fail("no workspace id: pass --workspace-id, set $DLP_WORKSPACE_ID, or api.workspace_id in the config")
    _remember_secret(ctx, key)
    return key


def _ner_package(model: str | None) -> str:
    from detectors.ner import DEFAULT_NER_MODEL

    return (model or DEFAULT_NER_MODEL).replace("_", "-")  # spaCy model packages: the module name, dashed


def _check_engine(engine: Any) -> None:
    """Refuse to start when the active rules need a spaCy model that is not installed."""
    import importlib.util

    ner_rules = [rule.id for rule in engine.rules if rule.ner is not None]
    model = engine.ner_model
    if not ner_rules or Path(model).exists():
        return
    try:
        installed = importlib.util.find_spec(model) is not None
    except (ImportError, ValueError):
        installed = False
    if not installed:
        _fail(f"the spaCy model {model!r} needed by the NER rules ({', '.join(ner_rules[:3])}) is not installed: "
              f"`pip install {_ner_package(model)}` (models are never downloaded at run time), set "
              "detect.ner_model to an installed model, or use rules without NER")  # fmt: skip


# -- scan ------------------------------------------------------------------------------------


def _progress_display(quiet: bool, verbose: bool, status_every: float) -> Any:
    from dlp.progress import LiveProgress, QuietProgress, StatusLines

    if quiet:
        return QuietProgress()
    if errors.is_terminal and not errors.is_dumb_terminal:
        return LiveProgress(errors, verbose=verbose)
    return StatusLines(lambda line: errors.print(line, highlight=False, markup=False), interval=status_every,
                       verbose=verbose).start()  # fmt: skip


@dataclass(frozen=True)
class _Output:
    fmt: Format
    quiet: bool
    verbose: bool
    status_every: float
    fail_on: str | None


@app.command(epilog=EXIT_CODES_HELP)
def scan(
    ctx: typer.Context,
    api_url: Optional[str] = api_url_option(),
    workspace_id: Optional[str] = workspace_option(),
    config: Optional[Path] = config_option(),
    db: Optional[str] = db_option(),
    lookback_days: Optional[int] = typer.Option(
        None, metavar="DAYS", help="Window read by the first scan (or --historical), in days; max 30, the API's retention."
    ),
    historical: bool = typer.Option(False, "--historical", help="Re-read the whole lookback window, ignoring the stored cursors."),
    workers: Optional[int] = typer.Option(None, metavar="N", help="Inspection worker processes (0 = in-process; default: the config's, else up to 4)."),
    every: Optional[float] = typer.Option(
        None, metavar="MINUTES", help="Keep running: start a forward scan every N minutes (the built-in scheduler)."
    ),
    fmt: Format = format_option(),
    fail_on: Optional[str] = fail_on_option(),
    status_every: float = typer.Option(
        30.0, metavar="SECONDS", help="When stderr is not a terminal: one progress line every N seconds (0 = none)."
    ),
    verbose: bool = verbose_option(),
    quiet: bool = quiet_option(),
) -> None:
    """Pull new activity from the Compliance API, inspect it, store findings.

    The API key is read from $DLP_API_KEY (or the variable or secret file named in the config), never from
    the command line. Progress goes to stderr: a live display on a terminal, else a status line every
    --status-every seconds. Ctrl-C or SIGTERM stops cleanly: committed work is kept, the scan is recorded as
    interrupted, and the next scan resumes from it.
    """
    cfg = _effective_config(ctx, config, api_url, workspace_id, db, lookback_days)
    if workers is not None:
        if workers < 0:
            _fail("--workers must be 0 (in-process) or more")
        cfg = cfg.replace(workers=workers)
    if every is not None and every <= 0:
        _fail("--every must be a positive number of minutes")
    key = _api_key(ctx, cfg)
    _setup_logging(verbose, (key,))
    from dlp import interrupts

    out = _Output(fmt, quiet, verbose, status_every, fail_on)
    mode = "historical" if historical else "forward"
    with interrupts.terminate_raises():  # SIGTERM before or between the scan's own handling: one line, exit 143
        if every is None:
            raise typer.Exit(_scan_once(cfg, key, mode, out))
        _run_on_schedule(cfg, key, every * 60, mode, out)


def _scan_once(cfg: ScanConfig, key: str, mode: str, out: _Output) -> ExitCode:
    """One scan, its summary, and its exit code; exits 130/143 on Ctrl-C/SIGTERM once the scan is recorded."""
    from detectors.engine import Engine
    from dlp import interrupts
    from dlp.pipeline import engine_spec
    from dlp.pipeline import scan as run_scan
    from dlp.summary import report_lines, report_record, severity_counts

    _check_engine(Engine.from_spec(engine_spec(cfg)))  # refuse to start without the NER model the rules need
    display = _progress_display(out.quiet, out.verbose, out.status_every)
    try:
        try:
            report = interrupts.run(run_scan(cfg, key, mode=mode, progress=display, on_progress=display))
        finally:
            display.close()
    except interrupts.Interrupted as exc:
        _error(f"{exc}: committed work is kept, the scan is recorded as interrupted, and the next scan resumes "
               "from it")  # fmt: skip
        raise typer.Exit(for_signal(exc.signum)) from None
    severities = severity_counts(cfg.store.database, report.scan_id)
    code = findings_exit(for_scan_status(report.status), severities, out.fail_on)
    record = report_record(report, database=cfg.store.database, severities=severities, exit_code=code)
    if out.fmt is Format.json:
        print_json(record)
    elif not out.quiet:
        for line in report_lines(record):
            console.print(line, highlight=False, markup=False)
    for warning in report.warnings:
        _warn(warning)
    for problem in report.errors[:20]:
        _error(redact(problem, (key,)))
    if len(report.errors) > 20:
        _error(f"... and {len(report.errors) - 20} more in the scan_errors table")
    if code is ExitCode.FINDINGS and out.fmt is Format.text:
        errors.print(f"findings at or above {out.fail_on}: exit 1", highlight=False, markup=False)
    return code


def _run_on_schedule(cfg: ScanConfig, key: str, interval_seconds: float, first_mode: str, out: _Output) -> None:
    """Scan, wait, scan again. Transient failures wait for the next run; a wrong key, scope or URL stops."""
    import time

    from dlp import interrupts
    from dlp.errors import DlpError, is_transient
    from dlp.ingest.http import ApiError, AuthError, NotComplianceApiError, NotFoundError, ScopeError

    mode = first_mode
    while True:
        started = time.monotonic()
        try:
            _scan_once(cfg, key, mode, out)
        except (AuthError, ScopeError, NotFoundError, NotComplianceApiError):
            raise  # waiting will not fix a wrong key, scope, workspace or URL
        except (ApiError, DlpError) as exc:
            if isinstance(exc, DlpError) and not is_transient(exc):
                raise  # a broken suppression file: stop and say what to fix
            _error(f"{redact(str(exc), (key,))}; trying again at the next run")  # the API, a busy database
        mode = "forward"
        pause = max(0.0, interval_seconds - (time.monotonic() - started))
        try:
            with interrupts.terminate_raises():  # before the line that says we wait: a signal after it is ours
                if not out.quiet:
                    errors.print(f"next scan in {pause / 60:.1f} min", highlight=False, markup=False)
                time.sleep(pause)
        except (KeyboardInterrupt, interrupts.Interrupted):
            errors.print("stopped between scans; nothing was interrupted", highlight=False, markup=False)
            raise typer.Exit(ExitCode.OK) from None


# -- check -----------------------------------------------------------------------------------


@app.command(epilog=EXIT_CODES_HELP)
def check(
    ctx: typer.Context,
    api_url: Optional[str] = api_url_option(),
    workspace_id: Optional[str] = workspace_option(),
    config: Optional[Path] = config_option(),
    fmt: Format = format_option(),
    verbose: bool = verbose_option(),
) -> None:
    """Test the key, workspace, scopes, logs and what a scan covers.

    Exits 0 when every check passes (warnings included) and 2 when one fails.
    """
    from dlp import interrupts
    from dlp.check import run_check
    from dlp.ingest.http import ComplianceClient

    cfg = _effective_config(ctx, config, api_url, workspace_id)
    key = _api_key(ctx, cfg)
    _setup_logging(verbose, (key,))

    async def go() -> Any:
        async with ComplianceClient(cfg.api, key) as client:
            return await run_check(cfg, client)

    result = interrupts.run(go())
    code = ExitCode.OK if result.ok else ExitCode.USAGE
    if fmt is Format.json:
        print_json({
            "ok": result.ok, "exit_code": int(code), "api_url": display_url(cfg.api.url),
            "workspace_id": cfg.api.workspace_id,
            "checks": [{"status": status.lower(), "check": what, "detail": redact(detail, (key,))}
                       for status, what, detail in result.lines],
        })  # fmt: skip
    else:
        styles = {"ok": "green", "FAIL": "bold red", "warn": "yellow"}
        for status, what, detail in result.lines:
            style = styles.get(status, "cyan")
            console.print(f"[{style}]{status:>4}[/] {what}: ", redact(detail, (key,)), sep="", highlight=False,
                          markup=True)  # fmt: skip
    raise typer.Exit(code)


# -- demo ------------------------------------------------------------------------------------


@app.command()
def demo(
    db: str = typer.Option("dlp-demo.duckdb", metavar="FILE", help="Where the findings database is written."),
    seed: int = typer.Option(7, metavar="N", help="Seed of the generated workspace."),
    workers: Optional[int] = typer.Option(None, metavar="N", help="Inspection worker processes (0 = in-process)."),
    fresh: bool = typer.Option(True, "--fresh/--keep", help="Start from an empty database (--keep: scan into the existing one)."),
    verbose: bool = verbose_option(),
    quiet: bool = quiet_option(),
) -> None:
    """Scan a local emulated workspace into DuckDB and summarise it.

    Starts the Compliance API emulator on a free loopback port; nothing leaves the machine.
    """
    from dlp.emulator.server import EmulatorServer
    from dlp.emulator.settings import EmulatorSettings
    from dlp.summary import NEXT_QUERIES, summarize

    db_path = Path(db)
    if fresh:
        for stale in (db_path, db_path.with_name(db_path.name + ".wal")):
            stale.unlink(missing_ok=True)
    # The emulator limits requests like the real API by default; the demo turns that off to finish in seconds.
    with EmulatorServer(EmulatorSettings(seed=seed, rate_limits_enabled=False)) as server:
        if not quiet:
            console.print(f"emulator: {server.base_url} (workspace {server.workspace_id}, seed {seed})", highlight=False)
        cfg = ScanConfig()
        cfg = cfg.replace(
            # The local emulator runs without rate limits; so does the client talking to it.
            api=dataclasses.replace(
                cfg.api, url=server.base_url, workspace_id=server.workspace_id,
                list_per_minute=0, item_per_minute=0, logs_per_minute=0,
            ),
            store=dataclasses.replace(cfg.store, database=str(db_path)),
        )  # fmt: skip
        if workers is not None:
            cfg = cfg.replace(workers=workers)
        _setup_logging(verbose, (server.api_key,))
        code = _scan_once(cfg, server.api_key, "forward", _Output(Format.text, quiet, verbose, 30.0, None))
    if quiet:
        raise typer.Exit(code)
    for table in summarize(db_path):
        print_table(f"Findings {table.title}" if table.title != "files" else "File outcomes", table.columns, table.rows)
    console.print("\nNext, try:", style="bold")
    for sql in NEXT_QUERIES:
        console.print(f"  dlp query --db {db} \"{sql}\"", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


# -- query -----------------------------------------------------------------------------------


class TableFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


@app.command()
def query(
    ctx: typer.Context,
    sql: str = typer.Argument(..., metavar="SQL", help="SQL to run (read-only)."),
    db: Optional[str] = db_option(),
    config: Optional[Path] = config_option(),
    fmt: TableFormat = typer.Option(TableFormat.table, "--format", "-f", metavar="table|csv|json",
                                    help="table for people; csv, or json (one JSON object per row) for scripts."),
) -> None:
    """Run read-only SQL on the findings database.

    Tables: findings, items, files, scans, cursors, events, log_files, users, gpts, scan_errors.
    """
    import duckdb

    from dlp.store.db import query as run_query

    if not sql.strip():
        _fail("the query is empty: give a SQL statement, e.g. \"SELECT rule_id, count(*) FROM findings GROUP BY ALL\"")
    database = db or _effective_config(ctx, config).store.database
    try:
        columns, rows = run_query(database, sql)
    except FileNotFoundError as exc:
        _fail(str(exc))
    except duckdb.Error as exc:
        _fail(f"query failed: {exc}")
    print_table(None, columns, rows, fmt.value)


# -- inspect ---------------------------------------------------------------------------------

JSONL_BATCH = 256  # records per engine call with --jsonl (as a scan hands over segments)
# plain-text files up to this size are decoded in-process by `dlp inspect FILE`: far below the extraction
# limits (ExtractConfig.max_chars), so reading them in the child could not stop early either
INLINE_TEXT_FILE_BYTES = 1 << 20


class InspectFormat(str, Enum):
    jsonl = "jsonl"
    sarif = "sarif"


@app.command(epilog=EXIT_CODES_HELP)
def inspect(
    ctx: typer.Context,
    path: Optional[str] = typer.Argument(None, metavar="FILE", help="A file to inspect, or - for stdin."),
    jsonl: Optional[Path] = typer.Option(
        None, "--jsonl", metavar="FILE", help='JSONL of {"id": ..., "text": ...} records (- for stdin).'
    ),
    rules: Optional[list[str]] = typer.Option(
        None, "--rules", "-r", metavar="PATH", help="Rule files or folders, repeatable (default: the built-in policy)."
    ),
    min_likelihood: Optional[str] = typer.Option(
        None, metavar="LIKELIHOOD", help="Drop findings below this likelihood (VERY_UNLIKELY ... VERY_LIKELY)."
    ),
    policy: Optional[str] = typer.Option(
        None, "--policy", "-p", metavar="NAME|FILE", help="A built-in policy by name (default, full) or a policy file."
    ),
    fmt: InspectFormat = typer.Option(
        InspectFormat.jsonl, "--format", "-f", metavar="jsonl|sarif",
        help="jsonl, or sarif (one SARIF 2.1.0 log, for code review and CI).",
    ),  # fmt: skip
    fail_on: Optional[str] = fail_on_option(),
    skip_bad_lines: bool = typer.Option(
        False, "--skip-bad-lines", help="With --jsonl: report a malformed line on stderr and go on."
    ),
    verbose: bool = verbose_option(),
) -> None:
    """Print findings in a file, stdin or JSONL records as JSON lines.

    One line per finding: {"start", "end", "entity", "rule_id", "score"}, plus "location" for documents.
    With --jsonl, one line per record: {"id", "findings": [...]}.
    """
    from dlp.exitcodes import at_or_above

    if jsonl is None and path is None:
        _fail("give a file, - for stdin, or --jsonl FILE")
    spec = (tuple(rules or ()), policy, min_likelihood)
    severities: list[str] = []  # of every finding reported, for --fail-on
    loaded: list[Any] = []

    def engine() -> Any:
        """The rules loaded in this process: for SARIF, or when no `dlp daemon` answers."""
        if not loaded:
            from detectors.engine import Engine, EngineSpec

            loaded.append(Engine.from_spec(EngineSpec(rule_paths=spec[0], policy_path=spec[1], min_likelihood=spec[2])))
            _check_engine(loaded[0])
        return loaded[0]

    def analyze(text: str) -> list[Any]:
        matches = engine().analyze(text)
        severities.extend(m.severity for m in matches)
        return matches

    resident = None if fmt is InspectFormat.sarif else _resident_inspector(*spec)

    def found_batch(texts: list[str], headers: list[str] | None = None) -> list[list[dict[str, Any]]]:
        """Findings as printed, per text (read under its column header, if any)."""
        answered = resident(texts, headers) if resident is not None else None
        if answered is not None:
            severities.extend(finding.pop("severity") for findings in answered for finding in findings)
            return answered
        from dlp.cells import analyze_cell

        if headers is None:
            batches = engine().analyze_batch(texts)
        else:
            batches = [analyze_cell(engine().analyze, text, header) for text, header in zip(texts, headers)]
        severities.extend(m.severity for matches in batches for m in matches)
        return [[m.inspect_json() for m in matches] for matches in batches]

    if fmt is InspectFormat.sarif:
        from dlp.export.sarif import inspect_sarif

        inspect_sarif(analyze, path, jsonl, sys.stdout.buffer)  # its input errors are DlpErrors: exit 2
        code = ExitCode.OK
    elif jsonl is not None:
        code = _inspect_jsonl(jsonl, found_batch, skip_bad_lines)
    else:
        found = lambda text, header="": found_batch([text], [header] if header else None)[0]  # noqa: E731
        if path == "-":
            code = _inspect_bytes("stdin", sys.stdin.buffer.read(), None, found)
        else:
            try:
                data = Path(str(path)).read_bytes()
            except OSError as exc:
                _fail(f"cannot read {path}: {exc.strerror}")
            code = _inspect_bytes(str(path), data, Path(str(path)).name, found)
    if code is ExitCode.OK and fail_on is not None and any(at_or_above(s, fail_on) for s in severities):
        code = ExitCode.FINDINGS
    raise typer.Exit(code)


def _resident_inspector(rules: tuple[str, ...], policy: str | None, floor: str | None) -> Any:
    """A function giving findings per text from a running `dlp daemon` (None when it does not answer), or
    None when DLP_NO_DAEMON turns that off. Its answers carry each finding's severity, for --fail-on."""
    if os.environ.get("DLP_NO_DAEMON", "").strip().lower() in ("1", "true", "yes", "on"):
        return None
    from dlp.inspectd import InspectRequest, absolute_paths, inspect_remote

    rule_paths, policy = absolute_paths(rules, policy)
    return lambda texts, headers=None: inspect_remote(InspectRequest(list(texts), rule_paths, policy, floor, headers))


def _inspect_bytes(name: str, data: bytes, filename: str | None, found: Any) -> ExitCode:
    """Plain UTF-8 text is inspected as it is (offsets into it); anything else is extracted as a scan extracts
    a download (in a killable child process, with the scan's limits)."""
    from dlp.extract import sniff_type
    from dlp.inspect import extract_untrusted_file, file_summary

    kind = sniff_type(data, filename)
    if filename is None and kind in ("txt", "unknown"):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            _fail(f"{name}: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}) and not a "
                  "document type dlp reads")  # fmt: skip
        for finding in found(text):
            print_json(finding)
        return ExitCode.OK
    if kind == "txt" and len(data) <= INLINE_TEXT_FILE_BYTES:
        # a small plain-text file has no parser to isolate and cannot reach a limit: decoded here, as the
        # child would decode it, it gives the same findings without starting a Python process (about 0.5 s)
        from dlp.extract.textdecode import decode_text

        text = decode_text(data)
        if text and not text.isspace():
            for finding in found(text):
                print_json(finding)
        return ExitCode.OK
    result = extract_untrusted_file(data, filename or name)
    for part in result.parts:  # text read before a limit stopped the file is inspected too
        for finding in found(part.text, part.context):  # a cell under its column header (dlp.cells)
            if part.location:
                finding["location"] = part.location
            print_json(finding)
    summary = file_summary(name, result)
    if summary is not None:  # not read whole: say so on stdout and stderr, and exit 3 (incomplete)
        print_json(summary)
        _error(f"{name}: {result.outcome.value}, not read whole: {result.reason}")
        return ExitCode.INCOMPLETE
    return ExitCode.OK


def _inspect_jsonl(source: Path, found_batch: Any, skip_bad_lines: bool) -> ExitCode:
    """Records go through the engine in batches (NER batches them); a bad line stops, or is skipped and reported."""
    name = "stdin" if str(source) == "-" else str(source)
    try:
        data = sys.stdin.buffer.read() if str(source) == "-" else source.read_bytes()
    except OSError as exc:
        _fail(f"cannot read {name}: {exc.strerror}")
    batch: list[tuple[Any, str]] = []

    def flush() -> None:
        for (record_id, _), findings in zip(batch, found_batch([text for _, text in batch])):
            print_json({"id": record_id, "findings": findings})
        batch.clear()

    skipped = 0
    for number, raw in enumerate(data.splitlines(), 1):
        problem = None
        try:
            line = raw.decode("utf-8")
            if not line.strip():
                continue
            record = json.loads(line)
            if not isinstance(record, dict) or not isinstance(record.get("text"), str):
                problem = 'expected a JSON object with "id" and a string "text"'
        except UnicodeDecodeError as exc:
            problem = f"not UTF-8 (byte 0x{raw[exc.start]:02x} at column {exc.start + 1})"
        except json.JSONDecodeError as exc:
            problem = f"not JSON ({exc.msg} at column {exc.colno})"
        if problem is not None:
            if not skip_bad_lines:
                flush()  # the records before the bad line are still reported
                _fail(f"{name}:{number}: {problem} (--skip-bad-lines goes on past such lines)")
            _warn(f"{name}:{number}: skipped: {problem}")
            skipped += 1
            continue
        batch.append((record.get("id"), record["text"]))
        if len(batch) >= JSONL_BATCH:
            flush()
    flush()
    if skipped:
        _warn(f"{name}: {skipped} bad line(s) skipped")
    return ExitCode.OK


def main() -> None:
    app()


if __name__ == "__main__":
    main()
