"""tar archives and single-file compressed streams (.gz, .bz2, .xz, and so .tar.gz, .tgz, .tar.bz2, .tar.xz).

A compressed stream is inflated in chunks against the same limits as a ZIP
(max_decompressed_mb for the whole file, max_compression_ratio past
RATIO_FLOOR_BYTES), so a gzip bomb stops after its first megabytes rather
than after filling memory. What it holds is read as the file it is: a tar's
members one by one, anything else as a single member.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import tarfile
import zlib
from collections.abc import Iterator
from pathlib import PurePosixPath

from dlp.extract.config import RATIO_FLOOR_BYTES
from dlp.extract.context import ExtractContext
from dlp.extract.dispatch import iter_member
from dlp.extract.errors import Corrupt, LimitExceeded
from dlp.extract.formats.archive import container_too_deep, member_name
from dlp.extract.model import TextPart
from dlp.extract.sniff import sniff_type

CHUNK = 64 * 1024  # a damaged stream loses at most this much of what precedes the damage
_OPENERS = {
    "gzip": lambda raw: gzip.GzipFile(fileobj=raw, mode="rb"),
    "bzip2": lambda raw: bz2.BZ2File(raw, mode="rb"),
    "xz": lambda raw: lzma.LZMAFile(raw, mode="rb"),
}
_DECOMPRESSION_ERRORS = (OSError, EOFError, zlib.error, lzma.LZMAError, ValueError)
_SUFFIXES = {".gz": "", ".tgz": ".tar", ".bz2": "", ".tbz2": ".tar", ".tbz": ".tar", ".xz": "", ".txz": ".tar"}


def iter_compressed(data: bytes, ctx: ExtractContext) -> Iterator[TextPart]:
    kind = sniff_type(data[:16])
    inner = _inflate(data, kind, ctx)
    if sniff_type(inner[:8192]) == "tar":
        yield from iter_tar(inner, ctx)
        return
    if container_too_deep(ctx, f"{kind} content"):
        return
    yield from iter_member(inner, ctx.member(inner_name(ctx.name)))


def inner_name(name: str) -> str:
    """`report.csv.gz` holds `report.csv`; `logs.tgz` holds `logs.tar`."""
    path = PurePosixPath(name.replace("\\", "/")).name or "content"
    suffix = PurePosixPath(path).suffix.lower()
    if suffix in _SUFFIXES:
        return path[: -len(suffix)] + _SUFFIXES[suffix] or "content"
    return path


def _inflate(data: bytes, kind: str, ctx: ExtractContext) -> bytes:
    """The decompressed bytes, read a chunk at a time so a bomb is stopped early."""
    opener = _OPENERS.get(kind)
    if opener is None:
        raise Corrupt("not a gzip, bzip2 or xz stream")
    config = ctx.config
    out = io.BytesIO()
    try:
        with opener(io.BytesIO(data)) as stream:
            while chunk := stream.read(CHUNK):
                out.write(chunk)
                expanded = out.tell()
                if expanded > RATIO_FLOOR_BYTES and expanded / max(len(data), 1) > config.max_compression_ratio:
                    raise LimitExceeded(
                        f"{ctx.label()} expands more than {config.max_compression_ratio:g} times "
                        "(max_compression_ratio; possible decompression bomb)"
                    )
                ctx.budget.spend_decompressed(len(chunk), ctx.label())
                ctx.budget.check_time()
    except _DECOMPRESSION_ERRORS as exc:
        if not out.tell():
            raise Corrupt(f"the {kind} stream is damaged ({type(exc).__name__})") from None
        ctx.budget.note(f"{ctx.label()}: the {kind} stream is cut short ({type(exc).__name__})", truncated=True)
    return out.getvalue()


def iter_tar(data: bytes, ctx: ExtractContext) -> Iterator[TextPart]:
    if container_too_deep(ctx, "archive"):
        return
    budget = ctx.budget
    config = ctx.config
    try:
        archive = tarfile.open(fileobj=io.BytesIO(data), mode="r:")
    except (tarfile.TarError, *_DECOMPRESSION_ERRORS) as exc:
        raise Corrupt(f"not a readable tar archive ({type(exc).__name__})") from None
    read = 0
    with archive:
        while True:
            budget.check_time()
            try:
                info = archive.next()
            except (tarfile.TarError, *_DECOMPRESSION_ERRORS) as exc:
                if not read:
                    raise Corrupt(f"the tar archive is damaged ({type(exc).__name__})") from None
                budget.note(f"{ctx.label()}: the tar archive is damaged after {read} members", truncated=True)
                return
            if info is None:
                return
            if not info.isfile():
                continue
            read += 1
            if budget.members_left <= 0:
                budget.note("archive members past the limit not opened (max_archive_members)", truncated=True)
                return
            member = ctx.member(member_name(info.name))
            if info.size > config.max_file_bytes:
                budget.note(f"{member.path}: too_large (over {config.max_file_mb:g} MB, max_file_mb)", truncated=True)
                continue
            handle = archive.extractfile(info)
            if handle is None:
                continue
            try:
                content = handle.read()
            except (tarfile.TarError, *_DECOMPRESSION_ERRORS) as exc:
                budget.note(f"{member.path}: corrupt ({type(exc).__name__})", truncated=True)
                continue
            yield from iter_member(content, member)
