"""Case restoration for NER: names in text written all in lower case or in capitals.

spaCy's English models learned from edited text, where names are capitalised: they miss "saw david
at the mall" and "JUSTICE BREYER SAID". A NER rule's `recase:` checks (word-list validators, say "a
known name that is not an ordinary word") pick the words that get a capital first letter, in a copy
of the text the gate and the model read instead. Only the case of a letter changes, so offsets into
the copy are offsets into the text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

MIN_CAPITALS = 4  # "BREYER" is recased; "ENA", "AMS", "IRA" are acronyms more often than names
LOWER_CASE_TEXT = 0.05  # a text whose letters are less than 5% capitals is written in lower case
_WORD = re.compile(r"[^\W\d_]{2,}")

WordCheck = Callable[[str], bool]


def recase(text: str, checks: Sequence[Sequence[WordCheck]]) -> str:
    """`text` with a capital first letter on each word that is all capitals (4 letters or more: shorter
    ones are mostly acronyms), or in a lower-case text all lower case (3 letters or more), and passes
    every check of one of `checks`; `text` itself when none does. Words whose case change would change
    their length are left alone."""
    if not checks:
        return text
    letters = sum(1 for ch in text if ch.isalpha())
    if not letters:
        return text
    upper = sum(1 for ch in text if ch.isupper())
    lower_text = upper < LOWER_CASE_TEXT * letters
    if not lower_text and not any(w.isupper() and len(w) >= MIN_CAPITALS for w in _WORD.findall(text)):
        return text
    pieces: list[str] = []
    last = 0
    for match in _WORD.finditer(text):
        word = match.group()
        if not (word.isupper() and len(word) >= MIN_CAPITALS or lower_text and word.islower() and len(word) >= 3):
            continue
        if not any(all(check(word) for check in group) for group in checks):
            continue
        title = word[0].upper() + word[1:].lower()
        if len(title) != len(word):
            continue
        pieces.append(text[last:match.start()])
        pieces.append(title)
        last = match.end()
    if not pieces:
        return text
    pieces.append(text[last:])
    return "".join(pieces)
