"""`dlp export`: findings to a SIEM or a file as OCSF, JSONL, CSV, Parquet or SARIF."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

import typer

from dlp.commands.soc_common import ConfigOption, DbOption, config_for, fail, say, writer
from dlp.errors import DlpError
from dlp.exitcodes import for_error


def export(
    format: Optional[str] = typer.Option(None, "--format", "-f", help="ocsf, jsonl, csv, parquet or sarif (default: export.format, jsonl)."),
    out: str = typer.Option("-", "--out", "-o", help="File to write (written beside it, then renamed into place), a directory (a new file per run), or - for stdout."),
    since: Optional[str] = typer.Option(None, help="Only findings found since: 2026-07-01, 2026-07-01T12:00Z, 24h, 7d."),
    scan: Optional[str] = typer.Option(None, "--scan", help="Only findings first found by this scan id."),
    where: Optional[str] = typer.Option(None, help="A SQL condition on the exported columns, e.g. \"severity = 'critical'\"."),
    since_last: Optional[str] = typer.Option(
        None, "--since-last", help="Only findings not yet exported under this cursor name; the cursor moves after the output is written."
    ),
    include_suppressed: Optional[bool] = typer.Option(
        None, "--include-suppressed/--no-suppressed", help="Also export false positives (default: export.include_suppressed)."
    ),
    db: Optional[str] = DbOption,
    config: Optional[Path] = ConfigOption,
) -> None:
    """Export findings with their triage state: masked snippets and fingerprints, never raw values.

    For a SIEM from cron: `dlp export --format ocsf --since-last siem --out /var/spool/dlp/findings.ocsf.jsonl`.
    """
    import duckdb

    from dlp.export import FORMATS, ExportError, Selection, export as run_export, parse_since
    from dlp.store.db import Store

    cfg = config_for(config, db)
    fmt = format or cfg.export.format
    if fmt not in FORMATS:
        fail(f"--format must be one of {', '.join(FORMATS)}")
    if out == "-" and fmt == "parquet" and _is_terminal():
        fail("Parquet is binary: give --out FILE or redirect stdout")
    try:
        selection = Selection(
            since=parse_since(since, datetime.now(timezone.utc)) if since else None,
            scan_id=scan,
            where=where,
            include_suppressed=cfg.export.include_suppressed if include_suppressed is None else include_suppressed,
        )
        if since_last:
            store = writer(cfg)
            # --where is SQL of the user's own, but an export reads the database and nothing else
            store.con.execute("SET enable_external_access = false")
        else:
            store = Store(cfg.store.database, read_only=True)
        with store:
            result = run_export(store.con, fmt, out, selection, cfg.export.links, cursor=since_last)
    except FileNotFoundError as exc:
        fail(str(exc))
    except (ExportError, DlpError) as exc:
        fail(str(exc), for_error(exc))
    except duckdb.Error as exc:
        fail(f"export failed: {exc}")
    where_to = {"-": "stdout", "": out + " (nothing new: no file written)"}.get(result.path, result.path)
    moved = f"; cursor '{since_last}' now at {result.cursor['found_at']}" if result.cursor else ""
    say(f"{result.count} findings exported as {fmt} to {where_to}{moved}")


def _is_terminal() -> bool:
    import sys

    return sys.stdout.isatty()


def register(app: typer.Typer) -> None:
    """Mount `dlp export` on the main CLI: `export_commands.register(app)` in dlp/cli.py."""
    app.command("export")(export)
