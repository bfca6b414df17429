"""Options every `dlp` command spells the same way: `--format text|json` and the JSON writer behind it.

A command with a summary takes `fmt: Format = format_option()` and, for `json`,
writes one JSON object on stdout with `print_json` (progress, warnings and
errors stay on stderr), so `dlp <command> --format json | jq` always works.
"""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import typer


class Format(str, Enum):
    text = "text"
    json = "json"


def format_option() -> Any:
    return typer.Option(Format.text, "--format", "-f", metavar="text|json",
                        help="text for people, json for scripts (one JSON object on stdout).")  # fmt: skip


def _json_default(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return str(value)


def print_json(value: Any) -> None:
    """One JSON document on one line of stdout."""
    sys.stdout.write(json.dumps(value, default=_json_default, ensure_ascii=False) + "\n")
