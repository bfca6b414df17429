"""`dlp alerts ...`: the outbox's state, a delivery pass on demand, and requeueing what was given up."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

import typer

from dlp.commands.soc_common import ConfigOption, DbOption, config_for, fail, read, say, show, writer

app = typer.Typer(help="Webhook alerts: outbox status, send due alerts, requeue failed or in-doubt ones.", no_args_is_help=True)


@app.command()
def status(
    db: Optional[str] = DbOption,
    config: Optional[Path] = ConfigOption,
    format: str = typer.Option("table", "--format", "-f", help="table, csv or json."),
) -> None:
    """Alerts per receiver and state (pending, sent, failed, unknown, suppressed), with an example error."""
    from dlp.alerts import status as outbox_status

    show(*read(config_for(config, db), outbox_status), format)


@app.command()
def send(
    seconds: Optional[float] = typer.Option(None, help="Longest time to spend (default: alerts.deliver_seconds)."),
    db: Optional[str] = DbOption,
    config: Optional[Path] = ConfigOption,
) -> None:
    """Deliver due alerts now (a scan does this after each run)."""
    from dlp.alerts import Deliverer

    cfg = config_for(config, db)
    if not cfg.alerts.receivers:
        fail("no alerts.receivers in the configuration (give it with --config)")
    with writer(cfg) as store, Deliverer(store.con, cfg.alerts, cfg.export.links) as deliverer:
        report = deliverer.run(seconds)
    for error in report.errors:
        say(f"warning: {error}")
    say(report.summary())


@app.command()
def retry(
    state: list[str] = typer.Option(["failed"], "--state", help="failed and/or unknown (in doubt: may be a repeat)."),
    receiver: Optional[str] = typer.Option(None, help="Only this receiver."),
    db: Optional[str] = DbOption,
    config: Optional[Path] = ConfigOption,
) -> None:
    """Put given-up or in-doubt alerts back in the queue; the next delivery pass sends them."""
    from dlp.alerts import requeue

    if not set(state) <= {"failed", "unknown"}:
        fail("--state must be failed or unknown")
    cfg = config_for(config, db)
    with writer(cfg) as store:
        n = requeue(store.con, state, receiver, datetime.now(timezone.utc))
    say(f"{n} alerts requeued")
