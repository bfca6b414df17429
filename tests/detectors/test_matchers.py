"""Every matcher and scoring step of the engine, on small inline rules."""

from __future__ import annotations

import base64
import re
import textwrap
from pathlib import Path
from typing import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detectors.engine import Engine
from detectors.loader import load_rules
from detectors.likelihood import Likelihood
from detectors.policy import DecodingConfig, Policy
from detectors.scanner import Mode
from dlp.records import ScanContext

EngineFor = Callable[..., Engine]


def spans(engine: Engine, text: str, context: ScanContext | None = None) -> list[tuple[str, str]]:
    return [(m.rule_id, m.value) for m in engine.analyze(text, context)]


def test_regex_value_group_and_character_offsets(engine_for: EngineFor) -> None:
    engine = engine_for("""
        rules:
          - id: TICKET
            entity: TICKET
            patterns:
              - regex: 'ticket #(?P<value>[A-Z]{3}-\\d{4})'
        """)
    text = "Grüße — ticket #ABC-1234 and ticket #XYZ-9999."
    matches = engine.analyze(text)
    assert [(m.value, text[m.start:m.end]) for m in matches] == [("ABC-1234", "ABC-1234"), ("XYZ-9999", "XYZ-9999")]
    assert all(m.detector == "regex" for m in matches)


def test_every_scanner_mode_finds_what_re_finds(engine_for: EngineFor) -> None:
    engine = engine_for("""
        rules:
          - id: WINDOW
            entity: E
            patterns: ['(?<![0-9])[0-9]{3}-[0-9]{4}(?![0-9])']
          - id: SOM
            entity: E
            patterns: ['tok_[a-z]{5,}']
          - id: GATE
            entity: E
            patterns: ['(?<!x)y+z']
          - id: ALWAYS
            entity: E
            patterns: ['a\\N{LATIN SMALL LETTER B}+c']
          - id: NEAR
            entity: E
            patterns:
              - regex: '[0-9]{6}'
                keywords: [pin]
                keyword_window: 20
          - id: KEYWORD
            entity: E
            patterns:
              - regex: '#[0-9]{6}[a-z]*'
                keywords: [code]
                keyword_window: 20
        """)
    modes = {engine.scanner.patterns[p.key].regex: p.mode for p in engine.scanner.plans}
    assert set(modes.values()) == {Mode.WINDOW, Mode.SOM, Mode.GATE, Mode.ALWAYS, Mode.NEAR, Mode.KEYWORD}
    text = ("call 555-1234, tok_abcdefgh, yyyz, abbbc, PIN is 123456 but much later, far away from any keyword, "
            "654321. Code #111222abc, and then well out of its reach: #333444")
    found = spans(engine, text)
    assert ("WINDOW", "555-1234") in found and ("SOM", "tok_abcdefgh") in found
    assert ("GATE", "yyyz") in found and ("ALWAYS", "abbbc") in found
    assert ("NEAR", "123456") in found and ("NEAR", "654321") not in found
    assert ("KEYWORD", "#111222abc") in found and ("KEYWORD", "#333444") not in found


def test_keywords_without_window_gate_the_whole_text(engine_for: EngineFor) -> None:
    engine = engine_for("""
        rules:
          - id: K
            entity: E
            patterns:
              - regex: '\\b[0-9]{4}\\b'
                keywords: [badge]
        """)
    assert spans(engine, "1234 and 5678") == []
    assert spans(engine, "1234 ... far later, the BADGE list: 5678") == [("K", "1234"), ("K", "5678")]


def test_dictionary_terms_from_inline_list_and_file(engine_for: EngineFor, write_rules: Callable[..., Path]) -> None:
    words = [f"project-{i:05d}" for i in range(30_000)] + ["Falcon"]
    write_rules("# code names\n" + "\n".join(words) + "\n", "codenames.txt")
    engine = engine_for("""
        rules:
          - id: CODENAME
            entity: CODENAME
            dictionary:
              terms: [Blue Heron]
              files: [codenames.txt]
          - id: EXACT
            entity: E
            dictionary:
              terms: [ACME]
              case_sensitive: true
          - id: PARTIAL
            entity: E
            dictionary:
              terms: [conf]
              whole_word: false
        """)
    text = "Blue heron and FALCON and project-29999 but not Falconry; ACME not acme; unconfirmed"
    found = spans(engine, text)
    assert ("CODENAME", "Blue heron") in found and ("CODENAME", "FALCON") in found
    assert ("CODENAME", "project-29999") in found
    assert ("CODENAME", "Falcon") not in found
    assert ("EXACT", "ACME") in found and ("EXACT", "acme") not in found
    assert ("PARTIAL", "conf") in found
    assert all(m.detector == "dictionary" for m in engine.analyze(text))


