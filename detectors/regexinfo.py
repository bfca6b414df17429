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
from functools import lru_cache

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


@lru_cache(maxsize=4096)
def _parsed(regex: str, flags: int) -> object:
    """Python's parse tree of `regex`, shared by the questions below (each reads it, none changes it): loading
    the rules asks three of them about every pattern, and parsing was a third of the start-up of `dlp inspect`."""
    return sre_parse.parse(regex, flags)


@lru_cache(maxsize=4096)
def shape_of(regex: str, flags: int) -> RegexShape:
    """Width bounds and lookahead reach of `regex`, from Python's own regex parser."""
    parsed = _parsed(regex, flags)
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


# Hyperscan's prefilter mode drops lookarounds, so `[A-Za-z0-9]{20,300}(?![A-Za-z0-9])` would report a
# hit at every end from 20 to 300 characters into a run: one Python callback each.
_LOOKAHEAD_AT_END = re.compile(r"\(\?!((?:\\.|\[(?:\\.|[^\]\\])*\]|[^()\\\[])+)\)\Z")
# one character class, alone or as the first alternative (`(?![\w-]|\.\d)` implies `(?![\w-])`)
_FIRST_CLASS = re.compile(r"(\[(?:\\.|[^\]\\])+\]|\\[dwsDWS])(?:\||\Z)")
_NEGATED_ESCAPE = {"d": "D", "w": "W", "s": "S", "D": "d", "W": "w", "S": "s"}


@dataclass(frozen=True, slots=True)
class Prefilter:
    expression: str  # what Hyperscan compiles
    end_slack: int  # characters a hit may end after the end of the regex's own match


@lru_cache(maxsize=4096)
def prefilter_for(regex: str, flags: int) -> Prefilter:
    """The expression to prefilter `regex` with.

    When the top-level sequence ends in negative lookaheads and the first of them is one character class
    (`(?![\\w-])`, or starts with one: `(?![\\w-]|...)`), that lookahead becomes one consumed character or
    the end of the text, and the ones after it are dropped (prefiltering ignores them anyway): a run then
    gives one hit, where it ends. Large bounded repeats are opened up (`widen_repeats`).
    """
    unchanged = Prefilter(widen_repeats(regex), 0)
    items = list(_parsed(regex, flags).data)
    trailing = 0
    while len(items) > trailing and items[-1 - trailing][0] == sre_constants.ASSERT_NOT \
            and items[-1 - trailing][1][0] == 1:
        trailing += 1
    if not trailing or trailing == len(items):
        return unchanged
    head, bodies = regex, []
    for _ in range(trailing):
        match = _LOOKAHEAD_AT_END.search(head)
        if match is None:
            return unchanged
        bodies.append(match.group(1))
        head = head[:match.start()]
    try:  # the text stripped must be exactly the parsed lookaheads
        if repr(list(sre_parse.parse(head, flags).data)) != repr(items[:-trailing]):
            return unchanged
    except re.error:
        return unchanged
    boundary = _FIRST_CLASS.match(bodies[-1])  # the lookahead right after the match
    if boundary is None:
        return unchanged
    return Prefilter(f"(?:{widen_repeats(head)})(?:{_negate_class(boundary.group(1))}|\\z)", 1)


WIDEN_REPEAT_SPAN = 16
_REPEAT_AT = re.compile(r"\{(\d+),(\d+)\}")


def widen_repeats(regex: str, span: int = WIDEN_REPEAT_SPAN) -> str:
    """`regex` with every bounded repeat `{m,n}` where n - m >= `span` opened to `{m,}` (outside character
    classes and lookarounds): a superset that Hyperscan matches many times faster, because large bounded
    repeats need its slow repeat engines. For prefiltering only; the exact regex confirms every hit."""
    out: list[str] = []
    groups: list[bool] = []  # per open group: is it a lookaround?
    in_class = False
    i = 0
    length = len(regex)
    while i < length:
        char = regex[i]
        if char == "\\":
            out.append(regex[i:i + 2])
            i += 2
            continue
        if in_class:
            if char == "]":
                in_class = False
        elif char == "[":
            in_class = True
            # a `]` right after `[` or `[^` is a literal member
            j = i + 1 + (regex.startswith("^", i + 1))
            if regex.startswith("]", j):
                out.append(regex[i:j + 1])
                i = j + 1
                continue
        elif char == "(":
            groups.append(regex.startswith(("(?=", "(?!", "(?<=", "(?<!"), i))
        elif char == ")":
            if groups:
                groups.pop()
        elif char == "{" and not any(groups):
            repeat = _REPEAT_AT.match(regex, i)
            if repeat is not None and int(repeat.group(2)) - int(repeat.group(1)) >= span:
                out.append("{" + repeat.group(1) + ",}")
                i = repeat.end()
                continue
        out.append(char)
        i += 1
    return "".join(out)


def _negate_class(boundary: str) -> str:
    if boundary.startswith("\\"):
        return "\\" + _NEGATED_ESCAPE[boundary[1]]
    body = boundary[1:-1]
    if body.startswith("^"):
        return "[" + body[1:] + "]"
    return "[^" + body + "]"


TOKEN_RUN = 16  # a leading run of at least this many letter-or-digit characters makes a pattern token-shaped


@lru_cache(maxsize=4096)
def starts_with_token_run(regex: str, flags: int) -> bool:
    """Whether the match begins with a long run of one class that takes letters (`[A-Za-z0-9/+]{40}`):
    Hyperscan has to follow such a run through every word of prose, so a keyword is the cheaper prefilter."""
    items = list(_parsed(regex, flags).data)
    while items:
        op, av = items[0]
        if op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            items.pop(0)
            continue
        if op == sre_constants.SUBPATTERN:
            items = list(av[-1].data)
            continue
        if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
            low, _, body = av
            body_items = list(body.data)
            return low >= TOKEN_RUN and len(body_items) == 1 and _takes_letters(body_items[0])
        return False
    return False


def _takes_letters(item: object) -> bool:
    op, av = item  # type: ignore[misc]
    if op != sre_constants.IN:
        return False
    for kind, value in av:
        if kind == sre_constants.RANGE and value[0] <= ord("z") and value[1] >= ord("a"):
            return True
        if kind == sre_constants.RANGE and value[0] <= ord("Z") and value[1] >= ord("A"):
            return True
        if kind == sre_constants.CATEGORY and value in (sre_constants.CATEGORY_WORD,):
            return True
    return False


@dataclass(frozen=True, slots=True)
class RegexFacts:
    """What the scanner plans a pattern by: worked out once, when the rule is parsed, and kept with it (a
    cached rule set then plans its patterns without parsing a regex)."""

    shape: RegexShape
    prefilter: Prefilter
    token_run: bool  # `starts_with_token_run`


def facts_of(regex: str, flags: int) -> RegexFacts:
    return RegexFacts(shape_of(regex, flags), prefilter_for(regex, flags), starts_with_token_run(regex, flags))
