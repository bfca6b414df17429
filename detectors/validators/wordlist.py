"""`wordlist`: a word of the value must be in a word-list file (e.g. known given names).

    - wordlist: {file: data/first-names.txt, part: first}

`file` is relative to the rule file; `part` says which word of the value is
looked up: `first`, `last`, `each` (every word) or `any` (at least one). A
hyphenated word ("Garcia-Lopez") passes when one of its parts is listed.
`negate: true` inverts the check (a deny list: `part: each, negate: true`
rejects a value made only of listed words).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from detectors.validators.registry import BUILTIN, Check, require_no_extra_args

PARTS = ("first", "last", "each", "any")


def read_word_list(path: Path, case_sensitive: bool) -> frozenset[str]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"wordlist: cannot read {str(path)!r}: {exc.__class__.__name__}") from None
    words = (line.strip() for line in lines)
    return frozenset(w if case_sensitive else w.casefold() for w in words if w and not w.startswith("#"))


def wordlist_check(words: frozenset[str], part: str, case_sensitive: bool) -> Check:
    def listed(word: str) -> bool:
        word = word.strip(".,;:'\"()")
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
        return any(listed(t) for t in tokens)

    return check


@BUILTIN.register("wordlist", boost=0.0, description="a word of the value is in a word-list file; args: file, part")
def _wordlist(args: Mapping[str, Any]) -> Check:
    require_no_extra_args(args, {"file", "part", "case_sensitive", "negate"}, "wordlist")
    if not args.get("file"):
        raise ValueError("wordlist needs `file`")
    part = str(args.get("part", "any"))
    if part not in PARTS:
        raise ValueError(f"wordlist: `part` must be one of {', '.join(PARTS)}")
    case_sensitive = bool(args.get("case_sensitive", False))
    path = Path(str(args.get("__base_dir__", "."))) / str(args["file"])
    check = wordlist_check(read_word_list(path, case_sensitive), part, case_sensitive)
    if args.get("negate", False):
        return lambda value: not check(value)
    return check