def test_validators_drop_or_raise(engine_for: EngineFor) -> None:
    engine = engine_for("""
        rules:
          - id: CARD
            entity: CREDIT_CARD
            score: 0.3
            patterns: ['\\b[0-9]{16}\\b']
            validators: [luhn]
        """)
    [match] = engine.analyze("4539148803436467 and 4539148803436468")
    assert match.value == "4539148803436467" and match.score == 0.7 and match.likelihood == "LIKELY"


def test_context_raises_lowers_and_is_required(engine_for: EngineFor) -> None:
    engine = engine_for("""
        rules:
          - id: NUM
            entity: E
            score: 0.5
            patterns:
              - regex: '\\b[0-9]{5}\\b'
              - regex: '\\b[0-9]{7}\\b'
                require_context: true
            context:
              - words: [employee id, staff number]
                boost: 0.3
                before: 30
                after: 10
              - regex: 'sample|dummy'
                boost: -0.4
        """)
    pad = " " + "." * 70 + " "
    text = pad.join(["employee_id: 12345", "unrelated 23456", "dummy 34567", "staff number 7654321", "lone 1234567"])
    scores = {m.value: m.score for m in engine.analyze(text)}
    assert scores == {"12345": 0.8, "23456": 0.5, "34567": 0.1, "7654321": 0.8}


def test_context_words_are_whole_words_in_a_character_window(engine_for: EngineFor) -> None:
    engine = engine_for("""
        rules:
          - id: NUM
            entity: E
            score: 0.5
            patterns: ['\\b[0-9]{5}\\b']
            context:
              - words: [id]
                before: 10
                after: 0
        """)
    scores = {m.value: m.score for m in engine.analyze(
        "id 11111; idea 22222; id ......... 33333; the 44444 id")}
    assert scores == {"11111": 0.85, "22222": 0.5, "33333": 0.5, "44444": 0.5}


def test_exclusions_values_regex_file_full_and_partial(engine_for: EngineFor, write_rules: Callable[..., Path]) -> None:
    write_rules("allowed@example.com\n", "allow.txt")
    engine = engine_for("""
        rules:
          - id: MAIL
            entity: EMAIL_ADDRESS
            patterns: ['[a-z.]+@[a-z]+\\.[a-z]+']
            exclusions:
              - values: [Boss@Corp.com]
              - file: allow.txt
              - regex: 'noreply'
                match: partial
              - regex: 'test@[a-z.]+'
          - id: CARD
            entity: CREDIT_CARD
            patterns: ['[0-9]{4} [0-9]{4}']
            exclusions:
              - values: ["12341234"]
                compact: true
        """)
    text = ("boss@corp.com allowed@example.com my.noreply@corp.com test@corp.com real@corp.com "
            "1234 1234 5678 5678")
    assert spans(engine, text) == [("MAIL", "real@corp.com"), ("CARD", "5678 5678")]


def test_overlapping_matches_of_one_rule_keep_the_best(engine_for: EngineFor) -> None:
    engine = engine_for("""
        rules:
          - id: R
            entity: E
            patterns:
              - regex: 'abc'
                score: 0.4
              - regex: 'abcdef'
                score: 0.9
          - id: OTHER
            entity: E
            patterns: ['cde']
        """)
    assert spans(engine, "xabcdefx") == [("R", "abcdef"), ("OTHER", "cde")]


def test_min_likelihood_per_rule_and_per_scan(engine_for: EngineFor) -> None:
    text = "weak strong"
    yaml = """
        rules:
          - {id: WEAK, entity: E, score: 0.45, patterns: ['weak']}
          - {id: STRONG, entity: E, score: 0.65, min_likelihood: VERY_LIKELY, patterns: ['strong']}
          - {id: PLAIN, entity: E, score: 0.65, patterns: ['strong']}
        """
    assert [m.rule_id for m in engine_for(yaml).analyze(text)] == ["WEAK", "PLAIN"]
    strict = engine_for(yaml, Policy(min_likelihood=Likelihood.LIKELY))
    assert [m.rule_id for m in strict.analyze(text)] == ["PLAIN"]


