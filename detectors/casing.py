"""Case restoration for NER: names in text written all in lower case or in capitals.

spaCy's English models learned from edited text, where names are capitalised: they miss "saw david
at the mall" and "JUSTICE BREYER SAID". A NER rule's `recase:` checks (word-list validators, say "a
known name that is not an ordinary word") pick the words that get a capital first letter, in a copy
of the text the gate and the model read instead. Only the case of a letter changes, so offsets into
the copy are offsets into the text.
"""

from __future__ import annotations

import bisect
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
# words in capitals one after another, on one line, with at most a few marks between ("GET NICOLA OUT!", "VOTE
# GODDARD", "MEETING WITH DAVID"): around a name in capitals, the model reads shouted words as part of an
# organisation's name ("GET Nicola OUT"), so the other words of the run go to lower case ("get Nicola out")
_CAPITALS_RUN = re.compile(r"(?<![^\W\d_])[A-Z][A-Z'’]*(?:[^\w\n]{1,3}[A-Z][A-Z'’]*)*(?![^\W\d_])")
_CAPITALS_RUN_WORD = re.compile(r"[A-Z][A-Z'’]+")
def list_separator(conjunctions: str) -> re.Pattern[str]:
    """What stands between two names of a list ("Okafor, Brennan, or Ruiz", "Quelch and Vranjes"): a comma,
    maybe with one of `conjunctions` after it, or one of them between spaces. The one definition of a list of
    names: the engine's list of weak names and the recasing of names in capitals differ only in the words."""
    return re.compile(rf",[ ]?(?:(?:{conjunctions})[ ])?|[ ](?:{conjunctions})[ ]")


# a list of family names in capitals, as court opinions and line-ups write them ("OKAFOR, VRANJES, and TOBIAS
# signed", "QUELCH and MARTINEZ"): a word in capitals listed with a recased name is a name too, though the lists do
# not know it or it is also a word; a list of names is never read as one run of shouted words ("AND" in capitals
# joins such a list too)
_LISTED_WITH = list_separator("and|or|AND|OR|&")
# (one word of a shouted phrase is no list item: "CALL TOBIAS, PLEASE HURRY")
_CAPITALS_AFTER = re.compile(r"[ \t]+[A-Z]{2}")
_CAPITALS_BEFORE = re.compile(r"[A-Z]{2}[ \t]+$")

# in a text with capitals, a lower-case name is left as its writer typed it ("sat with lydia", "asked daniel if",
# "thanks priya", "dave said"), so the model reads it as a word: a word right after a word that takes a person
# (a verb of asking or telling, "with", a greeting or a thanks) or right before a verb of saying is recased
# when it passes the checks ("thank you" counts too). Only lower-case words: "Will" or "Mark" after "with" are
# the writer's capitals
_PERSON_BEFORE = ("with|asked|ask|asks|tell|told|tells|thanks|thx|ty|love|miss|met|meet|hi|hey|hello|dear|"
                  "congrats|bye|called|call|texted|text|ping|pinged|cc|by|and|&|for|from|to|of|like|see|saw|hug|kiss")
_PERSON_AFTER = "said|says|asked|told|wants|wanted|thinks|knows|loves|likes|hates|calls|called|texted|replied|is|was"
_CUES_BEFORE = frozenset(spelling for cue in _PERSON_BEFORE.split("|") for spelling in (cue, cue[0].upper() + cue[1:]))
_CUES_AFTER = frozenset(_PERSON_AFTER.split("|"))
# (tokens as `split` leaves them: "thank you" is looked at from "you"; "said." is "said")
_CUES_BEFORE_TOKENS = _CUES_BEFORE | {"you"}
_CUES_AFTER_TOKENS = frozenset(cue + end for cue in _CUES_AFTER for end in ("", ".", ",", ";", ":", "!", "?"))
_CUED_WORD = re.compile(r"[a-z]{3,}(?![\w@/\\-]|[.:]\w)")  # a token's word: "priya," -> "priya"
_TOKEN = re.compile(r"\S+")  # what `str.split()` cuts a text into

WordCheck = Callable[[str], bool]


def recase(text: str, checks: Sequence[Sequence[WordCheck]], memo: dict[str, bool] | None = None) -> str:
    """`text` with a capital first letter on each word that is all capitals (4 letters or more: shorter
    ones are mostly acronyms), or in a text written in lower case all lower case (3 letters or more), or in
    lower case next to a word that takes a person, and passes every check of one of `checks`; `text` itself
    when none does. Words whose case change would change their length are left alone. `memo` remembers
    each word's answer across calls."""
    if not checks:
        return text

    def passes(word: str) -> bool:
        answer = memo.get(word) if memo is not None else None
        if answer is None:
            answer = any(all(check(word) for check in group) for group in checks)
            if memo is not None:
                memo[word] = answer
        return answer

    lower_text = len(text) <= LOWER_CASE_TEXT_CHARS and _CAPITALISED_WORD.search(text) is None
    pieces: list[str] = []
    last = 0
    names: list[tuple[int, int]] = []
    for start, end in _recase_candidates(text, lower_text, passes):
        word = text[start:end]
        if start < last or not (word.islower() or word.isupper() and len(word) >= MIN_CAPITALS) or not passes(word):
            continue
        title = word[0].upper() + word[1:].lower()
        if len(title) != len(word):
            continue
        names.append((start, end))
        pieces.append(text[last:start])
        pieces.append(title)
        last = end
    if names:
        listed = _listed_with_names(text, names)
        if listed:
            names = sorted(names + listed)
            pieces, last = _title_case(text, names)
        return _lower_case_around_capital_names(text, pieces, last, names)
    if not pieces:
        return text
    pieces.append(text[last:])
    return "".join(pieces)


