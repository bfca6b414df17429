"""CSV with a header row: lists as JSON (`["a", "b"]`, not Python's `['a', 'b']`), timestamps in ISO 8601 UTC."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any, BinaryIO

from dlp.export.records import NAMES, Record, json_value


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, (list, tuple, dict)):
        return json.dumps(value, default=json_value, ensure_ascii=False)
    if isinstance(value, datetime):
        return json_value(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def write(findings: Iterable[Record], out: BinaryIO) -> int:
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    try:
        writer = csv.writer(text)
        writer.writerow(NAMES)
        count = 0
        for record in findings:
            writer.writerow([_cell(record.get(name)) for name in NAMES])
            count += 1
        text.flush()
        return count
    finally:
        text.detach()  # the caller owns `out`
