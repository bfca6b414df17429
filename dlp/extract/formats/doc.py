"""Word 97-2003 (.doc, .dot): the text of every story through the piece table, per [MS-DOC].

No maintained Python library reads .doc text (antiword and catdoc are C
programs; the PyPI wrappers are unmaintained), and the format's text layer
is small and fully specified: the File Information Block (FIB) at the start
of the WordDocument stream gives the story lengths and where the piece table
(Clx) sits in the table stream; each piece maps a run of character
positions to bytes, 8-bit (cp1252) or UTF-16. Formatting is not read.

Stories come in this order in character-position space: main text,
footnotes, headers and footers, comments, endnotes, text boxes, header text
boxes. The main text is cut into `paragraph N` parts; each other story is
one part named after it.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Iterator

from dlp.extract.context import ExtractContext
from dlp.extract.errors import Corrupt, Encrypted, Unsupported
from dlp.extract.formats.eml import attachment_parts
from dlp.extract.formats.ole import open_ole, stream_bytes
from dlp.extract.formats.oleobject import pool_files
from dlp.extract.model import TextPart

WORD_MAGIC = 0xA5EC
F_ENCRYPTED, F_WHICH_TABLE, F_OBFUSCATED = 0x0100, 0x0200, 0x8000
NFIB_WORD97 = 101  # older files (Word 6, Word 95) have no FibRgFcLcb97 and no piece table
CCP_OFFSET = 76  # ccpText, then ccpFtn, ccpHdd, ccpMcr, ccpAtn, ccpEdn, ccpTxbx, ccpHdrTxbx (4 bytes each)
FC_CLX_OFFSET = 0x1A2  # FibRgFcLcb97.fcClx, then lcbClx
STORIES = ("main", "footnotes", "headers", "macros", "comments", "endnotes", "text boxes", "header text boxes")
MAX_PIECES = 1_000_000

# Field codes: keep the result a reader sees, drop the instruction (\x13 instruction \x14 result \x15).
_FIELD_INSTRUCTION = re.compile(r"\x13[^\x13\x14\x15]*(?:\x14|(?=\x15))")
_DROPPED = dict.fromkeys(map(ord, "\x00\x01\x02\x03\x04\x05\x06\x08\x13\x14\x15\x1f"))
_MAPPED = {0x07: "\t", 0x0B: "\n", 0x0C: "\n", 0x0E: "\n", 0x1E: "-"}


def iter_doc(data: bytes, ctx: ExtractContext) -> Iterator[TextPart]:
    with open_ole(data, "Word document") as ole:
        word = stream_bytes(ole, "WordDocument", ctx)
        if word is None or len(word) < 0x20:
            raise Corrupt("the Word document has no readable WordDocument stream")
        ident, nfib = struct.unpack_from("<HH", word, 0)
        flags = struct.unpack_from("<H", word, 0x0A)[0]
        if ident != WORD_MAGIC:
            raise Corrupt("the WordDocument stream does not start with a Word file information block")
        if flags & (F_ENCRYPTED | F_OBFUSCATED):
            raise Encrypted("the Word document is password-protected")
        embedded: list[tuple[str, bytes]] = []
        if nfib < NFIB_WORD97:
            text = _word95_text(word)
            stories = [("main", text)]
        else:
            table = stream_bytes(ole, "1Table" if flags & F_WHICH_TABLE else "0Table", ctx)
            if table is None:
                raise Corrupt("the Word document has no table stream")
            stories = _stories(word, table, ctx)
        embedded = pool_files(ole, ())
    for name, text in stories:
        ctx.budget.check_time()
        if name == "main":
            for number, paragraph in enumerate(text.split("\r"), start=1):
                cleaned = clean(paragraph)
                if cleaned and not cleaned.isspace():
                    yield TextPart(cleaned, ctx.locate(f"paragraph {number}"))
        else:
            cleaned = clean(text.replace("\r", "\n")).strip()
            if cleaned:
                yield TextPart(cleaned, ctx.locate(name))
    yield from attachment_parts(embedded, ctx, "embedded files")


def clean(text: str) -> str:
    """The text a reader sees: field instructions and object anchors out, cell marks as tabs."""
    if "\x13" in text:
        text = _FIELD_INSTRUCTION.sub("", text)
    text = text.translate(_DROPPED)
    text = text.replace("\x07\x07", "\n")  # a cell's end, then the row's end
    return text.translate(_MAPPED).rstrip("\t\n")


def _stories(word: bytes, table: bytes, ctx: ExtractContext) -> list[tuple[str, str]]:
    if len(word) < FC_CLX_OFFSET + 8:
        raise Corrupt("the Word file information block is truncated")
    lengths = struct.unpack_from("<8i", word, CCP_OFFSET)
    fc_clx, lcb_clx = struct.unpack_from("<II", word, FC_CLX_OFFSET)
    if lcb_clx == 0 or fc_clx + lcb_clx > len(table):
        raise Corrupt("the Word piece table lies outside the table stream")
    text = _piece_text(word, _piece_table(table[fc_clx : fc_clx + lcb_clx]), ctx)
    stories = []
    start = 0
    for name, length in zip(STORIES, lengths):
        if length <= 0:
            continue
        stories.append((name, text[start : start + length]))
        start += length
    return stories


def _piece_table(clx: bytes) -> bytes:
    """The PlcPcd inside a Clx, past the property modifiers (Prc) that may precede it."""
    position = 0
    while position < len(clx):
        kind = clx[position]
        if kind == 0x01:  # Prc: clxt, cbGrpprl (2 bytes), grpprl
            (size,) = struct.unpack_from("<h", clx, position + 1)
            position += 3 + max(size, 0)
        elif kind == 0x02:  # Pcdt: clxt, lcb (4 bytes), PlcPcd
            (size,) = struct.unpack_from("<I", clx, position + 1)
            return clx[position + 5 : position + 5 + size]
        else:
            break
    raise Corrupt("the Word piece table is damaged")


def _piece_text(word: bytes, plc: bytes, ctx: ExtractContext) -> str:
    count = (len(plc) - 4) // 12
    if count < 1 or count > MAX_PIECES:
        raise Corrupt("the Word piece table is damaged")
    cps = struct.unpack_from(f"<{count + 1}I", plc, 0)
    chunks: list[str] = []
    chars_left = ctx.budget.chars_left
    for index in range(count):
        start, end = cps[index], cps[index + 1]
        if end <= start:
            continue
        (fc_value,) = struct.unpack_from("<I", plc, 4 * (count + 1) + 8 * index + 2)
        length = min(end - start, chars_left + 1)
        if fc_value & 0x40000000:  # 8-bit text (cp1252) at half the stored offset
            offset = (fc_value & 0x3FFFFFFF) // 2
            chunk = word[offset : offset + length].decode("cp1252", errors="replace")
        else:
            offset = fc_value & 0x3FFFFFFF
            chunk = word[offset : offset + 2 * length].decode("utf-16-le", errors="replace")
        chunks.append(chunk)
        chars_left -= len(chunk)
        if chars_left < 0:
            break  # the driver cuts at max_chars and says so; no need to decode the rest
    return "".join(chunks)


def _word95_text(word: bytes) -> str:
    fc_min, fc_mac = struct.unpack_from("<II", word, 0x18)
    if not 0 < fc_min <= fc_mac <= len(word):
        raise Unsupported("a Word 6/95 document whose text we cannot locate")
    return word[fc_min:fc_mac].decode("cp1252", errors="replace")

