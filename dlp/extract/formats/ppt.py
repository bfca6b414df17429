"""PowerPoint 97-2003 (.ppt, .pps, .pot): slide text, notes and comments, per [MS-PPT].

The "PowerPoint Document" stream is a tree of records. Placeholder text
(titles, bullets) sits in the document's slide list, one run of text atoms
per slide; text boxes sit in each slide's own container, found through the
persist directory. Both are read, in slide order, with speaker notes matched
to their slide by its id. No maintained Python library reads .ppt text, and
this layer of the format is small; nothing else of it is interpreted.
A file whose directory cannot be followed still gives its text, as one part.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from dlp.extract.context import ExtractContext
from dlp.extract.errors import Corrupt
from dlp.extract.formats.ole import check_not_encrypted, open_ole, stream_bytes
from dlp.extract.model import TextPart

SLIDE_LIST, SLIDE_PERSIST = 0x0FF0, 0x03F3
SLIDE, NOTES, NOTES_ATOM = 0x03EE, 0x03F0, 0x03F1
TEXT_CHARS, TEXT_BYTES, CSTRING = 0x0FA0, 0x0FA8, 0x0FBA
COMMENT = 0x2EE0
PERSIST_DIRECTORY = 0x1772
SLIDES_INSTANCE, NOTES_INSTANCE = 0, 2
MAX_DEPTH = 32
HEADER = struct.Struct("<HHI")


@dataclass
class _Slide:
    number: int
    persist_id: int
    slide_id: int
    texts: list[str] = field(default_factory=list)


def iter_ppt(data: bytes, ctx: ExtractContext) -> Iterator[TextPart]:
    check_not_encrypted(data, "PowerPoint presentation")
    with open_ole(data, "PowerPoint") as ole:
        stream = stream_bytes(ole, "PowerPoint Document", ctx)
    if stream is None:
        raise Corrupt("the presentation has no PowerPoint Document stream")
    try:
        yield from _by_slide(stream, ctx)
    except (struct.error, IndexError, KeyError):
        # The directory cannot be followed: the text atoms still can, in stream order.
        ctx.budget.note(f"{ctx.prefix}the slide directory is damaged: text read without slide numbers")
        text = "\n".join(_texts(stream, 0, len(stream), 0, ctx))
        if text.strip():
            yield TextPart(text, ctx.locate("slides"))


def _records(buf: bytes, start: int, end: int) -> Iterator[tuple[int, int, int, int]]:
    """(type, instance, data start, data end) of each record between start and end."""
    position = start
    while position + HEADER.size <= end:
        ver_instance, kind, length = HEADER.unpack_from(buf, position)
        data_start = position + HEADER.size
        data_end = min(data_start + length, end)
        yield kind, ver_instance >> 4, data_start, data_end
        position = data_start + length


def _is_container(buf: bytes, data_start: int) -> bool:
    return buf[data_start - HEADER.size] & 0xF == 0xF


def _atom_text(buf: bytes, kind: int, start: int, end: int) -> str:
    raw = buf[start:end]
    text = raw.decode("utf-16-le", errors="replace") if kind in (TEXT_CHARS, CSTRING) else raw.decode("latin-1")
    return text.replace("\r", "\n").replace("\x0b", "\n")


def _texts(buf: bytes, start: int, end: int, depth: int, ctx: ExtractContext, skip_comments: bool = False) -> Iterator[str]:
    """Every text atom under a record range, depth first."""
    if depth > MAX_DEPTH:
        return
    for kind, _, data_start, data_end in _records(buf, start, end):
        if kind in (TEXT_CHARS, TEXT_BYTES):
            yield _atom_text(buf, kind, data_start, data_end)
        elif kind == COMMENT and skip_comments:
            continue
        elif _is_container(buf, data_start):
            ctx.budget.check_time()
            yield from _texts(buf, data_start, data_end, depth + 1, ctx, skip_comments)


def _comments(buf: bytes, start: int, end: int, depth: int) -> Iterator[str]:
    if depth > MAX_DEPTH:
        return
    for kind, instance, data_start, data_end in _records(buf, start, end):
        if kind == COMMENT:
            for inner, inner_instance, text_start, text_end in _records(buf, data_start, data_end):
                if inner == CSTRING and inner_instance == 1:  # 0 author, 1 text, 2 initials
                    yield _atom_text(buf, inner, text_start, text_end)
        elif _is_container(buf, data_start):
            yield from _comments(buf, data_start, data_end, depth + 1)


def _by_slide(buf: bytes, ctx: ExtractContext) -> Iterator[TextPart]:
    slides: list[_Slide] = []
    notes: list[_Slide] = []
    directory: dict[int, int] = {}
    for kind, instance, data_start, data_end in _records(buf, 0, len(buf)):
        if kind == PERSIST_DIRECTORY:
            directory.update(_persist_entries(buf, data_start, data_end))
        elif _is_container(buf, data_start):
            for inner, inner_instance, list_start, list_end in _records(buf, data_start, data_end):
                if inner == SLIDE_LIST and inner_instance in (SLIDES_INSTANCE, NOTES_INSTANCE):
                    target = slides if inner_instance == SLIDES_INSTANCE else notes
                    target.extend(_slide_list(buf, list_start, list_end, len(target)))
    if not slides and not notes:
        raise KeyError("no slide list")
    prefix = ctx.prefix
    number_by_id = {slide.slide_id: slide.number for slide in slides}
    limit = ctx.config.max_pages
    if len(slides) > limit:
        ctx.budget.note(f"read the first {limit:,} of {len(slides):,} slides (max_pages)", truncated=True)
    for slide in slides[:limit]:
        ctx.budget.check_time()
        texts = list(slide.texts)
        comments: list[str] = []
        offset = directory.get(slide.persist_id)
        if offset is not None and _record_type(buf, offset) == SLIDE:
            start, end = _record_range(buf, offset)
            texts.extend(_texts(buf, start, end, 0, ctx, skip_comments=True))
            comments = list(_comments(buf, start, end, 0))
        text = "\n".join(_unique(texts))
        if text:
            yield TextPart(text, f"{prefix}slide {slide.number}")
        for position, comment in enumerate(c for c in comments if c.strip()):
            yield TextPart(comment, f"{prefix}slide {slide.number} comment {position + 1}")
    for page in notes:
        ctx.budget.check_time()
        offset = directory.get(page.persist_id)
        if offset is None or _record_type(buf, offset) != NOTES:
            continue
        start, end = _record_range(buf, offset)
        number = page.number
        for kind, _, atom_start, atom_end in _records(buf, start, end):
            if kind == NOTES_ATOM and atom_end - atom_start >= 4:
                number = number_by_id.get(struct.unpack_from("<I", buf, atom_start)[0], number)
        if number > limit:
            continue
        text = "\n".join(_unique(_texts(buf, start, end, 0, ctx)))
        if text:
            yield TextPart(text, f"{prefix}notes {number}")


def _slide_list(buf: bytes, start: int, end: int, before: int) -> list[_Slide]:
    """One entry per SlidePersistAtom, with the placeholder text atoms that follow it."""
    found: list[_Slide] = []
    for kind, _, data_start, data_end in _records(buf, start, end):
        if kind == SLIDE_PERSIST and data_end - data_start >= 16:
            persist_id, _, _, slide_id = struct.unpack_from("<IIiI", buf, data_start)
            found.append(_Slide(before + len(found) + 1, persist_id, slide_id))
        elif kind in (TEXT_CHARS, TEXT_BYTES) and found:
            found[-1].texts.append(_atom_text(buf, kind, data_start, data_end))
    return found


def _persist_entries(buf: bytes, start: int, end: int) -> Iterator[tuple[int, int]]:
    position = start
    while position + 4 <= end:
        (head,) = struct.unpack_from("<I", buf, position)
        first, count = head & 0xFFFFF, head >> 20
        position += 4
        for index in range(count):
            if position + 4 > end:
                return
            yield first + index, struct.unpack_from("<I", buf, position)[0]
            position += 4


def _record_type(buf: bytes, offset: int) -> int:
    if offset + HEADER.size > len(buf):
        return -1
    return HEADER.unpack_from(buf, offset)[1]


def _record_range(buf: bytes, offset: int) -> tuple[int, int]:
    _, _, length = HEADER.unpack_from(buf, offset)
    start = offset + HEADER.size
    return start, min(start + length, len(buf))


def _unique(texts: Iterable[str]) -> list[str]:
    """Each text once (some writers repeat placeholder text inside the slide's drawing), without
    blanks and the lone "*" that stands for a slide-number field."""
    seen: set[str] = {"*"}
    kept = []
    for text in texts:
        text = text.strip()
        if text and text not in seen:
            seen.add(text)
            kept.append(text)
    return kept
