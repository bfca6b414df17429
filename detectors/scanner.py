"""One Hyperscan pass finds candidate regions for every regex pattern of every rule.

Hyperscan cannot extract capture groups and rejects some constructs, so it is
used as a prefilter and Python `re` confirms each candidate region and extracts
the exact span and value group. Each pattern gets the fastest plan it supports:

- `window`: bounded width (from Python's regex parser), compiled with
  HS_FLAG_PREFILTER (which approximates lookarounds and backreferences); a hit
  ending at e means a match may start in [e - width, e].
- `som`: unbounded width, compiled exactly with HS_FLAG_SOM_LEFTMOST; a hit
  gives the leftmost start s, so a match may start in [s, e].
- `near`: the pattern lists literal `keywords` with a `keyword_window`, one
  of them shorter than `RARE_KEYWORD_LENGTH`, and has a bounded width: the
  pattern goes into the database (as in `window`), and only around its hits
  are the keywords looked for; a candidate region is where a hit's possible
  starts meet a keyword's window. A common keyword ("ext", "tel") costs
  nothing where no value-shaped text is near it.
- `keyword`: the pattern lists literal `keywords` (and is not a `near` plan);
  only the literals go into the database, and the regex runs around them (or
  over the text when one occurs).
- `gate`: neither works (unbounded with lookarounds); a single prefilter hit
  means one regex pass over the whole text.
- `always`: Hyperscan cannot compile it at all; one regex pass over every text.

Offsets: Hyperscan reports byte offsets of the UTF-8 text; they are mapped back
to characters (`detectors.offsets`).
"""

from __future__ import annotations

import bisect
import enum
import re
from dataclasses import dataclass, field
from typing import Iterator, Mapping, Sequence

import hyperscan

from detectors.hscache import compile_cached
from detectors.model import PatternSpec
from detectors.offsets import OffsetMap, encode_for_scan
from detectors.regexinfo import UNBOUNDED, facts_of, hyperscan_flags, python_flags
from detectors.structure import TextTables, table_around, table_below

MAX_WINDOW_WIDTH = 4096  # wider bounded patterns use start-of-match tracking instead
LOOKAHEAD_SLACK = 16
# Keywords this long are rare in prose: Hyperscan looks for them and `re` checks the pattern around each
# (`keyword` plan). A shorter one ("ext", "tin") occurs inside ordinary words, and the pattern itself is
# the better prefilter (`near` plan).
RARE_KEYWORD_LENGTH = 5
FLOOD_LIMIT = 20_000  # more hits than this for one pattern in one text: one full regex pass is cheaper


class Mode(str, enum.Enum):
    WINDOW = "window"
    SOM = "som"
    NEAR = "near"
    KEYWORD = "keyword"
    GATE = "gate"
    ALWAYS = "always"


@dataclass(frozen=True, slots=True)
class PatternPlan:
    key: int
    pattern: PatternSpec
    mode: Mode
    width: int  # max match width in characters (>= UNBOUNDED when unbounded)
    lookahead: int
    note: str = ""
    expression: str = ""  # what Hyperscan compiles for window and som plans (`regexinfo.prefilter_for`)

    @property
    def margin(self) -> int:
        return self.lookahead + LOOKAHEAD_SLACK


@dataclass(slots=True)
class Region:
    """Run the regex from `pos` to `endpos`; accept matches starting at or before `last_start`."""

    pos: int
    last_start: int
    endpos: int


