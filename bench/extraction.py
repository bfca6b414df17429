"""Extraction: our `extract()` against the underlying library called directly, per format.

The files and the bare-library readers are those of `bench/extract_bench.py`
(the extraction engineer's benchmark, which also measures the isolated worker
and memory on large files): every file is made by the real library from a
fixed seed, and each bare reader reads the same text our extractor reads.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from typing import Any

from bench import extract_bench as files
from bench.timing import time_rounds
from dlp.extract import ExtractConfig, extract

# Every generated format that a library also reads, so that the overhead has a baseline (OCR only
# where the Tesseract binary is installed).
FORMATS = tuple(
    row for row in files.GENERATED if row[4] is not None and (row[0] != "png" or shutil.which("tesseract"))
)


def run_extraction(scale: float, rounds: int, progress: Callable[[str], None] = print) -> dict[str, Any]:
    """Per format: bytes, parts, characters, bare-library and extract() seconds, and the overhead."""
    config = ExtractConfig(timeout_seconds=600)
    results: dict[str, Any] = {"scale": scale, "formats": {}}
    for kind, name, make, size, bare in FORMATS:
        progress(f"extraction: {kind}")
        data = make(max(1, int(size * scale)))
        result = extract(data, name, config)
        if result.outcome.value != "scanned":
            results["formats"][kind] = {"error": f"{result.outcome.value}: {result.reason}"}
            continue
        library, _ = time_rounds(lambda d=data, b=bare: b(d), rounds, 1, len(data))  # type: ignore[misc]
        ours, _ = time_rounds(lambda d=data, n=name: extract(d, n, config), rounds, 1, len(data))
        results["formats"][kind] = {
            "mb": round(len(data) / 1e6, 3), "parts": len(result.parts), "chars": result.chars,
            "library": library.to_json(), "extract": ours.to_json(),
            "overhead": round(ours.median / library.median - 1, 3),
        }  # fmt: skip
    overheads = [f["overhead"] for f in results["formats"].values() if "overhead" in f]
    results["worst_overhead"] = max(overheads) if overheads else None
    results["worst_format"] = max(
        (k for k, f in results["formats"].items() if "overhead" in f),
        key=lambda k: results["formats"][k]["overhead"],
        default=None,
    )
    return results
