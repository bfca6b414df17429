"""Parquet with typed columns (timestamps in UTC, offsets as int64, tags as a list of strings)."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import islice
from typing import BinaryIO

import pyarrow as pa
import pyarrow.parquet as pq

from dlp.export.records import NAMES, SCHEMA, Record

ROW_GROUP = 50_000


def write(findings: Iterable[Record], out: BinaryIO) -> int:
    rows = iter(findings)
    count = 0
    with pq.ParquetWriter(out, SCHEMA, compression="zstd") as writer:
        while chunk := list(islice(rows, ROW_GROUP)):
            columns = {name: [record.get(name) for record in chunk] for name in NAMES}
            writer.write_table(pa.Table.from_pydict(columns, schema=SCHEMA))
            count += len(chunk)
    return count
