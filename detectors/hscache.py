"""A disk cache of compiled Hyperscan databases, keyed by exactly what was compiled.

Compiling a large rule set takes seconds (some patterns alone take many), and
every scan worker would pay it again. The compiled database is serialized once
per distinct (Hyperscan version, expressions, flags) and loaded in milliseconds
afterwards. Rejections are cached too, so a rule set that needs demotions does
not bisect again on every start. The cache holds no text, only compiled
patterns; it lives in $DLP_CACHE_DIR, else $XDG_CACHE_HOME/dlp, else
~/.cache/dlp, and is skipped silently when that is not writable.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import hyperscan

Expressions = Sequence[tuple[bytes, int, object]]
Compiler = Callable[[Expressions], "tuple[hyperscan.Database | None, dict[int, str]]"]


def cache_dir() -> Path:
    explicit = os.environ.get("DLP_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "dlp"


def _key(expressions: Expressions) -> str:
    digest = hashlib.sha256()
    digest.update(str(getattr(hyperscan, "__version__", "")).encode())
    digest.update(hyperscan.__file__.encode() if hasattr(hyperscan, "__file__") else b"")
    for expression, flags, _ in expressions:
        digest.update(len(expression).to_bytes(8, "little"))
        digest.update(expression)
        digest.update(int(flags).to_bytes(8, "little"))
    return digest.hexdigest()


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)  # atomic: concurrent workers never read half a file
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def compile_cached(
    expressions: Expressions, compile_fn: Compiler, directory: Path | None = None
) -> tuple[hyperscan.Database | None, dict[int, str]]:
    """`compile_fn(expressions)`, answered from the cache when the same expressions were compiled before."""
    directory = directory or cache_dir()
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
            _write(database_path, hyperscan.dumpb(database))
        else:
            _write(failures_path, json.dumps(failed).encode())
    except (OSError, hyperscan.error):
        pass  # a read-only home or a full disk only costs the next start its compile time
    return database, failed
