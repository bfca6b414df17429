"""From a sniffed type to its extractor, with the per-file admission rules in front.

Extractor modules are imported on first use, so that a worker process starts
fast and a file type never seen never loads its library.
"""

from __future__ import annotations

import importlib
import logging
import traceback
from collections.abc import Callable, Iterator

from dlp.extract.config import IMAGE_GROUP, ExtractConfig
from dlp.extract.context import ExtractContext
from dlp.extract.errors import (
    Corrupt,
    Encrypted,
    ExtractionStopped,
    LimitExceeded,
    TooLarge,
    TypeExcluded,
    Unsupported,
    UnsupportedImage,
    is_parser_panic,
)
from dlp.extract.model import TextPart
from dlp.extract.sniff import (
    ENCRYPTED_OFFICE,
    IMAGE_TYPES,
    UNREADABLE_TYPES,
    sniff_type,
)
from dlp.records import FileOutcome

log = logging.getLogger(__name__)

Extractor = Callable[[bytes, ExtractContext], Iterator[TextPart]]

_EXTRACTORS: dict[str, tuple[str, str]] = {
    "pdf": ("pdf", "iter_pdf"),
    "docx": ("docx", "iter_docx"),
    "xlsx": ("xlsx", "iter_xlsx"),
    "xlsm": ("xlsx", "iter_xlsx"),
    "xlsb": ("xlsb", "iter_xlsb"),
    "pptx": ("pptx", "iter_pptx"),
    "doc": ("doc", "iter_doc"),
    "xls": ("xls", "iter_xls"),
    "ppt": ("ppt", "iter_ppt"),
    "ole": ("oleobject", "iter_ole"),
    "odt": ("odf", "iter_odf"),
    "ods": ("odf", "iter_odf"),
    "odp": ("odf", "iter_odf"),
    "rtf": ("rtf", "iter_rtf"),
    "csv": ("csvfile", "iter_csv"),
    "json": ("text", "iter_json"),
    "html": ("html", "iter_html"),
    "txt": ("text", "iter_plain"),
    "md": ("text", "iter_plain"),
    "code": ("text", "iter_plain"),
    "xml": ("text", "iter_plain"),
    "eml": ("eml", "iter_eml"),
    "msg": ("msg", "iter_msg"),
    "zip": ("archive", "iter_zip"),
    "7z": ("sevenzip", "iter_7z"),
    "tar": ("tarball", "iter_tar"),
    "gzip": ("tarball", "iter_compressed"),
    "bzip2": ("tarball", "iter_compressed"),
    "xz": ("tarball", "iter_compressed"),
    **{image: ("image", "iter_image") for image in IMAGE_TYPES},
}
# Outcomes of a member that are a choice of the configuration, not a gap in what was read.
_BY_POLICY = frozenset({FileOutcome.TYPE_EXCLUDED, FileOutcome.UNSUPPORTED, FileOutcome.UNSUPPORTED_IMAGE})


def extractor_for(file_type: str) -> Extractor:
    module, function = _EXTRACTORS[file_type]
    return getattr(importlib.import_module(f"dlp.extract.formats.{module}"), function)


def admit(size: int, file_type: str, config: ExtractConfig) -> None:
    """Raise the outcome of a file that is not to be read at all: unreadable, excluded, too large."""
    if file_type == ENCRYPTED_OFFICE:
        raise Encrypted("the Office document is password-protected")
    if file_type in UNREADABLE_TYPES:
        raise Unsupported(UNREADABLE_TYPES[file_type])
    if file_type in IMAGE_TYPES:
        if IMAGE_GROUP not in config.include_types:
            raise UnsupportedImage("images are not inspected: OCR is off (include the 'image' type to enable it)")
    elif file_type not in config.include_types:
        raise TypeExcluded(f"{file_type} files are not among the inspected types (include_types)")
    if size > config.max_file_bytes:
        raise TooLarge(f"{size / 1024 / 1024:,.1f} MB is over the {config.max_file_mb:g} MB limit (max_file_mb)")


def iter_file(data: bytes, file_type: str, ctx: ExtractContext) -> Iterator[TextPart]:
    """The parts of one file whose type is known; raises ExtractionStopped with its outcome."""
    admit(len(data), file_type, ctx.config)
    parts = extractor_for(file_type)(data, ctx)
    try:
        yield from parts
    except (ExtractionStopped, MemoryError):
        raise
    except RecursionError:
        raise Corrupt(f"the {file_type} structure nests too deeply to read") from None
    except BaseException as exc:  # a parser's own error on a malformed file: the file is corrupt
        if not isinstance(exc, Exception) and not is_parser_panic(exc):
            raise  # KeyboardInterrupt, SystemExit, GeneratorExit
        log.debug("%s parser raised %s at %s", file_type, type(exc).__name__, _origin(exc))
        raise Corrupt(f"the {file_type} file could not be parsed ({type(exc).__name__})") from None
    finally:
        parts.close()


def _origin(exc: BaseException) -> str:
    """file:line where an exception was raised; never its message, which may quote the file."""
    frames = traceback.extract_tb(exc.__traceback__)
    return f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "?"


def iter_member(data: bytes, ctx: ExtractContext) -> Iterator[TextPart]:
    """The parts of a container's member (archive entry, attachment).

    A member that cannot be read is noted and skipped, and the container goes
    on; only limits shared by the whole file (time, decompressed bytes) stop it.
    """
    budget = ctx.budget
    if budget.members_left <= 0:
        budget.note(f"{ctx.path}: not opened, member limit reached (max_archive_members)", truncated=True)
        return
    budget.members_left -= 1
    file_type = sniff_type(data, ctx.name)
    try:
        yield from iter_file(data, file_type, ctx)
    except MemoryError:
        raise LimitExceeded("ran out of memory while reading an archive member") from None
    except ExtractionStopped as stop:
        if stop.whole_file:
            raise
        if stop.outcome is FileOutcome.NEEDS_OCR:
            budget.needs_ocr.append(ctx.path)  # the file as a whole becomes needs_ocr: see core
            return
        budget.note(f"{ctx.path}: {stop.outcome.value} ({stop.reason})", truncated=stop.outcome not in _BY_POLICY)
