"""Findings out of the store: OCSF, JSONL, CSV, Parquet and SARIF, with named incremental cursors.

write = writer("ocsf")                      # every format: write(records, binary_out) -> count
with Store(db) as store:                    # a writer connection keeps the cursor
    result = export(store.con, "ocsf", "out/findings.ocsf.jsonl", Selection(), LinkTemplates(), cursor="siem")
records = iter_records(con, sql, params, links)   # rows of EXPORT_SQL as dicts, one shape for all formats
"""

from dlp.export.formats import FORMATS, Writer, writer
from dlp.export.records import COLUMNS, EXPORT_SQL, NAMES, SCHEMA, Record, item_link, iter_records, json_value
from dlp.export.runner import ExportError, ExportResult, Selection, export, get_cursor, parse_since

__all__ = [
    "COLUMNS",
    "EXPORT_SQL",
    "FORMATS",
    "NAMES",
    "SCHEMA",
    "ExportError",
    "ExportResult",
    "Record",
    "Selection",
    "Writer",
    "export",
    "get_cursor",
    "item_link",
    "iter_records",
    "json_value",
    "parse_since",
    "writer",
]
