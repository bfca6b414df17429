"""Open ZIP containers (archives and the OOXML formats) only after judging what they expand to.

`zipfile` never yields more than an entry's declared size and checks its
CRC, so judging the declared sizes up front bounds what reading can cost:
the whole budget (max_decompressed_mb, shared by everything nested in one
file) and the ratio of expanded to stored bytes (max_compression_ratio).
Overlapping entries, the trick of the densest zip bombs, are counted once
per entry and so exhaust the budget too.
"""

from __future__ import annotations

import io
import zipfile

from dlp.extract.config import RATIO_FLOOR_BYTES
from dlp.extract.context import ExtractContext
from dlp.extract.errors import Corrupt, LimitExceeded, Unsupported

ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, KeyError)


def open_zip(data: bytes, ctx: ExtractContext, kind: str = "ZIP") -> zipfile.ZipFile:
    """A ZipFile over `data`, once its declared expansion fits the file's budget."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except ZIP_ERRORS as exc:
        raise Corrupt(f"not a readable {kind} container ({type(exc).__name__})") from None
    expanded = sum(info.file_size for info in infos)
    ratio = expanded / max(len(data), 1)
    config = ctx.config
    if expanded > RATIO_FLOOR_BYTES and ratio > config.max_compression_ratio:
        zf.close()
        raise LimitExceeded(
            f"{ctx.label()} expands {ratio:,.0f} times (max_compression_ratio is {config.max_compression_ratio:g}; "
            "possible zip bomb)"
        )
    try:
        ctx.budget.spend_decompressed(expanded, ctx.label())
    except LimitExceeded:
        zf.close()
        raise
    return zf


def read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """One entry's bytes; a damaged entry is Corrupt, an unknown compression method Unsupported."""
    try:
        with zf.open(info) as stream:
            return stream.read()
    except NotImplementedError:
        raise Unsupported(f"compression method {info.compress_type} is not supported") from None
    except MemoryError:
        raise
    except Exception as exc:  # BadZipFile (bad CRC), zlib.error, lzma.LZMAError, EOFError, RuntimeError ...
        raise Corrupt(f"damaged entry ({type(exc).__name__})") from None