@dataclass(slots=True)
class ScanHits:
    regions: dict[int, list[Region]] = field(default_factory=dict)
    gates: set[str] = field(default_factory=set)
    # for a located gate that fired: the character offsets where its matches end; a located gate that
    # fired without ends here (Hyperscan could not compile it) means "look everywhere"
    ends: dict[str, list[int]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Probe:
    kind: str  # pattern | keyword | gate | located
    keys: tuple[int, ...] = ()  # the patterns a `pattern` probe stands for (one expression shared by all)
    name: str = ""


def literal_expression(literal: str) -> str:
    """A PCRE expression matching `literal` exactly (every ASCII punctuation escaped)."""
    return "".join("\\" + ch if ch.isascii() and not ch.isalnum() else ch for ch in literal)


def _collect(expression_id: int, start: int, end: int, flags: int, sink: dict) -> None:
    found = sink.get(expression_id)
    if found is None:
        sink[expression_id] = [(start, end)]
    else:
        found.append((start, end))


def _regions_from_hits(plan: PatternPlan, found: list[tuple[int, int]], length: int) -> list[Region]:
    """Merge the windows of one pattern's hits (Hyperscan reports them in end order)."""
    margin = plan.margin
    window = plan.mode is Mode.WINDOW
    width = plan.width
    regions: list[Region] = []
    current: Region | None = None
    for start, end in found:
        first = (end - width if end > width else 0) if window else start
        if current is not None and first <= current.endpos:
            if end > current.last_start:
                current.last_start = end
            if end + margin > current.endpos:
                current.endpos = end + margin if end + margin < length else length
            if first < current.pos:
                current.pos = first
            continue
        current = Region(first, end, end + margin if end + margin < length else length)
        regions.append(current)
    if not window and len(regions) > 1:  # start-of-match hits need not come in start order
        return merge_regions(regions)
    return regions


@dataclass(frozen=True, slots=True)
class KeywordFinder:
    """Every occurrence of any keyword (case-insensitive), overlapping ones included ("tel" in "hotel")."""

    keywords: tuple[str, ...]  # lower-cased, longest first
    fallback: re.Pattern[str]  # a zero-width search, for the rare text whose lower case changes its length

    @classmethod
    def of(cls, keywords: Sequence[str]) -> "KeywordFinder":
        lowered = tuple(sorted({k.lower() for k in keywords}, key=len, reverse=True))
        alternatives = "|".join(re.escape(k) for k in lowered)
        return cls(lowered, re.compile(f"(?=({alternatives}))", re.IGNORECASE))

    @property
    def longest(self) -> int:
        return len(self.keywords[0])

    def spans(self, text: str, low: int, high: int) -> list[tuple[int, int]]:
        piece = text[low:high]
        lowered = piece.lower()
        if len(lowered) != len(piece):
            return [(m.start(), m.start() + len(m.group(1))) for m in self.fallback.finditer(text, low, high)]
        found = []
        for keyword in self.keywords:
            at = lowered.find(keyword)
            while at >= 0:
                found.append((low + at, low + at + len(keyword)))
                at = lowered.find(keyword, at + 1)
        return found


def _keywords_near(plan: PatternPlan, finder: KeywordFinder, text: str,
                   found: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The keyword occurrences whose window can reach a start some pattern hit allows."""
    window = plan.pattern.keyword_window or 0
    reach = window + finder.longest
    width = plan.width
    spans: list[tuple[int, int]] = []
    for _, end in found:  # keywords may start from `reach` before the first possible start to `window` after the end
        low, high = max(0, end - width - reach), end + window + reach
        if spans and low <= spans[-1][1]:
            if high > spans[-1][1]:
                spans[-1] = (spans[-1][0], high)
        else:
            spans.append((low, high))
    keyword_hits: list[tuple[int, int]] = []
    for low, high in spans:
        keyword_hits.extend(finder.spans(text, low, high))
    return keyword_hits


def _tables_with_hits(text: str, ends: list[int], lookups: TextTables) -> list[tuple[int, int, int]]:
    """The tables written as text (`detectors.structure.table_around`: header start and end, table end)
    that some pattern hit ending at one of the sorted `ends` falls in below the header line."""
    tables: list[tuple[int, int, int]] = []
    seen = -1  # the end of the last line or table looked at
    for end in ends:
        if end <= seen:
            continue
        table = table_around(text, end - 1, lookups)
        if table is None:
            seen = text.find("\n", end)
            seen = len(text) if seen < 0 else seen
            continue
        tables.append(table)
        seen = table[2]
    return tables


def _regions_near_keywords(plan: PatternPlan, found: list[tuple[int, int]], keyword_hits: list[tuple[int, int]],
                           length: int, tables: Sequence[tuple[int, int]] = ()) -> list[Region]:
    """Where a pattern hit's possible starts [end - width, end] meet a keyword's [start - window, end + window]
    (or the rows of a table with a keyword in its header): the starts `keyword` mode would also try,
    narrowed to where the pattern can match."""
    window = plan.pattern.keyword_window or 0
    allowed: list[tuple[int, int]] = []  # merged start ranges the keywords allow
    spans = [(start - window, end + window) for start, end in keyword_hits] + list(tables)
    for low, high in sorted(spans):
        if allowed and low <= allowed[-1][1]:
            if high > allowed[-1][1]:
                allowed[-1] = (allowed[-1][0], high)
        else:
            allowed.append((low, high))
    lows = [low for low, _ in allowed]
    width, margin = plan.width, plan.margin
    regions: list[Region] = []
    for _, end in found:
        first = end - width if end > width else 0
        index = bisect.bisect_right(lows, end) - 1  # the last allowed range starting at or before `end`
        while index >= 0 and allowed[index][1] >= first:
            low, high = allowed[index]
            regions.append(Region(max(first, low), min(end, high), min(length, end + margin)))
            index -= 1
    return regions


class PatternScanner:
    """Compiles all patterns (plus optional named gate regexes) into one Hyperscan database."""

    def __init__(self, patterns: Sequence[PatternSpec], gates: Mapping[str, str] | None = None,
                 located_gates: Mapping[str, str] | None = None) -> None:
        self.patterns = list(patterns)
        self.plans: list[PatternPlan] = []
        self._keywords: dict[str, list[int]] = {}
        for key, pattern in enumerate(self.patterns):
            self.plans.append(self._initial_plan(key, pattern))
        self._gates = dict(gates or {})
        self._located = dict(located_gates or {})  # expressions whose match ends are reported
        self._always_gates: set[str] = set()
        self._db: hyperscan.Database | None = None
        self._probes: list[_Probe] = []
        self._compile()
        # the plans are final once compiled: the keys that run on every text, computed once
        self._always_keys: tuple[int, ...] = tuple(plan.key for plan in self.plans if plan.mode is Mode.ALWAYS)
        self._near_keywords: dict[int, KeywordFinder] = {
            plan.key: KeywordFinder.of(plan.pattern.keywords) for plan in self.plans if plan.mode is Mode.NEAR}

    # -- planning -------------------------------------------------------------
    @staticmethod
    def _initial_plan(key: int, pattern: PatternSpec) -> PatternPlan:
        facts = pattern.facts or facts_of(pattern.regex, python_flags(pattern.flags))
        shape, prefilter = facts.shape, facts.prefilter
        # a hit may end `end_slack` characters after the match it stands for
        width = shape.max_width + prefilter.end_slack
        windowed = shape.bounded and width <= MAX_WINDOW_WIDTH and shape.lookahead < UNBOUNDED
        if pattern.keywords:
            short = min(len(k) for k in pattern.keywords) < RARE_KEYWORD_LENGTH
            # a long token shape is costly for Hyperscan to follow through prose: its keywords prefilter it
            token = facts.token_run
            if windowed and pattern.keyword_window is not None and short and not token:
                return PatternPlan(key, pattern, Mode.NEAR, width, shape.lookahead, "pattern hits near a keyword",
                                   expression=prefilter.expression)
            return PatternPlan(key, pattern, Mode.KEYWORD, shape.max_width, shape.lookahead, "keyword prefilter")
        if shape.lookahead >= UNBOUNDED:
            return PatternPlan(key, pattern, Mode.GATE, shape.max_width, shape.lookahead,
                               "unbounded lookahead: one full regex pass when the prefilter hits")
        if windowed:
            return PatternPlan(key, pattern, Mode.WINDOW, width, shape.lookahead, expression=prefilter.expression)
        return PatternPlan(key, pattern, Mode.SOM, width, shape.lookahead, expression=prefilter.expression)

    def _expressions(self) -> list[tuple[bytes, int, _Probe]]:
        expressions: list[tuple[bytes, int, _Probe]] = []
        keywords: dict[str, list[int]] = {}
        # rules that share a pattern (several identifiers of ten digits) share its expression: Hyperscan
        # reports each hit once, whatever the number of rules that look at it
        shared: dict[tuple[bytes, int], list[int]] = {}
        for plan in self.plans:
            base = hyperscan_flags(plan.pattern.flags)
            if plan.mode is Mode.WINDOW or plan.mode is Mode.NEAR:
                expression = (plan.expression or plan.pattern.regex).encode("utf-8")
                shared.setdefault((expression, base | hyperscan.HS_FLAG_PREFILTER), []).append(plan.key)
            elif plan.mode is Mode.SOM:
                expression = (plan.expression or plan.pattern.regex).encode("utf-8")
                shared.setdefault((expression, base | hyperscan.HS_FLAG_SOM_LEFTMOST), []).append(plan.key)
            elif plan.mode is Mode.GATE:
                flags = base | hyperscan.HS_FLAG_PREFILTER | hyperscan.HS_FLAG_SINGLEMATCH
                shared.setdefault((plan.pattern.regex.encode("utf-8"), flags), []).append(plan.key)
            if plan.mode is Mode.KEYWORD:
                for keyword in plan.pattern.keywords:
                    keywords.setdefault(keyword.lower(), []).append(plan.key)
        self._keywords = keywords
        for (expression, flags), keys in shared.items():
            expressions.append((expression, flags, _Probe("pattern", tuple(keys))))
        for keyword in keywords:
            expression = literal_expression(keyword).encode("utf-8")
            flags = hyperscan.HS_FLAG_CASELESS | hyperscan.HS_FLAG_UTF8
            expressions.append((expression, flags, _Probe("keyword", name=keyword)))
        for name, regex in self._gates.items():
            if name in self._always_gates:
                continue
            flags = hyperscan.HS_FLAG_PREFILTER | hyperscan.HS_FLAG_SINGLEMATCH | hyperscan.HS_FLAG_UTF8
            expressions.append((regex.encode("utf-8"), flags, _Probe("gate", name=name)))
        for name, regex in self._located.items():
            flags = hyperscan.HS_FLAG_PREFILTER | hyperscan.HS_FLAG_UTF8
            expressions.append((regex.encode("utf-8"), flags, _Probe("located", name=name)))
        return expressions

    def _compile(self) -> None:
        # Compile everything at once; when that fails, find the culprits by
        # bisection and demote them (som -> gate -> always), then try again.
        for _ in range(4):
            # A stable order makes the same rules compile to the same (cacheable) database in every process.
            expressions = sorted(self._expressions(), key=lambda e: (e[0], e[1], repr(e[2])))
            if not expressions:
                self._db, self._probes = None, []
                return
            db, failed = compile_cached(expressions, _compile_or_find_failures)
            if db is not None:
                self._db, self._probes = db, [p for _, _, p in expressions]
                return
            for index, reason in failed.items():
                self._demote(expressions[index][2], reason)
        raise RuntimeError("could not build a Hyperscan database")  # pragma: no cover - demotion always converges

    def _demote(self, probe: _Probe, reason: str) -> None:
        if probe.kind == "gate":
            self._always_gates.add(probe.name)
            return
        if probe.kind == "located":  # fires on every text, without ends: the caller looks everywhere
            del self._located[probe.name]
            self._always_gates.add(probe.name)
            return
        if probe.kind == "keyword":  # a literal always compiles; keep the regex exact anyway
            for key in self._keywords.get(probe.name, []):
                self.plans[key] = _replace(self.plans[key], Mode.ALWAYS, f"keyword not compilable: {reason}")
            return
        for key in probe.keys:
            plan = self.plans[key]
            if plan.mode is Mode.NEAR:
                self.plans[key] = _replace(plan, Mode.KEYWORD, f"Hyperscan cannot compile it ({reason}); "
                                                               "the regex runs around each keyword")
            elif plan.mode is Mode.SOM:
                self.plans[key] = _replace(plan, Mode.GATE, f"Hyperscan cannot track its start ({reason}); "
                                                            "one full regex pass when the prefilter hits")
            else:
                self.plans[key] = _replace(plan, Mode.ALWAYS, f"Hyperscan cannot compile it ({reason}); "
                                                              "one full regex pass on every text")

    # -- scanning -------------------------------------------------------------
    def scan(self, text: str, tables: TextTables | None = None) -> ScanHits:
        """Candidate regions per pattern key, and the names of the gates that fired. `tables`: the text's
        table lookups, kept for its candidates' context (a keyword in a header line reaches its table)."""
        if tables is None:
            tables = TextTables(text)
        hits = ScanHits()
        length = len(text)
        for key in self._always_keys:
            hits.regions[key] = [Region(0, length, length)]
        if self._always_gates:
            hits.gates.update(self._always_gates)
        if self._db is None or not text:
            return hits
        by_expression: dict[int, list[tuple[int, int]]] = {}
        self._db.scan(encode_for_scan(text), match_event_handler=_collect, context=by_expression)
        if not by_expression:
            return hits
        offsets = None if text.isascii() else OffsetMap(text)
        near_hits: dict[int, list[tuple[int, int]]] = {}  # near plan -> its pattern hits
        for expression_id, found in by_expression.items():
            probe = self._probes[expression_id]
            if probe.kind == "gate":
                hits.gates.add(probe.name)
                continue
            if offsets is not None:
                found = [(offsets.to_char(start), offsets.to_char(end)) for start, end in found]
            if probe.kind == "located":
                hits.gates.add(probe.name)
                hits.ends[probe.name] = [end for _, end in found]
                continue
            if probe.kind == "keyword":
                size = len(probe.name)
                for key in self._keywords[probe.name]:
                    plan = self.plans[key]
                    # the keyword starts its own length before its end (in characters)
                    regions = [self._keyword_region(plan, text, max(0, end - size), end, tables) for _, end in found]
                    hits.regions.setdefault(key, []).extend(regions)
                continue
            for key in probe.keys:
                plan = self.plans[key]
                if plan.mode is Mode.NEAR:
                    near_hits[key] = found
                elif plan.mode is Mode.GATE or len(found) > FLOOD_LIMIT:
                    hits.regions[key] = [Region(0, length, length)]
                else:
                    hits.regions[key] = _regions_from_hits(plan, found, length)
        # a keyword in a table's header line names its column however far below the cell is: the
        # tables the pattern hits fall in are found once for all plans (usually there is none)
        found_tables = _tables_with_hits(text, sorted({end for found in near_hits.values() for _, end in found}),
                                         tables) \
            if near_hits and "\n" in text else []
        for key, found in near_hits.items():
            plan = self.plans[key]
            finder = self._near_keywords[key]
            keyword_hits = _keywords_near(plan, finder, text, found)
            rows = [(header_end, table_end) for header_start, header_end, table_end in found_tables
                    if finder.spans(text, header_start, header_end)]
            if keyword_hits or rows:
                regions = _regions_near_keywords(plan, found, keyword_hits, length, rows)
                if regions:
                    hits.regions[key] = regions
        for key, regions in hits.regions.items():
            if len(regions) > 1 and self.plans[key].mode is not Mode.WINDOW:
                hits.regions[key] = merge_regions(regions)
        return hits

    @staticmethod
    def _keyword_region(plan: PatternPlan, text: str, start: int, end: int, tables: TextTables) -> Region:
        length = len(text)
        window = plan.pattern.keyword_window
        if window is None:
            return Region(0, length, length)
        last_start = min(length, end + window)
        below = table_below(text, start, end, tables)  # a keyword in a table's header reaches its last row
        if below is not None and below > last_start:
            last_start = below
        if plan.width >= UNBOUNDED:
            return Region(max(0, start - window), last_start, length)
        return Region(max(0, start - window), last_start, min(length, last_start + plan.width + plan.margin))

    def find(self, key: int, text: str, regions: Sequence[Region]) -> Iterator[re.Match[str]]:
        """Confirm candidates with Python `re`: the matches a full-text search would report there."""
        plan = self.plans[key]
        compiled = plan.pattern.compiled
        overlapping = plan.pattern.overlapping
        reach = plan.lookahead + 1
        length = len(text)
        for region in regions:
            endpos = region.endpos
            last_start = region.last_start
            matches = (iter_matches(compiled, text, region.pos, endpos, True) if overlapping
                       else compiled.finditer(text, region.pos, endpos))
            cut = endpos - reach if endpos < length else length  # a match ending past a cut-off end may be
            for match in matches:                                # an artifact of the cut
                if match.start() > last_start:
                    break
                if match.end() > cut:
                    continue
                yield match

    def plan_for(self, key: int) -> PatternPlan:
        return self.plans[key]


def iter_matches(compiled: re.Pattern[str], text: str, pos: int, endpos: int,
                 overlapping: bool) -> Iterator[re.Match[str]]:
    """`finditer`, or with `overlapping` every leftmost match from each next start position."""
    if not overlapping:
        yield from compiled.finditer(text, pos, endpos)
        return
    while pos <= endpos:
        match = compiled.search(text, pos, endpos)
        if match is None:
            return
        yield match
        pos = match.start() + 1


def merge_regions(regions: list[Region]) -> list[Region]:
    """Regions whose ranges of allowed starts overlap or touch, merged. Regions whose search ranges merely
    overlap stay apart: a keyword's window is a limit, and a merged region would accept the starts between."""
    regions.sort(key=lambda r: r.pos)
    merged = [regions[0]]
    for region in regions[1:]:
        current = merged[-1]
        if region.pos <= current.last_start + 1:
            current.last_start = max(current.last_start, region.last_start)
            current.endpos = max(current.endpos, region.endpos)
        else:
            merged.append(region)
    return merged


def _replace(plan: PatternPlan, mode: Mode, note: str) -> PatternPlan:
    # gate and always plans use the pattern as written
    return PatternPlan(plan.key, plan.pattern, mode, plan.width, plan.lookahead, note)


def _try_compile(expressions: Sequence[tuple[bytes, int, _Probe]]) -> tuple[hyperscan.Database | None, str]:
    db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    try:
        db.compile(
            expressions=[e for e, _, _ in expressions],
            ids=list(range(len(expressions))),
            elements=len(expressions),
            flags=[f for _, f, _ in expressions],
        )
    except hyperscan.error as exc:
        return None, str(exc.args[0] if exc.args else exc)
    return db, ""


def _compile_or_find_failures(
    expressions: Sequence[tuple[bytes, int, _Probe]],
) -> tuple[hyperscan.Database | None, dict[int, str]]:
    """The compiled database, or the indexes Hyperscan rejects with its reasons (found by bisection)."""
    db, reason = _try_compile(expressions)
    if db is not None:
        return db, {}
    failed: dict[int, str] = {}

    def visit(indexes: list[int], known_reason: str | None) -> None:
        reason = known_reason
        if reason is None:
            db, reason = _try_compile([expressions[i] for i in indexes])
            if db is not None:
                return
        if len(indexes) == 1:
            failed[indexes[0]] = reason
            return
        middle = len(indexes) // 2
        visit(indexes[:middle], None)
        visit(indexes[middle:], None)

    visit(list(range(len(expressions))), reason)
    return None, failed
