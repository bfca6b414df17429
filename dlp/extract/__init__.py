"""File extraction: bytes in, located text parts out, safe against hostile files.

result = extract(data, "report.pdf")            # in this process
result = extract_isolated(data, "report.pdf", config)  # in a killable child process
for segment in segment_parts(item_id, result.parts): ...
"""

from dlp.extract.config import DEFAULT_TYPES, READABLE_TYPES, ExtractConfig
from dlp.extract.core import Extraction, extract, iter_parts
from dlp.extract.isolate import IsolatedExtractor, extract_isolated
from dlp.extract.model import ExtractResult, TextPart
from dlp.extract.segment import segment_parts
from dlp.extract.sniff import sniff_type

__all__ = [
    "DEFAULT_TYPES",
    "READABLE_TYPES",
    "ExtractConfig",
    "ExtractResult",
    "Extraction",
    "IsolatedExtractor",
    "TextPart",
    "extract",
    "extract_isolated",
    "iter_parts",
    "segment_parts",
    "sniff_type",
]
