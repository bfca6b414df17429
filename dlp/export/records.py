"""The exported finding: one record shape, read from `findings_current`, for every format and alert.

A record holds what an analyst needs and nothing the store does not keep: the masked snippet and
the keyed fingerprint, never a raw value. Its columns and their types are declared once here
(`COLUMNS`), so JSONL, CSV and Parquet agree, and OCSF, SARIF and alert bodies map from them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime, timezone
from typing import Any

import duckdb
import pyarrow as pa

from dlp.config import LinkTemplates
from dlp.jsontext import json_value  # noqa: F401  (exports and alerts import it from here)

Record = dict[str, Any]

_TS = pa.timestamp("us", tz="UTC")

# (column, Arrow type): the export's columns in order. `link` is computed from the templates.
COLUMNS: tuple[tuple[str, pa.DataType], ...] = (
    ("finding_id", pa.string()),
    ("found_at", _TS),
    ("scan_id", pa.string()),
    ("rule_id", pa.string()),
    ("entity", pa.string()),
    ("severity", pa.string()),
    ("score", pa.float64()),
    ("likelihood", pa.string()),
    ("detector", pa.string()),
    ("item_id", pa.string()),
    ("item_kind", pa.string()),
    ("item_created_at", _TS),
    ("workspace_id", pa.string()),
    ("user_id", pa.string()),
    ("user_email", pa.string()),
    ("gpt_id", pa.string()),
    ("gpt_name", pa.string()),
    ("project_id", pa.string()),
    ("project_name", pa.string()),
    ("conversation_id", pa.string()),
    ("message_id", pa.string()),
    ("file_id", pa.string()),
    ("file_name", pa.string()),
    ("location", pa.string()),
    ("start_offset", pa.int64()),
    ("end_offset", pa.int64()),
    ("snippet", pa.string()),
    ("fingerprint", pa.string()),
    ("decoded", pa.bool_()),
    ("tags", pa.list_(pa.string())),
    ("triage_state", pa.string()),
    ("triage_note", pa.string()),
    ("triage_by", pa.string()),
    ("triage_at", _TS),
    ("suppressed", pa.bool_()),
    ("link", pa.string()),
)
NAMES = tuple(name for name, _ in COLUMNS)
SCHEMA = pa.schema(list(COLUMNS))

_JOINED = {"gpt_name": "g.name", "project_name": "p.name"}
_SELECT = ", ".join(_JOINED.get(name, f"f.{name}") + f" AS {name}" for name in NAMES if name != "link")

# Every finding as an export row; callers wrap it (`SELECT * FROM (...) AS finding WHERE ...`).
EXPORT_SQL = f"""SELECT {_SELECT}
FROM findings_current f
LEFT JOIN gpts g ON g.gpt_id = f.gpt_id
LEFT JOIN projects p ON p.project_id = f.project_id"""

FETCH_ROWS = 10_000


def item_link(record: Record, links: LinkTemplates) -> str | None:
    """The page an analyst opens: the conversation, else the GPT, else the project."""
    for field, template in (
        ("conversation_id", links.conversation),
        ("gpt_id", links.gpt),
        ("project_id", links.project),
    ):
        if record.get(field):
            return template.format_map({k: "" if v is None else v for k, v in record.items()})
    return None


def iter_records(
    con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any], links: LinkTemplates
) -> Iterator[Record]:
    """Stream the rows of `sql` (whose columns are NAMES less `link`) as records, a batch at a time."""
    cursor = con.execute(sql, list(params))
    columns = [d[0] for d in cursor.description]
    while rows := cursor.fetchmany(FETCH_ROWS):
        for row in rows:
            record = {name: _utc(value) for name, value in zip(columns, row)}
            record["tags"] = list(record.get("tags") or ())
            record["link"] = item_link(record, links)
            yield record


def _utc(value: Any) -> Any:
    # DuckDB hands TIMESTAMPTZ back in the machine's zone; exports are the same everywhere
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(timezone.utc)
    return value


def epoch_ms(value: datetime | None) -> int | None:
    return None if value is None else int(value.timestamp() * 1000)
