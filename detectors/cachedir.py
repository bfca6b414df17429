"""Where dlp keeps its start-up caches, and how it writes and trusts them.

Two caches live here: compiled Hyperscan databases (`hscache`) and loaded rule sets
(`rulecache`). Both hold derived data only, never scanned text. The folder is
$DLP_CACHE_DIR, else $XDG_CACHE_HOME/dlp, else ~/.cache/dlp; `DLP_NO_CACHE=1` turns
both off. A cache that cannot be written is skipped silently: it only costs start-up time.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


def cache_dir() -> Path | None:
    """The cache folder, or None when caching is turned off."""
    if os.environ.get("DLP_NO_CACHE", "").strip().lower() in ("1", "true", "yes", "on"):
        return None
    explicit = os.environ.get("DLP_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "dlp"


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that a concurrent reader sees the old file or the whole new one."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def owned_and_private(path: Path) -> bool:
    """True when `path` and its folder belong to this user and nobody else can write them.

    A cached rule set is a pickle, and loading a pickle runs code: one planted in a shared or
    world-writable cache folder must never be loaded."""
    if not hasattr(os, "geteuid"):  # pragma: no cover - Windows: no owner ids to compare
        return True
    user = os.geteuid()
    try:
        for item in (path, path.parent):
            info = item.lstat()
            if info.st_uid != user or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH) or stat.S_ISLNK(info.st_mode):
                return False
    except OSError:
        return False
    return True
