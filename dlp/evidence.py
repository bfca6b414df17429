"""What a finding keeps of the value it matched: a keyed fingerprint and a masked snippet.

The fingerprint is HMAC-SHA256 under a per-installation key, so the same
value found twice links up, while the stored hash cannot be reversed by
enumerating small spaces (SSNs, card numbers) without the key.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Iterable
from pathlib import Path

SNIPPET_RADIUS = 24
KEY_ENV = "DLP_FINGERPRINT_KEY"


class Fingerprinter:
    def __init__(self, key: bytes) -> None:
        if len(key) < 16:
            raise ValueError("the fingerprint key must be at least 16 bytes")
        self._key = key

    def __call__(self, value: str) -> str:
        return hmac.new(self._key, value.encode("utf-8"), hashlib.sha256).hexdigest()

    @staticmethod
    def key_for_database(db_path: Path) -> bytes:
        """The key comes from $DLP_FINGERPRINT_KEY, else from `<db>.key` (created 0600 on first use).

        It lives beside the database, not in it, so that a copy of the database
        alone does not let anyone test guesses against the fingerprints.
        """
        from_env = os.environ.get(KEY_ENV)
        if from_env:
            return from_env.encode("utf-8")
        key_path = db_path.with_name(db_path.name + ".key")
        if not key_path.exists():
            key_path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
        return key_path.read_text().strip().encode("utf-8")


# Entities whose last 4 characters are conventionally shown (card and account numbers, key ids):
# enough to tell two values apart, useless to an attacker. Names, ids and the rest are fully masked.
TAIL_ENTITIES = frozenset({"CREDIT_CARD", "IBAN_CODE", "US_BANK_NUMBER", "SECRET", "CRYPTO"})


def mask_value(value: str, keep_tail: bool = True) -> str:
    """Mask a value, keeping at most the last 4 characters of a long one."""
    if keep_tail and len(value) >= 12:
        return "*" * min(len(value) - 4, 16) + value[-4:]
    return "*" * len(value)


_DIGIT = re.compile(r"\d")


def _mask_digits(context: str) -> str:
    """Digits around a finding may be another identifier no rule caught: never show them."""
    return _DIGIT.sub("#", context)


def masked_snippet(
    text: str, start: int, end: int, spans: Iterable[tuple[int, int]] = (), *, keep_tail: bool = False
) -> str:
    """The text around [start, end) with that value and every other detected value in view masked."""
    lo = max(0, start - SNIPPET_RADIUS)
    hi = min(len(text), end + SNIPPET_RADIUS)
    to_mask = sorted({(max(s, lo), min(e, hi)) for s, e in (*spans, (start, end)) if s < hi and e > lo})
    pieces: list[str] = []
    cursor = lo
    for s, e in to_mask:
        if s < cursor:  # overlapping spans: mask the union
            s = cursor
            if s >= e:
                continue
        pieces.append(_mask_digits(text[cursor:s]))
        pieces.append(mask_value(text[s:e], keep_tail) if (s, e) == (start, end) else "*" * (e - s))
        cursor = e
    pieces.append(_mask_digits(text[cursor:hi]))
    snippet = "".join(pieces).replace("\n", " ").replace("\r", " ")
    return ("…" if lo > 0 else "") + snippet + ("…" if hi < len(text) else "")
