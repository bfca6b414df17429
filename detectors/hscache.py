"""A disk cache of compiled Hyperscan databases, keyed by exactly what was compiled.

Compiling a large rule set takes seconds (some patterns alone take many), and
every scan worker would pay it again. The compiled database is serialized once
per distinct (Hyperscan version, expressions, flags) and loaded in milliseconds
afterwards. Rejections are cached too, so a rule set that needs demotions does
not bisect again on every start. The cache holds no text, only compiled
patterns; where it lives and how it is turned off is in `cachedir`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path

import hyperscan

from detectors.cachedir import cache_dir, write_atomic

Expressions = Sequence[tuple[bytes, int, object]]
Compiler = Callable[[Expressions], "tuple[hyperscan.Database | None, dict[int, str]]"]


def _key(expressions: Expressions) -> str:
    digest = hashlib.sha256()
    digest.update(str(getattr(hyperscan, "__version__", "")).encode())
    digest.update(hyperscan.__file__.encode() if hasattr(hyperscan, "__file__") else b"")
    for expression, flags, _ in expressions:
        digest.update(len(expression).to_bytes(8, "little"))
        digest.update(expression)
        digest.update(int(flags).to_bytes(8, "little"))
    return digest.hexdigest()


def compile_cached(
    expressions: Expressions, compile_fn: Compiler, directory: Path | None = None
) -> tuple[hyperscan.Database | None, dict[int, str]]:
    """`compile_fn(expressions)`, answered from the cache when the same expressions were compiled before."""
    directory = directory or cache_dir()
    if directory is None:
        return compile_fn(expressions)
    key = _key(expressions)
    database_path = directory / f"hs-{key}.db"
    failures_path = directory / f"hs-{key}.failed.json"
    try:
        if database_path.exists():
            database = hyperscan.loadb(database_path.read_bytes(), mode=hyperscan.HS_MODE_BLOCK)
            database.scratch = hyperscan.Scratch(database)
            return database, {}
        if failures_path.exists():
            return None, {int(k): v for k, v in json.loads(failures_path.read_text()).items()}
    except (OSError, ValueError, hyperscan.error):
        pass  # unreadable or stale: compile afresh
    database, failed = compile_fn(expressions)
    try:
        if database is not None:
            write_atomic(database_path, hyperscan.dumpb(database))
        else:
            write_atomic(failures_path, json.dumps(failed).encode())
    except (OSError, hyperscan.error):
        pass  # a read-only home or a full disk only costs the next start its compile time
    return database, failed