def _recase_candidates(text: str, lower_text: bool, passes: WordCheck) -> list[tuple[int, int]]:
    """Spans of the words `recase` may give a capital, in order: every word of a lower-case text; in
    other text, words in capitals and the lower-case names next to a word that takes a person."""
    if lower_text:
        return [match.span() for match in _WORD.finditer(text)]
    return sorted([match.span() for match in _CAPITALS_WORD.finditer(text)] + _cued_names(text, passes))


def _cued_names(text: str, passes: WordCheck) -> list[tuple[int, int]]:
    """Spans of the lower-case words right after a word that takes a person or right before a verb of saying
    that pass the checks. The text's whitespace-separated tokens are looked up in sets, at about the speed of
    `split` (a regex of forty cue words would try them at every position); only a text with such a name is
    read again for the offsets."""
    tokens = text.split()
    if _CUES_BEFORE_TOKENS.isdisjoint(tokens) and _CUES_AFTER_TOKENS.isdisjoint(tokens):
        return []
    found: list[tuple[int, tuple[int, int]]] = []
    for index, (before, token, after) in enumerate(zip([""] + tokens, tokens, tokens[1:] + [""])):
        if (before in _CUES_BEFORE_TOKENS or after in _CUES_AFTER_TOKENS) and token[:1].islower():
            word = _cued_word(tokens, index, passes)
            if word is not None:
                found.append((index, word))
    if not found:
        return []
    starts = [match.start() for match in _TOKEN.finditer(text)]
    return [(starts[index] + start, starts[index] + end) for index, (start, end) in found]


def _cued_word(tokens: list[str], index: int, passes: WordCheck) -> tuple[int, int] | None:
    """Where in `tokens[index]` a cued name is: after a cue ("with lydia+her" -> "lydia", "thank you priya") or
    before a verb of saying ("rahul said")."""
    token = tokens[index]
    before = tokens[index - 1] if index >= 1 else ""
    if before in _CUES_BEFORE or before == "you" and index >= 2 and tokens[index - 2] in ("thank", "Thank"):
        word = _CUED_WORD.match(token)
        if word is not None and passes(word.group()):
            return word.span()
    after = tokens[index + 1] if index + 1 < len(tokens) else ""
    if (after.rstrip(".,;:!?") in _CUES_AFTER and len(token) >= 3 and token.isascii() and token.isalpha()
            and token.islower() and passes(token)):
        return 0, len(token)
    return None


def _listed_with_names(text: str, names: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans of the words in capitals (4 letters or more) that stand in a list with one of `names` (sorted), or
    with a word so found: next to it, with a comma, "and" or "or" between."""
    if not any(text[start:end].isupper() for start, end in names):
        return []
    words = [match.span() for match in _CAPITALS_WORD.finditer(text)]
    named = set(names)
    found: list[tuple[int, int]] = []
    changed = True
    while changed:
        changed = False
        for index, span in enumerate(words):
            if span in named or _CAPITALS_AFTER.match(text, span[1]) or _CAPITALS_BEFORE.search(text, 0, span[0]):
                continue
            neighbours = [(words[index - 1], span)] if index else []
            if index + 1 < len(words):
                neighbours.append((span, words[index + 1]))
            for left, right in neighbours:
                other = left if right == span else right
                if other in named and _LISTED_WITH.fullmatch(text, left[1], right[0]):
                    named.add(span)
                    found.append(span)
                    changed = True
                    break
    return found


def _title_case(text: str, names: list[tuple[int, int]]) -> tuple[list[str], int]:
    """The pieces of `text` up to the end of the last of `names` (sorted spans), each name with a capital first
    letter and the rest in lower case, and that end."""
    pieces: list[str] = []
    last = 0
    for start, end in names:
        word = text[start:end]
        pieces.append(text[last:start])
        pieces.append(word[0].upper() + word[1:].lower())
        last = end
    return pieces, last


def _lower_case_around_capital_names(text: str, pieces: list[str], last: int, names: list[tuple[int, int]]) -> str:
    """The recased text (`pieces` up to `last`, then the rest of `text`) with the other words of each run of
    words in capitals that holds a recased name (`names`, sorted) in lower case."""
    recased = "".join(pieces) + text[last:]
    named = set(names)
    chars: list[str] | None = None
    for run in _CAPITALS_RUN.finditer(text):
        start, end = run.span()
        at = bisect.bisect_left(names, (start, 0))
        if at == len(names) or names[at][0] >= end:
            continue
        for word in _CAPITALS_RUN_WORD.finditer(text, start, end):
            if word.span() in named:
                continue
            lower = word.group().lower()
            if len(lower) == len(word.group()):
                if chars is None:
                    chars = list(recased)
                chars[word.start():word.end()] = lower
    return recased if chars is None else "".join(chars)
