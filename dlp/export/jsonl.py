"""JSON Lines: one export record per line, every column, timestamps in ISO 8601 UTC."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import BinaryIO

from dlp.export.records import Record, json_value


def write(findings: Iterable[Record], out: BinaryIO) -> int:
    count = 0
    for record in findings:
        out.write(json.dumps(record, default=json_value, ensure_ascii=False).encode("utf-8") + b"\n")
        count += 1
    return count
