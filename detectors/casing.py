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

# in a text with capitals, a lower-case name is left as its writer typed it ("sat with lydia", "asked daniel if",
# "thanks priya", "dave said"), so the model reads it as a word: a word right after a word that takes a person
# (a verb of asking or telling, "with", a greeting or a thanks) or right before a verb of saying is recased
# when it passes the checks. Only lower-case words: "Will" or "Mark" after "with" are the writer's capitals
_PERSON_BEFORE = ("with|asked|ask|asks|tell|told|tells|thanks|thank you|thx|ty|love|miss|met|meet|hi|hey|hello|dear|"
                  "congrats|bye|called|call|texted|text|ping|pinged|cc|by|and|&|for|from|to|of|like|see|saw|hug|kiss")
_PERSON_AFTER = "said|says|asked|told|wants|wanted|thinks|knows|loves|likes|hates|calls|called|texted|replied|is|was"
_CUED_WORD = re.compile(
    r"(?<![\w'’-])(?i:%s)[ \t]+(?P<after_cue>[a-z]{3,})(?![\w@/\\-]|[.:]\w)"
    r"|(?<![\w@./:\\-])(?P<before_cue>[a-z]{3,})(?=[ \t]+(?:%s)(?![\w'’-]))" % (_PERSON_BEFORE, _PERSON_AFTER))

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
    for start, end in _recase_candidates(text, lower_text):
        word = text[start:end]
        if start < last or not (word.islower() or word.isupper() and len(word) >= MIN_CAPITALS):
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
        pieces.append(text[last:start])
        pieces.append(title)
        last = end
    if not pieces:
        return text
    pieces.append(text[last:])
    return "".join(pieces)


def _recase_candidates(text: str, lower_text: bool) -> list[tuple[int, int]]:
    """Spans of the words `recase` may give a capital, in order: every word of a lower-case text; in
    other text, words in capitals and lower-case words next to a word that takes a person."""
    if lower_text:
        return [match.span() for match in _WORD.finditer(text)]
    spans = [match.span() for match in _CAPITALS_WORD.finditer(text)]
    for match in _CUED_WORD.finditer(text):
        spans.append(match.span("after_cue") if match.group("after_cue") else match.span("before_cue"))
    return sorted(spans)
