"""How dlp writes values JSON has no type for: one function, so exports, alerts and `--format json` agree.

Kept apart from `dlp.export` so a command printing JSON does not import DuckDB and Arrow.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any


def json_value(value: Any) -> Any:
    """`json.dumps(default=...)`: timestamps as ISO 8601 UTC, decimals as numbers."""
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return str(value)
