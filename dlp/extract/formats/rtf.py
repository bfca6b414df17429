"""RTF: the text a reader sees, plus the text RTF keeps in side destinations: headers, footers,
footnotes, comments, text boxes, form-field values, document variables and properties.

striprtf, used before, skips those destinations, reads `\\bin` picture
bytes as text, and emits the two halves of a `\\u` surrogate pair as two
lone surrogates. RTF is a small grammar (groups, control words, hex and
Unicode escapes), so it is tokenised here with one regular expression;
layout tables (fonts, colours, styles, lists) and pictures are skipped.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator

from dlp.extract.context import ExtractContext
from dlp.extract.model import TextPart

_TOKEN = re.compile(rb"\\([a-zA-Z]{1,32})(-?\d{1,10})? ?|\\'([0-9a-fA-F]{2})|\\(.)|([{}])|([^\\{}\r\n]+)|[\r\n]+", re.S)
# Destinations that hold layout, binary data or machine text: never shown to a reader.
SKIPPED = frozenset(
    "fonttbl colortbl stylesheet listtable listoverridetable revtbl rsidtbl generator pict objdata themedata "
    "colorschememapping datastore latentstyles xmlnstbl filetbl pgptbl bkmkstart bkmkend blipuid panose fontemb "
    "fontfile falt passwordhash wgrffmtfilter fldinst listtext pntext pntxta pntxtb creatim revtim printim buptim "
    "mmathPr defchp defpap pnseclvl protusertbl fchars lchars headerf footerf".split()
)
# Ignorable (`\*`) destinations that do hold text a person wrote: read them although unknown ones are skipped.
KEPT_IGNORABLE = frozenset("annotation atnauthor shptxt docvar ffdeftext ffhelptext ffstattext comment".split())
# Destinations that start a text of their own: set apart from the running text.
SIDE = frozenset(
    "header headerl headerr footer footerl footerr footnote annotation title subject author operator keywords "
    "comment doccomm company manager category shptxt docvar".split()
)
_SPECIAL = {
    b"par": "\n", b"line": "\n", b"sect": "\n", b"page": "\n", b"row": "\n", b"cell": "\t", b"tab": "\t",
    b"emdash": "\u2014", b"endash": "\u2013", b"bullet": "\u2022", b"lquote": "\u2018", b"rquote": "\u2019",
    b"ldblquote": "\u201c", b"rdblquote": "\u201d", b"emspace": " ", b"enspace": " ", b"qmspace": " ",
}  # fmt: skip
_SYMBOLS = {b"~": "\u00a0", b"_": "-", b"-": "", b"\\": "\\", b"{": "{", b"}": "}", b"\n": "\n", b"\r": "\n"}


def iter_rtf(data: bytes, ctx: ExtractContext) -> Iterator[TextPart]:
    text = rtf_text(data, ctx)
    if text and not text.isspace():
        yield TextPart(text, ctx.locate(""))


def rtf_text(data: bytes, ctx: ExtractContext | None = None) -> str:
    out: list[str] = []
    stack: list[tuple[bool, int]] = []  # (skipping, uc) of the enclosing groups
    skipping = False
    uc = 1  # characters after a \u escape that stand in for it in old readers
    pending_skip = 0
    encoding = "cp1252"
    ignorable = False
    position = 0
    hex_run = bytearray()
    for count, match in enumerate(_TOKEN.finditer(data)):
        if match.start() < position:
            continue  # inside the data of a \bin
        if count % 65536 == 0 and ctx is not None:
            ctx.budget.check_time()
        word, argument, hex_byte, symbol, brace, text = match.groups()
        if hex_byte is None and hex_run:
            out.append(_decode(bytes(hex_run), encoding))
            hex_run.clear()
        if brace is not None:
            ignorable = False
            pending_skip = 0
            if brace == b"{":
                stack.append((skipping, uc))
            elif stack:
                skipping, uc = stack.pop()
            continue
        if word is not None:
            name = word
            if name == b"bin" and argument:
                position = match.end() + max(int(argument), 0)  # raw bytes follow: never text
                continue
            destination = name.decode()
            if ignorable:
                ignorable = False
                if destination not in KEPT_IGNORABLE:
                    skipping = True
                    continue
            if destination in SKIPPED:
                skipping = True
                continue
            if skipping:
                continue
            if destination in SIDE:
                out.append("\n")
            elif name == b"ansicpg" and argument:
                encoding = _codepage(argument.decode(), encoding)
            elif name == b"uc" and argument:
                uc = max(int(argument), 0)
            elif name == b"u" and argument:
                value = int(argument)
                out.append(chr(value + 0x10000 if value < 0 else value))
                pending_skip = uc
            elif name in _SPECIAL:
                out.append(_SPECIAL[name])
            continue
        if symbol is not None:
            if symbol == b"*":
                ignorable = True
            elif not skipping and symbol in _SYMBOLS:
                out.append(_SYMBOLS[symbol])
            continue
        if skipping:
            continue
        if hex_byte is not None:
            if pending_skip:
                pending_skip -= 1
            else:
                hex_run.append(int(hex_byte, 16))
            continue
        if text:
            if pending_skip:
                skipped = min(pending_skip, len(text))
                text = text[skipped:]
                pending_skip -= skipped
            out.append(text.decode(encoding, errors="replace"))
    if hex_run:
        out.append(_decode(bytes(hex_run), encoding))
    return _join_surrogates("".join(out))


def _decode(raw: bytes, encoding: str) -> str:
    return raw.decode(encoding, errors="replace")


def _codepage(number: str, current: str) -> str:
    candidate = f"cp{number}"
    try:
        codecs.lookup(candidate)
    except LookupError:
        return current
    return candidate


def _join_surrogates(text: str) -> str:
    """`\\u-10179?\\u-8704?` is one character written as two UTF-16 halves: join them; a lone half is U+FFFD."""
    if not any("\ud800" <= ch <= "\udfff" for ch in text):
        return text
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", errors="replace")