def test_applies_to_filters_by_kind_role_and_file_type(engine_for: EngineFor) -> None:
    engine = engine_for("""
        rules:
          - id: USER_ONLY
            entity: E
            patterns: ['secret']
            applies_to: {kinds: [message], roles: [user]}
          - id: PDF_ONLY
            entity: E
            patterns: ['secret']
            applies_to: {file_types: [pdf]}
        """)
    text = "secret"
    assert {m.rule_id for m in engine.analyze(text)} == {"USER_ONLY", "PDF_ONLY"}
    assert {m.rule_id for m in engine.analyze(text, ScanContext("message", "assistant"))} == {"PDF_ONLY"}
    assert {m.rule_id for m in engine.analyze(text, ScanContext("attachment", None, "docx"))} == set()
    assert {m.rule_id for m in engine.analyze(text, ScanContext("attachment", None, ".PDF"))} == {"PDF_ONLY"}
    assert {m.rule_id for m in engine.analyze(text, ScanContext("message", "user"))} == {"USER_ONLY", "PDF_ONLY"}


def test_compound_rule_reports_the_combined_span(engine_for: EngineFor) -> None:
    engine = engine_for("""
        rules:
          - id: NAME
            entity: PERSON
            enabled: false
            dictionary: {terms: [Ada Lovelace]}
          - id: ACCOUNT
            entity: ACCOUNT
            patterns: ['ACC-[0-9]{4}']
          - id: CUSTOMER_RECORD
            entity: CUSTOMER_RECORD
            severity: critical
            compound:
              anchor: ACCOUNT
              near: [NAME]
              window: 20
        """)
    text = "Ada Lovelace holds ACC-1234. Later, far from any name, ACC-9999 is listed."
    found = engine.analyze(text)
    compound = [m for m in found if m.rule_id == "CUSTOMER_RECORD"]
    assert [(m.start, m.end, m.detector, m.severity) for m in compound] == [(0, 27, "compound", "critical")]
    assert "NAME" not in {m.rule_id for m in found}  # a disabled component helps but is not reported
    assert {m.value for m in found if m.rule_id == "ACCOUNT"} == {"ACC-1234", "ACC-9999"}


def test_decoded_runs_are_scanned_and_tagged(engine_for: EngineFor) -> None:
    yaml = """
        rules:
          - {id: SSN, entity: US_SSN, patterns: ['[0-9]{3}-[0-9]{2}-[0-9]{4}']}
          - {id: PLAIN_ONLY, entity: E, decoded: false, patterns: ['needle']}
        """
    inner = base64.b64encode(b"note: ssn 536-22-8714 and needle").decode()
    outer = base64.b64encode(inner.encode()).decode()
    hexed = "ssn 536-22-8715 here".encode().hex()
    text = f"payload={inner} nested={outer} hex={hexed} url=ssn%3A%20536-22-8716%20ok"
    engine = engine_for(yaml, Policy(min_likelihood=Likelihood.VERY_UNLIKELY))
    found = [m for m in engine.analyze(text) if m.decoded]
    by_value = {(m.value, m.tags[-2]) for m in found}
    assert ("536-22-8714", "decoded:base64") in by_value
    assert ("536-22-8715", "decoded:hex") in by_value
    assert ("536-22-8716", "decoded:url") in by_value
    nested = [m for m in found if m.start == text.index(outer)]
    assert nested and nested[0].value == "536-22-8714"
    assert all(m.rule_id == "SSN" for m in found)
    start = text.index(inner)
    assert any(m.start == start and m.end == start + len(inner) for m in found)
    shallow = engine_for(yaml, Policy(min_likelihood=Likelihood.VERY_UNLIKELY,
                                      decoding=DecodingConfig(max_depth=1)))
    assert not [m for m in shallow.analyze(f"nested={outer}") if m.decoded]
    off = engine_for(yaml, Policy(min_likelihood=Likelihood.VERY_UNLIKELY, decoding=DecodingConfig(enabled=False)))
    assert not [m for m in off.analyze(text) if m.decoded]


