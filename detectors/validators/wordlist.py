"""`wordlist`: a word of the value must be in a word-list file (e.g. known given names).

    - wordlist: {file: data/first-names.txt, part: first}

`file` is relative to the rule file (`files:` takes several, read as one list); `part` says
which word of the value is looked up: `first`, `last`, `each` (every word), `any` (at least
one), `alone` (a value of one word must be listed; longer values pass: a single word is
weaker evidence than a full name) or `letters` (the letters the value opens with: `SERVER` of `SERVER46`,
for codes of letters and digits). A hyphenated word ("Garcia-Lopez") passes when one of
its parts is listed.
`negate: true` inverts the check (a deny list: `part: each, negate: true`
rejects a value made only of listed words).
`min_words: N` lets a value of fewer words pass unchecked (`part: first, negate: true,
min_words: 2`: a name of several words does not open with a listed word; one word alone is
judged by other checks).
`except:` names files whose words do not count as listed, though `file` has them (ordinary
English words that are no given or family name: "Quoting", but not "Will").
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any, Mapping

from detectors.validators.registry import BUILTIN, Check, require_no_extra_args

PARTS = ("first", "last", "each", "any", "alone", "letters")
_LEADING_LETTERS = re.compile(r"[^\W\d_]+")


class WordSets:
    """Several word lists looked up as one, without copying them into one set."""

    __slots__ = ("sets", "excluded", "_unread")

    def __init__(self, *sets: frozenset[str], excluded: tuple[frozenset[str], ...] = ()) -> None:
        self.sets = sets
        self.excluded = excluded
        self._unread: tuple[list[Path], list[Path], bool] | None = None

    @classmethod
    def read_on_first_use(cls, paths: list[Path], excluded: list[Path], case_sensitive: bool) -> "WordSets":
        """Lists read at the first lookup: for a rule set from the start-up cache, which has checked that
        the files are the ones it was built from (most short inputs never look a name up)."""
        words = cls()
        words._unread = (paths, excluded, case_sensitive)
        return words

    def __contains__(self, word: object) -> bool:
        if self._unread is not None:
            self._read()
        # plain loops: a name pattern asks once for every capitalised word it matches
        for words in self.sets:
            if word in words:
                for excluded in self.excluded:
                    if word in excluded:
                        return False
                return True
        return False

    def _read(self) -> None:
        paths, excluded, case_sensitive = self._unread  # type: ignore[misc]
        self.excluded = read_word_lists(excluded, case_sensitive).sets
        self.sets = read_word_lists(paths, case_sensitive).sets
        self._unread = None


def read_word_lists(paths: list[Path], case_sensitive: bool) -> WordSets:
    """The words of every file."""
    return WordSets(*(read_word_list(path, case_sensitive) for path in paths))


def read_word_list(path: Path, case_sensitive: bool) -> frozenset[str]:
    try:
        stat = path.stat()
    except OSError as exc:
        raise ValueError(f"wordlist: cannot read {str(path)!r}: {exc.__class__.__name__}") from None
    return _read_word_list(str(path.resolve()), stat.st_mtime_ns, stat.st_size, case_sensitive)


# several rules and gates name the same large lists (the census names are 190,000 words): each file is
# read once per version of it (modification time and size are part of the key)
@functools.lru_cache(maxsize=32)
def _read_word_list(path: str, mtime_ns: int, size: int, case_sensitive: bool) -> frozenset[str]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"wordlist: cannot read {path!r}: {exc.__class__.__name__}") from None
    # the whole text folded at once and the lines stripped by `map`: the lists are read at every start-up,
    # and a Python step per word was most of the time `dlp inspect` took to load its rules
    words = set(map(str.strip, (text if case_sensitive else text.casefold()).splitlines()))
    words.difference_update([word for word in words if word.startswith("#")])
    words.discard("")
    return frozenset(words)


def wordlist_check(words: frozenset[str] | WordSets, part: str, case_sensitive: bool) -> Check:
    def listed(word: str) -> bool:
        word = word.strip(".,;:'\"()")
        if word.endswith(("'s", "’s")):  # a possessive is not part of the word ("Garcia's")
            word = word[:-2]
        key = word if case_sensitive else word.casefold()
        if key in words:
            return True
        return "-" in key and any(piece in words for piece in key.split("-") if piece)

    def check(value: str) -> bool:
        tokens = value.split()
        if not tokens:
            return False
        if part == "first":
            return listed(tokens[0])
        if part == "last":
            return listed(tokens[-1])
        if part == "each":
            return all(listed(t) for t in tokens)
        if part == "alone":
            return len(tokens) > 1 or listed(tokens[0])
        if part == "letters":
            letters = _LEADING_LETTERS.match(tokens[0])
            return letters is not None and listed(letters.group())
        return any(listed(t) for t in tokens)

    return check


@BUILTIN.register("wordlist", boost=0.0, description="a word of the value is in a word-list file; args: file, part",
                  file_args=("file", "files", "except"), cheap=True)
def _wordlist(args: Mapping[str, Any]) -> Check:
    require_no_extra_args(args, {"file", "files", "part", "case_sensitive", "negate", "except", "min_words"}, "wordlist")
    files = [args["file"]] if args.get("file") else []
    more = args.get("files") or []
    if not isinstance(more, list):
        raise ValueError("wordlist: `files` must be a list of file names")
    files.extend(more)
    excepted = args.get("except") or []
    if not isinstance(excepted, list):
        raise ValueError("wordlist: `except` must be a list of file names")
    if not files:
        raise ValueError("wordlist needs `file` (or `files`)")
    part = str(args.get("part", "any"))
    if part not in PARTS:
        raise ValueError(f"wordlist: `part` must be one of {', '.join(PARTS)}")
    case_sensitive = bool(args.get("case_sensitive", False))
    base = Path(str(args.get("__base_dir__", ".")))
    paths, excepted_paths = [base / str(name) for name in files], [base / str(name) for name in excepted]
    if args.get("__files_checked__"):
        words = WordSets.read_on_first_use(paths, excepted_paths, case_sensitive)
    else:
        words = WordSets(*read_word_lists(paths, case_sensitive).sets,
                         excluded=read_word_lists(excepted_paths, case_sensitive).sets)
    try:
        min_words = int(args.get("min_words", 1))
    except (TypeError, ValueError):
        raise ValueError("wordlist: `min_words` must be a whole number") from None
    listed = wordlist_check(words, part, case_sensitive)
    negate = bool(args.get("negate", False))
    if min_words <= 1:  # (one call less: name patterns check every capitalised word they match)
        return (lambda value: not listed(value)) if negate else listed

    def check(value: str) -> bool:
        if min_words > 1 and len(value.split()) < min_words:
            return True
        return listed(value) != negate

    return check
