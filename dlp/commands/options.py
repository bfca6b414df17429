"""Options every `dlp` command spells the same way, and the JSON writer behind `--format json`.

A command with a summary takes `fmt: Format = format_option()` and, for `json`,
writes one JSON object on stdout with `print_json` (progress, warnings and
errors stay on stderr), so `dlp <command> --format json | jq` always works.
`--config`, `--db`, `--api-url` and `--workspace-id` read `DLP_CONFIG`,
`DLP_DB`, `DLP_API_URL` and `DLP_WORKSPACE_ID` when not given; `--verbose`
also tells the top-level error handler (`CliState`) to print a bug's trace.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from enum import Enum
from typing import Any

import typer

from dlp.jsontext import json_value


class Format(str, Enum):
    text = "text"
    json = "json"


def format_option() -> Any:
    return typer.Option(Format.text, "--format", "-f", metavar="text|json",
                        help="text for people, json for scripts (one JSON object on stdout).")  # fmt: skip


def print_json(value: Any) -> None:
    """One JSON document on one line of stdout (timestamps in ISO 8601, decimals as numbers, as exports write them)."""
    sys.stdout.write(json.dumps(value, default=json_value, ensure_ascii=False) + "\n")


@dataclass
class CliState:
    """Options that matter after a command has failed (the top-level error handler reads them)."""

    verbose: bool = False
    secrets: tuple[str, ...] = ()  # values to mask in any message (the API key)


def _remember(ctx: typer.Context, param: typer.CallbackParam, value: bool) -> bool:
    if value and param.name == "verbose":
        ctx.find_root().ensure_object(CliState).verbose = True
    return value


def verbose_option() -> Any:
    return typer.Option(False, "--verbose", "-v", callback=_remember,
                        help="More detail on stderr: each stream and log file, retries, the config file used, "
                             "and the trace of an unexpected error.")  # fmt: skip


def quiet_option() -> Any:
    return typer.Option(False, "--quiet", "-q", help="No progress and no summary; errors and warnings only.")


def config_option() -> Any:
    return typer.Option(
        None, "--config", "-c", envvar="DLP_CONFIG", metavar="FILE",
        help="YAML configuration file. Default: the first of ./dlp.yaml, $XDG_CONFIG_HOME/dlp/dlp.yaml "
             "(~/.config/dlp/dlp.yaml), /etc/dlp/dlp.yaml.",
    )  # fmt: skip


def db_option(default_help: str = "store.database of the config, else dlp.duckdb") -> Any:
    return typer.Option(None, "--db", envvar="DLP_DB", metavar="FILE",
                        help=f"DuckDB findings database (default: {default_help}).")  # fmt: skip


def api_url_option() -> Any:
    return typer.Option(None, "--api-url", envvar="DLP_API_URL", metavar="URL",
                        help="Compliance API base URL (default: api.url of the config, else https://api.chatgpt.com/v1).")  # fmt: skip


def workspace_option() -> Any:
    return typer.Option(None, "--workspace-id", envvar="DLP_WORKSPACE_ID", metavar="UUID",
                        help="ChatGPT Enterprise workspace id (default: api.workspace_id of the config).")  # fmt: skip