def test_analyze_batch_equals_analyze_per_text(default_engine: Engine) -> None:
    texts = ["Maria Garcia paid with 4539 1488 0343 6467.", "", "no findings here",
             "SSN 536-22-8714 for Thomas Becker"]
    contexts = [None, None, ScanContext("message", "user"), ScanContext("attachment", None, "pdf")]
    assert default_engine.analyze_batch(texts, contexts) == [default_engine.analyze(t, c) for t, c in zip(texts, contexts)]


NEAR_RULE = """
    rules:
      - id: PIN
        entity: E
        patterns:
          - regex: '(?<![0-9])[0-9]{4,6}(?![0-9])'
            keywords: [pin, code]
            keyword_window: 8
      # the same matches, but the unbounded lookahead makes it a `keyword` plan
      - id: PIN_KEYWORD
        entity: E
        patterns:
          - regex: '(?<![0-9])[0-9]{4,6}(?![0-9])(?=.*)'
            keywords: [pin, code]
            keyword_window: 8
    """


@pytest.fixture(scope="module")
def near_engine(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    path = tmp_path_factory.mktemp("near") / "rules.yaml"
    path.write_text(textwrap.dedent(NEAR_RULE), encoding="utf-8")
    return Engine(load_rules([path]).rules, Policy(min_likelihood=Likelihood.VERY_UNLIKELY))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(["pin", "PIN", "code", "1234", "123456", "1234567", " ", "x", "xxxxxxx", "\n", "é"]),
                max_size=14).map("".join))
def test_near_plans_find_exactly_the_matches_starting_within_a_keyword_window(near_engine: Engine, text: str) -> None:
    engine = near_engine
    assert [p.mode for p in engine.scanner.plans] == [Mode.NEAR, Mode.KEYWORD]
    keywords = [(m.start(), m.end()) for m in re.finditer("pin|code", text.lower())]
    expected = [m.group() for m in re.finditer(r"(?<![0-9])[0-9]{4,6}(?![0-9])", text)
                if any(s - 8 <= m.start() <= e + 8 for s, e in keywords)]
    found = engine.analyze(text)
    assert [m.value for m in found if m.rule_id == "PIN"] == expected
    assert [m.value for m in found if m.rule_id == "PIN_KEYWORD"] == expected


@pytest.mark.parametrize("gap", range(12))
def test_near_plan_window_edges(near_engine: Engine, gap: int) -> None:
    after = "PIN" + " " * gap + "123456 then more words"
    before = "words 123456" + " " * gap + "code"
    assert [m.value for m in near_engine.analyze(after)] == (["123456"] * 2 if gap <= 8 else [])
    # the match starts 6 + gap characters before the keyword: within 8 only when gap <= 2
    assert [m.value for m in near_engine.analyze(before)] == (["123456"] * 2 if gap <= 2 else [])


def test_rare_keywords_prefilter_and_short_ones_follow_the_pattern(engine_for: EngineFor) -> None:
    engine = engine_for("""
        rules:
          - id: LONG
            entity: E
            patterns:
              - {regex: '(?<![0-9])[0-9]{9}(?![0-9])', keywords: [passport], keyword_window: 20}
          - id: SHORT
            entity: E
            patterns:
              - {regex: '(?<![0-9])[0-9]{9}(?![0-9])', keywords: [ext, passport], keyword_window: 20}
        """)
    assert [p.mode for p in engine.scanner.plans] == [Mode.KEYWORD, Mode.NEAR]
    text = "Passport 123456789; more words after it, then: text 987654321 and, far from both, 555555555 hotel"
    assert spans(engine, text) == [("LONG", "123456789"), ("SHORT", "123456789"), ("SHORT", "987654321")]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(["U2VjcmV0IHBhc3N3b3JkOiBodW50ZXIy", "QUtJQUlPU0ZPRE5ON0VYQU1QTEU=", "==", "=", " ",
                                 "x", "-", "/", "\n", "é", "48656c6c6f2c20776f726c6421212121", "aGk",
                                 "VGhpcyBpcyBhIGxvbmdlciBydW4gb2YgYmFzZTY0IHRleHQgdGhhdCBnb2VzIG9uIGFuZCBvbg" * 5]),
                max_size=10).map("".join))
