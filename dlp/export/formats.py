"""The export formats: one module each with `write(findings, out) -> count`, looked up by name here."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from typing import BinaryIO

from dlp.export.records import Record

Writer = Callable[[Iterable[Record], BinaryIO], int]

# format name -> module with `write`, imported on first use (Parquet pulls in pyarrow.parquet)
_WRITERS: dict[str, str] = {
    "ocsf": "dlp.export.ocsf",
    "jsonl": "dlp.export.jsonl",
    "csv": "dlp.export.csvfile",
    "parquet": "dlp.export.parquet",
    "sarif": "dlp.export.sarif",
}
FORMATS = tuple(_WRITERS)  # dlp.config.EXPORT_FORMATS checks `export.format` against the same names (a test keeps them equal)


def writer(name: str) -> Writer:
    try:
        module = _WRITERS[name]
    except KeyError:
        raise ValueError(f"unknown export format {name!r} (one of {', '.join(FORMATS)})") from None
    return importlib.import_module(module).write  # type: ignore[no-any-return]
