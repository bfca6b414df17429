"""What an .xls keeps beside its cell values, read from the BIFF8 records ([MS-XLS]).

- string literals inside formulas (`=IF(A1>0,"SECRET","")`: the cached value
  shows only one branch), located `Sheet!E2 formula`;
- cell comments (NOTE + OBJ + TXO records), located `Sheet!A1 comment`;
- data-validation lists and their prompt and error texts, located
  `Sheet!D2:D10 validation`.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator

from dlp.extract.context import ExtractContext
from dlp.extract.formats.csvfile import column_name
from dlp.extract.formats.ole import open_ole, stream_bytes
from dlp.extract.formats.sheets import sheet_ref
from dlp.extract.model import TextPart

BOF, EOF, BOUNDSHEET, CONTINUE = 0x0809, 0x000A, 0x0085, 0x003C
FORMULA, NOTE, OBJ, TXO, DV = 0x0006, 0x001C, 0x005D, 0x01B6, 0x01BE
OBJ_COMMENT = 0x19
PTG_STR, PTG_ATTR = 0x17, 0x19
_WANTED = frozenset({BOUNDSHEET, BOF, FORMULA, OBJ, TXO, NOTE, DV})
_HEADER = struct.Struct("<HH")
# Bytes after the token byte, for the tokens whose size is fixed (base token numbers; classes share a size).
_PTG_SIZE = {
    0x01: 4, 0x02: 4, **{t: 0 for t in range(0x03, 0x17)}, 0x1C: 1, 0x1D: 1, 0x1E: 2, 0x1F: 8,
    0x20: 7, 0x21: 2, 0x22: 3, 0x23: 4, 0x24: 4, 0x25: 8, 0x26: 6, 0x27: 6, 0x28: 6, 0x29: 2,
    0x2A: 4, 0x2B: 8, 0x2C: 4, 0x2D: 8, 0x39: 6, 0x3A: 6, 0x3B: 10, 0x3C: 6, 0x3D: 10,
}  # fmt: skip


def iter_biff_extras(data: bytes, ctx: ExtractContext) -> Iterator[TextPart]:
    with open_ole(data, "Excel") as ole:
        stream = stream_bytes(ole, "Workbook", ctx) or stream_bytes(ole, "Book", ctx)
    if not stream:
        return
    sheets: dict[int, str] = {}  # offset of the sheet's BOF -> name
    where = ""
    comment_texts: dict[int, str] = {}
    last_comment_obj: int | None = None
    text_of: tuple[int, int, list[str]] | None = None  # a comment's TXO being continued: (object, length, chunks)
    for index, (kind, offset, start, end) in enumerate(_records(stream)):
        if index % 4096 == 0:
            ctx.budget.check_time()
        if text_of is not None:
            if kind == CONTINUE and end > start:
                text_of[2].append(_continue_text(stream[start:end]))
                continue
            comment_texts[text_of[0]] = "".join(text_of[2])[: text_of[1]]
            text_of = None
        if kind not in _WANTED:
            continue
        body = stream[start:end]
        if kind == BOUNDSHEET and len(body) >= 8:
            sheets[struct.unpack_from("<I", body, 0)[0]] = _short_string(body, 6)[0]
        elif kind == BOF:
            where = f"{ctx.prefix}{sheet_ref(sheets[offset])}!" if offset in sheets else ""
            comment_texts, last_comment_obj = {}, None
        elif not where:
            continue
        elif kind == FORMULA and len(body) >= 22:
            row, col = struct.unpack_from("<HH", body, 0)
            (size,) = struct.unpack_from("<H", body, 20)
            literals = [s for s in ptg_strings(body[22 : 22 + size]) if s.strip()]
            if literals:
                yield TextPart("\n".join(literals), f"{where}{column_name(col + 1)}{row + 1} formula")
        elif kind == OBJ and len(body) >= 8:
            ft, _, object_type, object_id = struct.unpack_from("<HHHH", body, 0)
            last_comment_obj = object_id if ft == 0x15 and object_type == OBJ_COMMENT else None
        elif kind == TXO and last_comment_obj is not None and len(body) >= 12:
            (length,) = struct.unpack_from("<H", body, 10)  # cchText: the formatting runs follow the text
            text_of = (last_comment_obj, length, [])
            last_comment_obj = None
        elif kind == NOTE and len(body) >= 8:
            row, col, _, object_id = struct.unpack_from("<HHHH", body, 0)
            text = comment_texts.get(object_id, "")
            if text.strip():
                yield TextPart(text, f"{where}{column_name(col + 1)}{row + 1} comment")
        elif kind == DV:
            yield from _validation(body, where)


def _records(stream: bytes) -> Iterator[tuple[int, int, int, int]]:
    """(type, offset, data start, data end) of each record; the data is sliced only when wanted."""
    position = 0
    while position + 4 <= len(stream):
        kind, size = _HEADER.unpack_from(stream, position)
        yield kind, position, position + 4, min(position + 4 + size, len(stream))
        position += 4 + size


def ptg_strings(rgce: bytes) -> list[str]:
    """The string constants (ptgStr) of a parsed formula, walking its tokens."""
    found = []
    position = 0
    while position < len(rgce):
        ptg = rgce[position]
        position += 1
        if ptg == PTG_STR:
            text, position = _short_string(rgce, position)
            found.append(text)
        elif ptg == PTG_ATTR:
            if position + 3 > len(rgce):
                break
            flags, count = rgce[position], struct.unpack_from("<H", rgce, position + 1)[0]
            position += 3 + (2 * (count + 1) if flags & 0x04 else 0)  # tAttrChoose carries a jump table
        else:
            base = ptg if ptg < 0x20 else 0x20 | (ptg & 0x1F)
            size = _PTG_SIZE.get(base)
            if size is None:
                break  # a token we do not size: what was found so far stands
            position += size
    return found


def _short_string(data: bytes, position: int) -> tuple[str, int]:
    """ShortXLUnicodeString: a one-byte count, a flags byte (bit 0: two bytes a character), the characters."""
    return _xl_string(data, position, 1)


def _unicode_string(data: bytes, position: int) -> tuple[str, int]:
    """XLUnicodeString: the same with a two-byte count."""
    return _xl_string(data, position, 2)


def _xl_string(data: bytes, position: int, count_bytes: int) -> tuple[str, int]:
    if position + count_bytes + 1 > len(data):
        return "", len(data)
    count = int.from_bytes(data[position : position + count_bytes], "little")
    flags = data[position + count_bytes]
    start = position + count_bytes + 1
    if flags & 0x01:
        end = start + 2 * count
        return data[start:end].decode("utf-16-le", errors="replace"), end
    end = start + count
    return data[start:end].decode("latin-1"), end


def _continue_text(body: bytes) -> str:
    """One CONTINUE record of a TXO's text: a flags byte (1: two bytes a character), then characters."""
    raw = body[1:]
    return raw.decode("utf-16-le", errors="replace") if body[0] & 0x01 else raw.decode("latin-1")


def _validation(body: bytes, where: str) -> Iterator[TextPart]:
    if len(body) < 4:
        return
    texts = []
    position = 4
    for _ in range(4):  # prompt title, error title, prompt, error
        text, position = _unicode_string(body, position)
        if text.strip("\x00 "):
            texts.append(text)
    if position + 4 > len(body):
        return
    (size,) = struct.unpack_from("<H", body, position)
    items = ptg_strings(body[position + 4 : position + 4 + size])
    texts.extend(item.replace("\x00", ", ") for item in items if item.strip("\x00 "))
    position += 4 + size
    if position + 4 > len(body):
        return
    (size2,) = struct.unpack_from("<H", body, position)
    position += 4 + size2
    area = ""
    if position + 10 <= len(body):
        first_row, last_row, first_col, last_col = struct.unpack_from("<HHHH", body, position + 2)
        area = f"{column_name(first_col + 1)}{first_row + 1}"
        if (first_row, first_col) != (last_row, last_col):
            area += f":{column_name(last_col + 1)}{last_row + 1}"
    if texts:
        yield TextPart("\n".join(texts), f"{where}{area} validation".replace("! validation", "!validation"))