def test_located_decoding_gates_find_the_runs_a_full_pass_finds(text: str) -> None:
    from detectors.decoding import RunFinder, gate_patterns, located_gate_patterns
    from detectors.scanner import PatternScanner

    config = DecodingConfig(enabled=True)
    scanner = LOCATED_SCANNER.setdefault("scanner", PatternScanner([], gate_patterns(config),
                                                                   located_gate_patterns(config)))
    hits = scanner.scan(text)
    finder = RunFinder(config)
    everything = {"decode:base64", "decode:url"}
    assert finder.runs(text, hits.gates, hits.ends) == finder.runs(text, everything)


LOCATED_SCANNER: dict[str, object] = {}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 300), st.integers(1, 40)), min_size=1, max_size=25),
       st.integers(0, 24), st.integers(0, 60))
def test_the_nearest_compound_component_is_the_one_a_full_scan_picks(spans_: list[tuple[int, int]], pick: int,
                                                                      window: int) -> None:
    from detectors.engine import _ByStart, _gap
    from detectors.evaluate import Scored

    matches = [Scored(None, start, start + size, "", 0.5, Likelihood.POSSIBLE) for start, size in spans_]  # type: ignore[arg-type]
    anchor = matches[pick % len(matches)]
    close = [m for m in matches if _gap(anchor, m) <= window and m is not anchor]
    expected = min(close, key=lambda m: (_gap(anchor, m), m.start)) if close else None
    assert _ByStart(matches).closest(anchor, window) is expected


@pytest.mark.parametrize("length", [1, 20, 255, 256, 257, 1024, 5000])
@pytest.mark.parametrize("ended_by", ["", " ", "=", "é"])
def test_run_start_reads_back_to_the_start_of_long_runs(length: int, ended_by: str) -> None:
    from detectors.decoding import run_start

    text = "prefix: " + ("Ab9+/_-" * length)[:length] + ended_by + "tail"
    end = len("prefix: ") + length + len(ended_by[:1])
    assert run_start(text, end) == len("prefix: ")


def test_generic_rule_gives_way_to_a_specific_rule_of_the_same_entity(engine_for: EngineFor) -> None:
    engine = engine_for("""
        rules:
          - id: ANY_TOKEN
            entity: SECRET
            generic: true
            patterns: ['token=(?P<value>[a-z0-9_]{8,40})']
          - id: ACME_TOKEN
            entity: SECRET
            patterns: ['acme_[a-z0-9]{8}']
          - id: TICKET
            entity: TICKET
            patterns: ['token=(?P<value>[a-z0-9_]{8,40})']
        """)
    # where the provider rule knows the value, only it reports it (other entities are untouched)
    assert sorted(spans(engine, "token=acme_k2x9q7m4")) == [("ACME_TOKEN", "acme_k2x9q7m4"), ("TICKET", "acme_k2x9q7m4")]
    # where it does not, the generic rule does
    assert sorted(spans(engine, "token=q8x2m7k4z9")) == [("ANY_TOKEN", "q8x2m7k4z9"), ("TICKET", "q8x2m7k4z9")]


def test_repeats_reports_every_whole_token_occurrence_of_a_found_value(engine_for: EngineFor) -> None:
    engine = engine_for("""
        rules:
          - id: KEYED
            entity: SECRET
            repeats: true
            patterns: ['key=(?P<value>[A-Za-z0-9]{6,40})']
          - id: PLAIN
            entity: SECRET
            patterns: ['pin=(?P<value>[0-9]{4,12})']
        """)
    text = "key=Zq8Lm2Xv7Kp4 then 'Zq8Lm2Xv7Kp4' and xZq8Lm2Xv7Kp4 and key=ab12cd, ab12cd; pin=12345678 12345678"
    found = [(m.rule_id, m.start, text[m.start:m.end]) for m in engine.analyze(text)]
    assert found == [
        ("KEYED", 4, "Zq8Lm2Xv7Kp4"),
        ("KEYED", text.index("'Zq8") + 1, "Zq8Lm2Xv7Kp4"),  # the repeat, quoted; not inside xZq8...
        ("KEYED", text.index("ab12cd"), "ab12cd"),  # too short to repeat
        ("PLAIN", text.index("12345678"), "12345678"),  # a rule without `repeats` reports only its own matches
    ]
