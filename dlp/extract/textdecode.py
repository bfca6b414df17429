"""Bytes to str for text of unknown encoding, and the text-or-binary test the sniffer needs."""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

DETECTION_SAMPLE = 256 * 1024  # charset detection on more than this is slow and rarely changes the answer

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Control bytes that do not occur in text (all below 0x20 except \t \n \v \f \r and ESC).
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 11, 12, 13, 27))


def bom_encoding(data: bytes) -> tuple[str, int] | None:
    """The encoding a byte-order mark announces, and the mark's length."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding, len(bom)
    return None


def utf16_without_bom(sample: bytes) -> str | None:
    """UTF-16 text written without a BOM (Windows tools do): every other byte is NUL."""
    sample = sample[: 4096 & ~1]
    if len(sample) < 8:
        return None
    even_nuls = sample[0::2].count(0) / (len(sample) // 2)
    odd_nuls = sample[1::2].count(0) / (len(sample) // 2)
    if odd_nuls > 0.4 and even_nuls < 0.05:
        return "utf-16-le"
    if even_nuls > 0.4 and odd_nuls < 0.05:
        return "utf-16-be"
    return None


def looks_like_text(sample: bytes) -> bool:
    """True when the sample reads as text in some encoding (it may end mid-character)."""
    if not sample or bom_encoding(sample) or utf16_without_bom(sample):
        return True
    if b"\x00" in sample:
        return False
    controls = len(sample) - len(sample.translate(None, _CONTROL))
    if controls > len(sample) * 0.02:
        return False
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return True
    except UnicodeDecodeError:
        pass
    return from_bytes(sample[:DETECTION_SAMPLE]).best() is not None


def detect_encoding(data: bytes) -> tuple[str, int]:
    """The encoding to decode `data` with, and how many leading bytes to skip (a BOM)."""
    announced = bom_encoding(data)
    if announced:
        return announced
    utf16 = utf16_without_bom(data)
    if utf16:
        return utf16, 0
    try:
        data.decode("utf-8")
        return "utf-8", 0
    except UnicodeDecodeError as exc:
        if exc.start >= len(data) - 3 and exc.reason == "unexpected end of data":
            return "utf-8", 0  # cut mid-character by a size limit: still UTF-8
    best = from_bytes(data[:DETECTION_SAMPLE]).best()
    return (best.encoding if best else "cp1252"), 0


def decode_text(data: bytes) -> str:
    """Decode text of unknown encoding; undecodable bytes become U+FFFD, never an error."""
    if not bom_encoding(data):
        try:
            return data.decode("utf-8")  # the common case, decoded once
        except UnicodeDecodeError:
            pass
    encoding, skip = detect_encoding(data)
    return data[skip:].decode(encoding, errors="replace")
