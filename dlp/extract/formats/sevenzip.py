"""7-Zip archives (py7zr), under the same limits as a ZIP: declared sizes judged first, then capped while inflating."""

from __future__ import annotations

import io
from collections.abc import Iterator

from dlp.extract.config import RATIO_FLOOR_BYTES
from dlp.extract.context import ExtractContext
from dlp.extract.dispatch import iter_member
from dlp.extract.errors import Corrupt, Encrypted, LimitExceeded
from dlp.extract.formats.archive import container_too_deep, member_name
from dlp.extract.model import TextPart


def iter_7z(data: bytes, ctx: ExtractContext) -> Iterator[TextPart]:
    import py7zr  # imported here: only 7z files need it
    from py7zr.io import BytesIOFactory

    if container_too_deep(ctx, "archive"):
        return
    budget = ctx.budget
    config = ctx.config
    try:
        archive = py7zr.SevenZipFile(io.BytesIO(data), mode="r", max_extract_size=budget.decompressed_left)
    except py7zr.exceptions.PasswordRequired:
        raise Encrypted("the 7-Zip archive's file list is password-protected") from None
    except Exception as exc:
        raise Corrupt(f"not a readable 7-Zip archive ({type(exc).__name__})") from None
    with archive:
        if archive.needs_password():
            raise Encrypted("the 7-Zip archive is password-protected")
        entries = [entry for entry in archive.list() if not entry.is_directory]
        expanded = sum(entry.uncompressed or 0 for entry in entries)
        ratio = expanded / max(len(data), 1)
        if expanded > RATIO_FLOOR_BYTES and ratio > config.max_compression_ratio:
            raise LimitExceeded(
                f"{ctx.label()} expands {ratio:,.0f} times (max_compression_ratio is "
                f"{config.max_compression_ratio:g}; possible decompression bomb)"
            )
        budget.spend_decompressed(expanded, ctx.label())
        wanted: list[str] = []
        for entry in entries:
            if len(wanted) >= budget.members_left:
                budget.note(
                    f"{len(entries) - len(wanted):,} archive members not opened (max_archive_members)", truncated=True
                )
                break
            if (entry.uncompressed or 0) > config.max_file_bytes:
                budget.note(f"{ctx.member(member_name(entry.filename)).path}: too_large (max_file_mb)", truncated=True)
                continue
            wanted.append(entry.filename)
        factory = BytesIOFactory(config.max_file_bytes + 1)
        try:
            archive.extract(targets=wanted, factory=factory)
        except py7zr.exceptions.DecompressionBombError:
            raise LimitExceeded(f"{ctx.label()} expands past max_decompressed_mb (possible decompression bomb)") from None
        except Exception as exc:
            raise Corrupt(f"the 7-Zip archive is damaged ({type(exc).__name__})") from None
    for name in wanted:
        budget.check_time()
        product = factory.products.get(name)
        if product is None:
            continue
        product.seek(0)
        yield from iter_member(product.read(), ctx.member(member_name(name)))
