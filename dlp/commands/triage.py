"""`dlp triage ...`: mark findings by id or fingerprint, see their history, keep suppressions in git."""

from __future__ import annotations

import getpass
import os
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

import typer

from dlp.commands.soc_common import ConfigOption, DbOption, config_for, fail, read, say, show, writer

app = typer.Typer(
    help="Triage findings: false_positive, accepted_risk, resolved or open, by finding id or value fingerprint.",
    no_args_is_help=True,
)

STATES = ("false_positive", "accepted_risk", "resolved", "open")


def _analyst() -> str:
    try:
        return os.environ.get("DLP_ANALYST") or getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@app.command()
def mark(
    targets: list[str] = typer.Argument(..., help="Finding ids (32 hex) or fingerprints (64 hex); - reads them from stdin, one a line."),
    state: str = typer.Option(..., "--as", help="false_positive, accepted_risk, resolved or open."),
    note: Optional[str] = typer.Option(None, "--note", "-m", help="Why (kept with the decision)."),
    by: Optional[str] = typer.Option(None, "--by", help="Who decided (default: $DLP_ANALYST, else the login name)."),
    db: Optional[str] = DbOption,
    config: Optional[Path] = ConfigOption,
) -> None:
    """Record a decision. A fingerprint covers every finding of that value, now and in later scans;
    `false_positive` on a fingerprint suppresses it in later scans and alerts."""
    from dlp.triage import TriageError, TriageState, mark as record, parse_targets

    if state not in STATES:
        fail(f"--as must be one of {', '.join(STATES)}")
    values = [line for t in targets for line in (sys.stdin.read().split() if t == "-" else [t])]
    if not values:
        fail("no finding ids or fingerprints given")
    cfg = config_for(config, db)
    with writer(cfg) as store:
        try:
            parsed = parse_targets(store.con, values)
            n = record(store.con, parsed, TriageState(state), note=note, actor=by or _analyst(), now=datetime.now(timezone.utc))
        except TriageError as exc:
            fail(str(exc))
    kinds = sum(t.kind == "fingerprint" for t in parsed)
    say(f"{len(parsed)} marked {state} ({kinds} by fingerprint); {n} stored findings covered")


@app.command("show")
def show_history(
    target: str = typer.Argument(..., help="A finding id or a fingerprint."),
    db: Optional[str] = DbOption,
    config: Optional[Path] = ConfigOption,
    format: str = typer.Option("table", "--format", "-f", help="table, csv or json."),
) -> None:
    """Every decision about a finding (or its fingerprint), oldest first."""
    from dlp.triage import history

    show(*read(config_for(config, db), lambda con: history(con, target)), format)


@app.command()
def summary(
    db: Optional[str] = DbOption,
    config: Optional[Path] = ConfigOption,
    format: str = typer.Option("table", "--format", "-f", help="table, csv or json."),
) -> None:
    """Findings per triage state (from the findings_current view)."""
    from dlp.triage import summary as states

    show(*read(config_for(config, db), states), format)


@app.command()
def fingerprint(
    db: Optional[str] = DbOption,
    config: Optional[Path] = ConfigOption,
) -> None:
    """Print the fingerprint of a value read from stdin (never from the command line, which shells log).

    For a suppression file entry before the value is ever found: `dlp triage fingerprint < value.txt`.
    """
    from dlp.evidence import KEY_ENV, Fingerprinter

    cfg = config_for(config, db)
    path = Path(cfg.store.database)
    key_file = path.with_name(path.name + ".key")
    if not os.environ.get(KEY_ENV) and not key_file.exists():
        fail(f"no fingerprint key: neither ${KEY_ENV} nor {key_file} (a scan creates it)")
    value = sys.stdin.read().rstrip("\r\n")
    if not value:
        fail("give the value on stdin")
    print(Fingerprinter(Fingerprinter.key_for_database(path))(value))


@app.command()
def suppressions(
    out: Optional[Path] = typer.Option(None, "--out", "-o", help="Write the file here instead of stdout."),
    db: Optional[str] = DbOption,
    config: Optional[Path] = ConfigOption,
) -> None:
    """Print the fingerprints marked false_positive as a suppression file (`fingerprint: reason`) to keep in git."""
    from dlp.triage import false_positive_fingerprints, render

    entries = read(config_for(config, db), false_positive_fingerprints)
    text = render(entries)
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
        say(f"{len(entries)} fingerprints written to {out}")

