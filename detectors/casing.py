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
# a word standing alone: not part of an e-mail address, a path, a host name or an identifier
_WORD = re.compile(r"(?<![\w@./:\\-])[^\W\d_]{3,}(?![\w@/\\-]|[.:]\w)")
LOWER_CASE_TEXT_CHARS = 2_000  # longer all-lower-case texts are code, logs or data, not chat
# a text is written in lower case when no word in it starts with a capital followed by a lower-case letter
# ("RT @ana i saw david" is; "Saw david" is not); a regex search decides it at C speed, and stops at the
# first capitalised word of an ordinary text
_CAPITALISED_WORD = re.compile(r"(?<![^\W\d_])[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ]")
_CAPITALS_WORD = re.compile(r"(?<![\w@./:\\-])[A-Z]{%d,}(?![\w@/\\-]|[.:]\w)" % MIN_CAPITALS)

WordCheck = Callable[[str], bool]


def recase(text: str, checks: Sequence[Sequence[WordCheck]], memo: dict[str, bool] | None = None) -> str:
    """`text` with a capital first letter on each word that is all capitals (4 letters or more: shorter
    ones are mostly acronyms), or in a text written in lower case all lower case (3 letters or more), and passes
    every check of one of `checks`; `text` itself when none does. Words whose case change would change
    their length are left alone. `memo` remembers each word's answer across calls."""
    if not checks:
        return text
    lower_text = len(text) <= LOWER_CASE_TEXT_CHARS and _CAPITALISED_WORD.search(text) is None
    pieces: list[str] = []
    last = 0
    for match in (_WORD if lower_text else _CAPITALS_WORD).finditer(text):
        word = match.group()
        if not (word.islower() or word.isupper() and len(word) >= MIN_CAPITALS):
            continue
        passes = memo.get(word) if memo is not None else None
        if passes is None:
            passes = any(all(check(word) for check in group) for group in checks)
            if memo is not None:
                memo[word] = passes
        if not passes:
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
