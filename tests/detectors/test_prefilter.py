"""The expressions Hyperscan prefilters with (`regexinfo.prefilter_for`, `widen_repeats`): every match
of the rule's regex still gets a hit at its end (plus the slack), and runs give one hit, not one per
position."""

from __future__ import annotations

import functools
import re

import hyperscan
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detectors.loader import load_rules
from detectors.regexinfo import hyperscan_flags, prefilter_for, python_flags, widen_repeats
from rules import RULES_DIR


@functools.lru_cache(maxsize=None)
def prefilter_db(expression: str, flags: int) -> hyperscan.Database:
    db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    db.compile(expressions=[expression.encode()], ids=[0], elements=1, flags=[flags | hyperscan.HS_FLAG_PREFILTER])
    return db


def hit_ends(expression: str, text: str, flags: int = hyperscan.HS_FLAG_UTF8) -> list[int]:
    """Byte offsets where Hyperscan reports the prefilter expression matching."""
    ends: list[int] = []
    prefilter_db(expression, flags).scan(text.encode(), match_event_handler=lambda _i, _s, end, _f, _c: ends.append(end))
    return ends


@pytest.mark.parametrize(
    ("regex", "expected"),
    [
        (r"(?<![A-Za-z0-9_-])(?P<v>sk_[A-Za-z0-9]{24,247})(?![A-Za-z0-9_-])",
         r"(?:(?<![A-Za-z0-9_-])(?P<v>sk_[A-Za-z0-9]{24,}))(?:[^A-Za-z0-9_-]|\z)"),
        # only the first trailing lookahead is kept, as one consumed character
        (r"(?P<v>[2-9]\d{3} \d{4})(?![\w-])(?! \d)", r"(?:(?P<v>[2-9]\d{3} \d{4}))(?:[^\w-]|\z)"),
        (r"(?P<v>\+\d{1,14})(?![\w-]|\.\d)", r"(?:(?P<v>\+\d{1,14}))(?:[^\w-]|\z)"),
        (r"x(?!\d)", r"(?:x)(?:\D|\z)"),
        (r"x(?![^a-z])", r"(?:x)(?:[a-z]|\z)"),
    ],
)
def test_trailing_boundary_lookahead_becomes_one_consumed_character(regex: str, expected: str) -> None:
    prefilter = prefilter_for(regex, re.ASCII)
    assert prefilter.expression == expected
    assert prefilter.end_slack == 1


@pytest.mark.parametrize(
    "regex",
    [
        r"a|b(?![x])",  # the lookahead belongs to one alternative only
        r"(a(?![x]))",  # inside a group
        r"(?P<v>\d{9})(?! ?\d)",  # not a single character class
        r"(?P<v>\d{9})(?!\.\d|[\w-])",  # the class is not the first alternative
        r"(?![x])",  # nothing but the lookahead
    ],
)
def test_other_shapes_are_compiled_as_written(regex: str) -> None:
    prefilter = prefilter_for(regex, re.ASCII)
    assert prefilter.expression == regex
    assert prefilter.end_slack == 0


def test_widening_skips_classes_escapes_lookarounds_and_small_ranges() -> None:
    assert widen_repeats(r"a{0,62}b{2,3}") == r"a{0,}b{2,3}"
    assert widen_repeats(r"[{]{1,40}\{1,40}x") == r"[{]{1,}\{1,40}x"
    assert widen_repeats(r"[]{0,40}]{0,40}") == r"[]{0,40}]{0,}"
    assert widen_repeats(r"(?!a{0,40})(?<=b)(c{0,40})") == r"(?!a{0,40})(?<=b)(c{0,})"


def test_a_run_gives_one_hit_where_it_ends() -> None:
    regex = r"(?<![A-Za-z0-9])(?P<v>key_[A-Za-z0-9]{20,300})(?![A-Za-z0-9])"
    text = "token key_" + "a" * 200 + " and more"
    assert len(hit_ends(regex, text)) > 100  # as written: every end from 20 to 200 characters in
    prefilter = prefilter_for(regex, re.ASCII)
    assert hit_ends(prefilter.expression, text) == [len("token key_") + 200 + 1]


