"""ZIP archives: every member read as the file it is, nested archives included, within the limits.

Depth, member count and decompressed bytes are limits of the whole file, so
an archive of archives cannot multiply them. A member that cannot be read
(encrypted, corrupt, excluded) is named in the reason and the others go on.
"""

from __future__ import annotations

from collections.abc import Iterator

from dlp.extract.context import ExtractContext
from dlp.extract.dispatch import iter_member
from dlp.extract.errors import Encrypted, ExtractionStopped
from dlp.extract.model import TextPart
from dlp.extract.zipguard import open_zip, read_member

ENCRYPTED_FLAG = 0x1


def member_name(raw: str) -> str:
    """A member's name as shown in locations: no control characters, no leading slashes."""
    cleaned = "".join(ch if ch.isprintable() else "?" for ch in raw.replace("\\", "/"))
    return cleaned.lstrip("/") or "unnamed"


def container_too_deep(ctx: ExtractContext, what: str) -> bool:
    """True (and noted) when this container's members would be nested past max_archive_depth."""
    limit = ctx.config.max_archive_depth
    if ctx.depth < limit:
        return False
    ctx.budget.note(
        f"{ctx.label()}: {what} nested deeper than {limit} levels not opened (max_archive_depth)", truncated=True
    )
    return True


def iter_zip(data: bytes, ctx: ExtractContext) -> Iterator[TextPart]:
    if container_too_deep(ctx, "archive"):
        return
    budget = ctx.budget
    config = ctx.config
    with open_zip(data, ctx, "ZIP") as archive:
        members = [info for info in archive.infolist() if not info.is_dir()]
        encrypted = 0
        for index, info in enumerate(members):
            budget.check_time()
            if budget.members_left <= 0:
                budget.note(
                    f"{len(members) - index:,} archive members not opened (max_archive_members is "
                    f"{config.max_archive_members:,})",
                    truncated=True,
                )
                break
            if info.flag_bits & ENCRYPTED_FLAG:
                encrypted += 1
                continue
            member = ctx.member(member_name(info.filename))
            if info.file_size > config.max_file_bytes:
                budget.note(f"{member.path}: too_large (over {config.max_file_mb:g} MB, max_file_mb)", truncated=True)
                continue
            try:
                content = read_member(archive, info)
            except ExtractionStopped as stop:
                budget.note(f"{member.path}: {stop.outcome.value} ({stop.reason})", truncated=True)
                continue
            yield from iter_member(content, member)
    if encrypted and encrypted == len(members):
        raise Encrypted(f"all {encrypted} members of the archive are password-protected")
    if encrypted:
        budget.note(f"{encrypted} password-protected archive member(s) not read", truncated=True)
