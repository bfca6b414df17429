"""Files embedded in Office documents (word/embeddings/, xl/embeddings/, ppt/embeddings/).

A spreadsheet pasted into a Word document lives there as a whole XLSX; it
is read as a member of the document, like an archive entry, under the same
depth, member and size limits.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator

from dlp.extract.context import ExtractContext
from dlp.extract.errors import ExtractionStopped
from dlp.extract.formats.eml import attachment_parts
from dlp.extract.model import TextPart
from dlp.extract.zipguard import ZIP_ERRORS, read_member

EMBEDDING_FOLDERS = ("word/embeddings/", "xl/embeddings/", "ppt/embeddings/")


def iter_embedded(archive: zipfile.ZipFile, ctx: ExtractContext) -> Iterator[TextPart]:
    try:
        infos = [i for i in archive.infolist() if i.filename.startswith(EMBEDDING_FOLDERS) and not i.is_dir()]
    except ZIP_ERRORS:
        return
    files: list[tuple[str, bytes]] = []
    for info in infos:
        if info.file_size > ctx.config.max_file_bytes:
            ctx.budget.note(f"{ctx.prefix}embedded {info.filename}: too_large (max_file_mb)", truncated=True)
            continue
        try:
            files.append((info.filename, read_member(archive, info)))
        except ExtractionStopped as stop:
            ctx.budget.note(
                f"{ctx.prefix}embedded {info.filename}: {stop.outcome.value} ({stop.reason})", truncated=True
            )
    yield from attachment_parts(files, ctx, "embedded files")