RULES = load_rules([RULES_DIR]).rules
PACK_PATTERNS = [
    (pattern, tuple(example.text for rule in RULES if pattern in rule.patterns for example in rule.examples))
    for rule in RULES for pattern in rule.patterns
    if not pattern.keywords and prefilter_for(pattern.regex, python_flags(pattern.flags)).end_slack
]
AROUND = st.text(alphabet=st.sampled_from("aZ09 -_.@+:/\n\u00e9"), max_size=12)


def assert_hit_at_every_match_end(pattern, text: str) -> int:  # type: ignore[no-untyped-def]
    prefilter = prefilter_for(pattern.regex, python_flags(pattern.flags))
    ends = set(hit_ends(prefilter.expression, text, hyperscan_flags(pattern.flags)))
    encoded_end = {i: len(text[:i].encode()) for i in range(len(text) + 1)}
    matches = 0
    for match in pattern.compiled.finditer(text):
        end = encoded_end[match.end()]
        slack_end = encoded_end[min(len(text), match.end() + prefilter.end_slack)]
        assert {end, slack_end} & ends, (pattern.name, text)
        matches += 1
    return matches


def test_every_rule_example_match_has_a_hit_at_its_end() -> None:
    matched = sum(assert_hit_at_every_match_end(pattern, text) for pattern, texts in PACK_PATTERNS for text in texts)
    assert len(PACK_PATTERNS) > 100
    assert matched > 300


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(range(len(PACK_PATTERNS))), st.data())
def test_examples_with_random_surroundings_keep_their_hits(index: int, data: st.DataObject) -> None:
    pattern, texts = PACK_PATTERNS[index]
    if not texts:
        return
    text = data.draw(st.sampled_from(texts))
    text = data.draw(AROUND) + text + data.draw(AROUND)
    assert_hit_at_every_match_end(pattern, text)


@pytest.mark.parametrize(
    ("regex", "token"),
    [
        (r"(?<![A-Za-z0-9/+])(?P<v>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])", True),
        (r"[0-9a-f]{32}", True),
        (r"\w{20}", True),
        (r"(?P<v>00[A-Za-z0-9_-]{40})", False),  # a literal comes first
        (r"(?<![\d-])(?P<v>\d{9})(?![\d-])", False),  # digits only
        (r"[A-Za-z0-9]{8}", False),  # too short to matter
    ],
)
def test_token_shaped_patterns_are_told_apart(regex: str, token: bool) -> None:
    from detectors.regexinfo import starts_with_token_run

    assert starts_with_token_run(regex, re.ASCII) is token


def test_a_token_shape_with_short_keywords_is_prefiltered_by_its_keywords() -> None:
    from detectors.engine import Engine
    from detectors.scanner import Mode

    aws = [r for r in load_rules([RULES_DIR]).rules if r.id == "AWS_SECRET_ACCESS_KEY"]
    engine = Engine(aws)
    token = [p for p in engine.scanner.plans if p.pattern.regex.startswith("(?<![A-Za-z0-9/+])(?P<value>[A-Za-z0-9/+]{40}")]
    assert [p.mode for p in token] == [Mode.KEYWORD]


def test_patterns_that_share_a_regex_share_one_expression_and_each_gets_its_hits() -> None:
    """Several rules look for the same digits (ten-digit identifiers): Hyperscan gets the expression once and
    reports its hits to every pattern, each planned its own way (one plain, one only near a keyword)."""
    from detectors.scanner import Mode, PatternScanner
    from detectors.model import PatternSpec

    regex = r"(?<![\w-])(?P<value>\d{10})(?![\w-])"
    plain = PatternSpec("plain", regex, re.compile(regex), group="value")
    near = PatternSpec("near", regex, re.compile(regex), group="value", keywords=("tel",), keyword_window=20)
    other = PatternSpec("other", r"(?P<value>\d{4}-\d{4})", re.compile(r"(?P<value>\d{4}-\d{4})"), group="value")
    scanner = PatternScanner([plain, near, other])
    assert [plan.mode for plan in scanner.plans] == [Mode.WINDOW, Mode.NEAR, Mode.WINDOW]
    assert sum(probe.kind == "pattern" for probe in scanner._probes) == 2
    text = "order 4155552671 shipped last week to the depot; tel 2125550100, code 1234-5678"
    found = {key: [m.group("value") for m in scanner.find(key, text, regions)]
             for key, regions in scanner.scan(text).regions.items()}
    assert found == {0: ["4155552671", "2125550100"], 1: ["2125550100"], 2: ["1234-5678"]}
