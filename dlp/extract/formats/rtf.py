"""RTF: the document text, control words and embedded pictures stripped (striprtf)."""

from __future__ import annotations

from collections.abc import Iterator

from striprtf.striprtf import rtf_to_text

from dlp.extract.context import ExtractContext
from dlp.extract.model import TextPart


def iter_rtf(data: bytes, ctx: ExtractContext) -> Iterator[TextPart]:
    # RTF is 7-bit with escapes; latin-1 maps every byte, so no input can fail to decode.
    text = rtf_to_text(data.decode("latin-1"), errors="replace")
    if text and not text.isspace():
        yield TextPart(text, ctx.locate(""))
