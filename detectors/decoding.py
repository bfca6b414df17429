"""Finding and decoding base64, hex and URL-encoded runs so that what they hide gets scanned.

Only runs that decode to readable text are kept: a hash or a random token
decodes to bytes that are not UTF-8 text and is left alone.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from typing import Iterable, Iterator, Mapping
from urllib.parse import unquote

from detectors.policy import DecodingConfig

MAX_DECODED_CHARS = 2_000_000
MIN_PRINTABLE_RATIO = 0.9


@dataclass(frozen=True, slots=True)
class EncodedRun:
    start: int
    end: int
    encoding: str  # base64 | hex | url
    decoded: str


B64_GATE = "decode:base64"
URL_GATE = "decode:url"
_B64_CLASS = r"A-Za-z0-9+/_\-"


def gate_patterns(config: DecodingConfig) -> dict[str, str]:
    """Cheap Hyperscan gates: a text without such a run needs no decoding pass."""
    if not config.enabled or "url" not in config.encodings:
        return {}
    return {URL_GATE: r"%[0-9A-Fa-f]{2}"}


def located_gate_patterns(config: DecodingConfig) -> dict[str, str]:
    """Hyperscan expressions whose match ends say where base64/hex runs end: one match per run, ending on the
    first character after it, so the decoding regex reads only the runs themselves."""
    if not config.enabled or not ({"base64", "hex"} & set(config.encodings)):
        return {}
    return {B64_GATE: rf"[{_B64_CLASS}]{{{config.min_length},}}(?:[^{_B64_CLASS}]|\z)"}


class RunFinder:
    """Finds encoded runs in a text according to a DecodingConfig."""

    def __init__(self, config: DecodingConfig) -> None:
        self.config = config
        n = config.min_length
        self._b64 = re.compile(rf"(?<![A-Za-z0-9+/_\-])[A-Za-z0-9+/_\-]{{{n},}}={{0,2}}(?![A-Za-z0-9+/_=\-])")
        self._url = re.compile(r"[^\s%\"'<>]*(?:%[0-9A-Fa-f]{2}[^\s%\"'<>]*)+")

    def runs(self, text: str, gates: set[str], ends: Mapping[str, list[int]] | None = None) -> list[EncodedRun]:
        """The decodable runs in `text`, given which gates fired and, for located gates, where they ended."""
        found: list[EncodedRun] = []
        if B64_GATE in gates:
            located = (ends or {}).get(B64_GATE)
            if located is None:
                candidates: Iterable[re.Match[str]] = self._b64.finditer(text)
            else:  # the run, any "=" padding after it, and the character that ends it
                candidates = (m for end in located
                              for m in self._b64.finditer(text, run_start(text, end), end + 3))
            for match in candidates:
                run = match.group()
                decoded = None
                encoding = ""
                if "hex" in self.config.encodings and _is_hex(run):
                    decoded, encoding = decode_hex(run), "hex"
                if decoded is None and "base64" in self.config.encodings:
                    decoded, encoding = decode_base64(run), "base64"
                if decoded is not None:
                    found.append(EncodedRun(match.start(), match.end(), encoding, decoded))
        if URL_GATE in gates:
            for match in (m for low, high in url_stretches(text) for m in self._url.finditer(text, low, high)):
                if match.end() - match.start() < self.config.min_length:
                    continue
                decoded = decode_url(match.group())
                if decoded is not None:
                    found.append(EncodedRun(match.start(), match.end(), "url", decoded))
        return found


B64_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-"  # the class of `_B64_CLASS`
_B64_SET = frozenset(B64_CHARS)


def run_start(text: str, end: int) -> int:
    """Where the run of base64-alphabet characters ending at `end` begins. `end` is where a located gate's
    match ended: just past the run, or one character further when a character outside the alphabet ended
    it. `rstrip` reads back over a window that grows until the run's start is inside it."""
    if end > 0 and text[end - 1] not in _B64_SET:
        end -= 1
    reach = 256
    while True:
        low = max(0, end - reach)
        kept = len(text[low:end].rstrip(B64_CHARS))
        if kept or low == 0:
            return low + kept
        reach *= 4


_PERCENT_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_URL_STOP = re.compile(r"[\s\"'<>]")  # what no URL-encoded run holds (the run regex's class, less "%")


def url_stretches(text: str) -> Iterator[tuple[int, int]]:
    """The stretches of `text` between whitespace, quotes and angle brackets that hold a %XX escape, in order.
    A URL-encoded run lies inside one, so the run regex reads these alone: over the whole text it tries every
    position of every word (9 ms for one escape in 64 KB of prose)."""
    end = 0
    for escape in _PERCENT_ESCAPE.finditer(text):
        at = escape.start()
        if at < end:
            continue  # in the stretch just read
        start = at
        while start > 0 and not _URL_STOP.match(text, start - 1):
            start -= 1
        stop = _URL_STOP.search(text, at)
        end = len(text) if stop is None else stop.start()
        yield start, end


def _is_hex(run: str) -> bool:
    return len(run) % 2 == 0 and all(ch in "0123456789abcdefABCDEF" for ch in run)


def readable(text: str) -> bool:
    if len(text) < 4:
        return False
    printable = sum(1 for ch in text if ch.isprintable() or ch in "\n\r\t")
    return printable / len(text) >= MIN_PRINTABLE_RATIO


def _as_text(data: bytes) -> str | None:
    if not data or len(data) > MAX_DECODED_CHARS:
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text if readable(text) else None


def decode_base64(run: str) -> str | None:
    body = run.rstrip("=")
    if len(body) % 4 == 1:
        return None
    padded = body + "=" * (-len(body) % 4)
    try:
        if "-" in body or "_" in body:
            data = base64.urlsafe_b64decode(padded)
        else:
            data = base64.b64decode(padded, validate=True)
    except (binascii.Error, ValueError):
        return None
    return _as_text(data)


def decode_hex(run: str) -> str | None:
    try:
        return _as_text(bytes.fromhex(run))
    except ValueError:
        return None


def decode_url(run: str) -> str | None:
    try:
        decoded = unquote(run, errors="strict")
    except UnicodeDecodeError:
        return None
    if decoded == run:
        return None
    return decoded if readable(decoded) else None
