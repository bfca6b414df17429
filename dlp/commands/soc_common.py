"""What `dlp export`, `dlp triage` and `dlp alerts` share: the config, the database, errors."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn, Optional, TypeVar

import typer

from dlp.commands.options import config_option, db_option
from dlp.config import ConfigError, ScanConfig, find_config, load_config
from dlp.errors import DlpError
from dlp.exitcodes import for_error

if TYPE_CHECKING:  # duckdb and pyarrow are imported by the commands that open the database, not by `dlp inspect`
    import duckdb

    from dlp.store.db import Store

ConfigOption = config_option()  # $DLP_CONFIG, else ./dlp.yaml, $XDG_CONFIG_HOME/dlp/dlp.yaml, /etc/dlp/dlp.yaml
DbOption = db_option()  # $DLP_DB


def fail(message: str, code: int = 2) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def say(message: str) -> None:
    typer.echo(message, err=True)


def config_for(config: Optional[Path], db: Optional[str]) -> ScanConfig:
    try:
        cfg = load_config(find_config(config))
    except ConfigError as exc:
        fail(str(exc))
    if db:
        cfg = cfg.replace(store=dataclasses.replace(cfg.store, database=db))
    return cfg


def writer(cfg: ScanConfig) -> Store:
    """The database for writing (triage decisions, cursors, outbox states); waits for a running scan."""
    path = Path(cfg.store.database)
    if not path.exists():
        fail(f"{path}: no findings database here (run `dlp scan` or `dlp demo` first)")
    from dlp.store.db import Store

    return Store(path, lock_wait_seconds=cfg.store.lock_wait_seconds, on_wait=say)


T = TypeVar("T")


def read(cfg: ScanConfig, run: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
    """`run` on a read-only connection (it reads the database and nothing else)."""
    from dlp.store.db import Store

    try:
        with Store(cfg.store.database, read_only=True) as store:
            return run(store.con)
    except FileNotFoundError as exc:
        fail(str(exc))
    except DlpError as exc:  # a busy database: 4, try again; see dlp.exitcodes
        fail(str(exc), for_error(exc))


def show(columns: list[str], rows: list[tuple[Any, ...]], fmt: str = "table") -> None:
    from dlp.cli import print_table

    print_table(None, columns, rows, fmt)
