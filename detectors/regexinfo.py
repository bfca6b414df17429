"""What the engine needs to know about a Python regular expression before it runs it:
its flags in both engines, how wide a match can be, how far it looks ahead.

Rules are written in Python `re` syntax (which, for what DLP rules use, is also
PCRE syntax, so Hyperscan reads the same text). By default `\\d`, `\\w`, `\\s`
and `\\b` are ASCII in both engines so that the prefilter and the confirming
regex agree; a pattern flagged `unicode` switches both to Unicode classes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import hyperscan

try:  # Python 3.11+: the parser moved to re._parser
    from re import _parser as sre_parse  # type: ignore[attr-defined]
    from re import _constants as sre_constants  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    import sre_constants  # type: ignore[no-redef]
    import sre_parse  # type: ignore[no-redef]

PATTERN_FLAGS = ("ignore_case", "multiline", "dotall", "unicode")

# A width at or above this is treated as unbounded (`+`, `*`, `{n,}`).
UNBOUNDED = 1 << 20
_EMPTY_MIN_REPEAT = re.compile(r"(?<!\\)\{,\d")


def python_flags(flags: frozenset[str]) -> int:
    value = 0 if "unicode" in flags else re.ASCII
    if "ignore_case" in flags:
        value |= re.IGNORECASE
    if "multiline" in flags:
        value |= re.MULTILINE
    if "dotall" in flags:
        value |= re.DOTALL
    return value


def hyperscan_flags(flags: frozenset[str]) -> int:
    # UTF8 always: Python matches characters, so Hyperscan must too (`.` = one character)
    value = hyperscan.HS_FLAG_UTF8
    if "unicode" in flags:
        value |= hyperscan.HS_FLAG_UCP
    if "ignore_case" in flags:
        value |= hyperscan.HS_FLAG_CASELESS
    if "multiline" in flags:
        value |= hyperscan.HS_FLAG_MULTILINE
    if "dotall" in flags:
        value |= hyperscan.HS_FLAG_DOTALL
    return value


@dataclass(frozen=True, slots=True)
class RegexShape:
    min_width: int
    max_width: int  # >= UNBOUNDED when unbounded
    lookahead: int  # widest lookahead assertion, in characters (>= UNBOUNDED when unbounded)

    @property
    def bounded(self) -> bool:
        return self.max_width < UNBOUNDED


def shape_of(regex: str, flags: int) -> RegexShape:
    """Width bounds and lookahead reach of `regex`, from Python's own regex parser."""
    parsed = sre_parse.parse(regex, flags)
    low, high = parsed.getwidth()
    return RegexShape(int(low), int(min(high, UNBOUNDED)), _lookahead_reach(parsed))


def _lookahead_reach(parsed: object) -> int:
    reach = 0
    for op, av in getattr(parsed, "data", ()):
        if op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            direction, sub = av
            if direction == 1:  # lookahead
                reach = max(reach, min(int(sub.getwidth()[1]), UNBOUNDED))
            reach = max(reach, _lookahead_reach(sub))
        elif op in (sre_constants.SUBPATTERN,):
            reach = max(reach, _lookahead_reach(av[-1]))
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT) or op == getattr(
            sre_constants, "POSSESSIVE_REPEAT", None
        ):
            reach = max(reach, _lookahead_reach(av[-1]))
        elif op == sre_constants.BRANCH:
            for branch in av[1]:
                reach = max(reach, _lookahead_reach(branch))
        elif op == getattr(sre_constants, "ATOMIC_GROUP", None):
            reach = max(reach, _lookahead_reach(av))
        elif op == sre_constants.GROUPREF_EXISTS:
            for branch in av[1:]:
                if branch is not None:
                    reach = max(reach, _lookahead_reach(branch))
    return reach


def portability_problem(regex: str) -> str | None:
    """A construct that Python and Hyperscan read differently, if any."""
    if _EMPTY_MIN_REPEAT.search(regex):
        return "write `{0,n}` instead of `{,n}` (PCRE/Hyperscan read `{,n}` literally)"
    return None
