"""What the extractor may read, and the hard limits it keeps while reading it."""

from __future__ import annotations

from dataclasses import dataclass

# File types the extractor can read, grouped the way the vendors' defaults are.
DOCUMENT_TYPES = frozenset(
    {"pdf", "docx", "xlsx", "xlsm", "xlsb", "pptx", "rtf", "doc", "xls", "ppt", "odt", "ods", "odp", "ole"}
)
TEXT_TYPES = frozenset({"txt", "csv", "json", "html", "xml", "md", "code"})
EMAIL_TYPES = frozenset({"eml", "msg"})
ARCHIVE_TYPES = frozenset({"zip", "7z", "tar", "gzip", "bzip2", "xz"})
IMAGE_GROUP = "image"  # one switch for png, jpeg, gif, tiff, bmp, webp: OCR with Tesseract

READABLE_TYPES = DOCUMENT_TYPES | TEXT_TYPES | EMAIL_TYPES | ARCHIVE_TYPES | {IMAGE_GROUP}
DEFAULT_TYPES = READABLE_TYPES  # images included: OCR'd when Tesseract is installed, else `needs_ocr`

MB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class ExtractConfig:
    """Per-file filters and hard limits; the defaults suit a scheduled scan of a workspace.

    Sizes are in MiB. `include_types` names types from `READABLE_TYPES` (None: the
    defaults). Images and image-only PDF pages are read by OCR when "image" is
    included and the Tesseract binary is found; without it they are `needs_ocr`.
    """

    max_file_mb: float = 50
    include_types: frozenset[str] | None = DEFAULT_TYPES
    max_decompressed_mb: float = 200  # all containers of one file together (archives, OOXML, ODF, gzip...)
    max_compression_ratio: float = 100  # expanded bytes / container bytes, judged past RATIO_FLOOR_BYTES
    max_pages: int = 2000  # PDF pages and PPTX/PPT/ODP slides read per file
    max_sheets: int = 100
    max_cells: int = 2_000_000  # non-empty spreadsheet and CSV cells read per file
    max_archive_depth: int = 3  # levels of containers (archives, e-mail attachments, embedded files) opened
    max_archive_members: int = 1000  # members read per file, all nesting levels together
    timeout_seconds: float = 60
    max_chars: int = 20_000_000  # text kept per file; past it extraction stops and says so
    max_memory_mb: int = 2048  # address-space cap of the isolated extractor process
    tesseract_command: str = "tesseract"  # looked up on PATH when "image" is included
    ocr_max_pages: int = 20  # images and image-only PDF pages OCR'd per file; the rest are noted
    ocr_timeout_seconds: float = 30  # OCR time per file, within timeout_seconds

    def __post_init__(self) -> None:
        # A YAML loader may hand over a list or set: normalise, then refuse what cannot be honoured.
        types = DEFAULT_TYPES if self.include_types is None else frozenset(self.include_types)
        object.__setattr__(self, "include_types", types)
        unknown = sorted(self.include_types - READABLE_TYPES)
        if unknown:
            raise ValueError(
                f"unknown file type(s) in include_types: {', '.join(unknown)}; "
                f"known: {', '.join(sorted(READABLE_TYPES))}"
            )
        positive = ("max_file_mb", "max_decompressed_mb", "max_compression_ratio", "timeout_seconds", "ocr_timeout_seconds")
        for name in positive:
            if not getattr(self, name) > 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)!r}")
        for name in ("max_pages", "max_sheets", "max_cells", "max_archive_members", "max_chars", "max_memory_mb"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)!r}")
        for name in ("max_archive_depth", "ocr_max_pages"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be 0 or more, got {getattr(self, name)!r}")

    @property
    def max_file_bytes(self) -> int:
        return int(self.max_file_mb * MB)

    @property
    def max_decompressed_bytes(self) -> int:
        return int(self.max_decompressed_mb * MB)


# Containers expanding to less than this cannot hurt, whatever their ratio.
RATIO_FLOOR_BYTES = 1 * MB
