"""The harness's own logic: the labelled corpus, span scoring, the request budget, the scaling fit and the goals."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.accuracy import score
from bench.cli import build_parser, settings_from_args
from bench.corpus import (
    SCORED_FILE_FORMATS,
    Corpus,
    GoldSpan,
    LabelledText,
    build_corpus,
    generate_workspace,
    scaled_config,
)
from bench.endtoend import request_budget
from bench.goals import evaluate_goals
from bench.pool import chunk_bounds
from bench.scaling import linear_fit
from bench.timing import Rounds, ratio, time_rounds
from dlp.emulator.settings import EmulatorSettings, GeneratorConfig
from dlp.emulator.state import RequestRecord
from dlp.records import ScanContext


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return build_corpus(7, "demo", 0.5)


def test_corpus_holds_every_planted_value_with_offsets_and_only_those(corpus: Corpus) -> None:
    workspace = generate_workspace(7, scaled_config("demo", 0.5))
    scored_files = {f.id for f in workspace.files.values() if f.format in SCORED_FILE_FORMATS}
    expected = [
        p
        for p in workspace.iter_ground_truth()
        if p.start is not None and (p.file_id is None or p.file_id in scored_files)
    ]
    labelled = [(t, g) for t in corpus.texts for g in t.gold]
    assert len(labelled) == len(expected) > 50
    assert sorted(t.text[g.start : g.end] for t, g in labelled) == sorted(p.value for p in expected)
    sources = {t.source for t in corpus.texts}
    assert {"message", "app_log", "xlsx", "docx"} <= sources and "pdf" not in sources
    assert any(not g.valid for _, g in labelled), "look-alikes are part of the corpus"
    assert sum(1 for t in corpus.texts if not t.gold) > len(corpus.texts) // 3, "texts without values stay in"


def test_corpus_is_the_same_for_the_same_seed_and_scale(corpus: Corpus) -> None:
    again = build_corpus(7, "demo", 0.5)
    assert again.texts == corpus.texts
    assert build_corpus(8, "demo", 0.5).texts != corpus.texts


def test_scaled_config_multiplies_counts_and_keeps_the_rest() -> None:
    base = GeneratorConfig.preset("demo")
    four = scaled_config("demo", 4)
    assert (four.conversations, four.attachments, four.users) == (
        base.conversations * 4,
        base.attachments * 4,
        base.users * 4,
    )
    assert (four.days, four.plant_rate, four.lookalike_rate) == (base.days, base.plant_rate, base.lookalike_rate)
    with pytest.raises(ValueError):
        scaled_config("demo", 0)


def _text(text: str, *gold: GoldSpan) -> LabelledText:
    return LabelledText("message", f"message:{text[:8]}", text, ScanContext(kind="message"), tuple(gold))


def test_scoring_counts_overlaps_lookalikes_duplicates_and_unlabelled_types() -> None:
    text = "SSN 536-22-8714, fake 000-12-3456, mail a@b.io, Berlin"
    corpus = Corpus(
        7,
        "hand",
        (
            _text(
                text,
                GoldSpan("US_SSN", 4, 15, True),
                GoldSpan("US_SSN", 22, 33, False),
                GoldSpan("EMAIL_ADDRESS", 40, 46, True),
            ),
            _text("nothing here"),
        ),
    )
    predictions = [
        [
            ("US_SSN", 3, 12),  # overlaps the valid SSN: true positive
            ("US_SSN", 4, 15),  # a second span over the same value: false positive
            ("US_SSN", 22, 33),  # the look-alike: false positive
            ("LOCATION", 48, 54),
        ],  # unlabelled type: counted aside
        [("US_SSN", 0, 7)],  # nothing planted there: false positive
    ]
    report = score("test", corpus, predictions, frozenset({"US_SSN", "LOCATION"}))
    ssn, email = report.entities["US_SSN"], report.entities["EMAIL_ADDRESS"]
    assert (ssn.tp, ssn.fp, ssn.fn, ssn.lookalike_fp) == (1, 3, 0, 1)
    assert (email.tp, email.fp, email.fn, email.supported) == (0, 0, 1, False)
    assert ssn.precision == 0.25 and ssn.recall == 1.0 and ssn.f1 == pytest.approx(0.4)
    assert email.precision is None and email.f1 is None
    assert report.other_entities == {"LOCATION": 1}
    with pytest.raises(ValueError):
        score("test", corpus, predictions[:1], frozenset())


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    st.lists(st.tuples(st.integers(0, 90), st.integers(1, 10), st.booleans()), max_size=8),
    st.lists(st.tuples(st.integers(0, 90), st.integers(1, 10)), max_size=8),
)
def test_scoring_invariants(gold_spans: list[tuple[int, int, bool]], predicted: list[tuple[int, int]]) -> None:
    gold = tuple({(s, s + n): GoldSpan("PERSON", s, s + n, v) for s, n, v in gold_spans}.values())
    corpus = Corpus(0, "prop", (_text("x" * 100, *gold),))
    spans = [("PERSON", s, s + n) for s, n in predicted]
    report = score("p", corpus, [spans], frozenset({"PERSON"}))
    if not gold:  # a type the ground truth does not label is counted aside, never scored
        assert "PERSON" not in report.entities and report.other_entities["PERSON"] == len(spans)
        return
    result = report.entities["PERSON"]
    valid = sum(g.valid for g in gold)
    assert result.tp + result.fn == valid  # every valid value is found or missed, once
    assert result.tp + result.fp == len(spans)  # every reported span is right or wrong, once
    assert 0 <= result.lookalike_fp <= result.fp


def test_request_budget_counts_served_and_throttled_requests_in_the_window() -> None:
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    prefix = "/v1/compliance/workspaces/ws1"
    log = [RequestRecord("GET", f"{prefix}/users", "", 200, start)]
    log += [RequestRecord("GET", f"{prefix}/logs/file{i}", "", 200, start + timedelta(seconds=i)) for i in range(50)]
    log += [RequestRecord("GET", f"{prefix}/logs/late", "", 429, start + timedelta(seconds=10))]
    log += [RequestRecord("GET", f"{prefix}/logs/after", "", 200, start + timedelta(seconds=90))]  # outside
    budget = request_budget(log, EmulatorSettings(logs_rate_per_minute=100), window_seconds=60)
    downloads = budget["endpoints"]["GET /logs/{log_file_id}"]
    assert (downloads["served"], downloads["throttled_429"], downloads["allowance"]) == (50, 1, 100.0)
    assert downloads["share"] == 0.5
    assert budget["endpoints"]["GET /users"]["served"] == 1
    assert budget["busiest"] == "GET /logs/{log_file_id}" and budget["throttled_429"] == 1
    assert request_budget([], EmulatorSettings(), 60)["busiest"] is None


def _run(items: int, seconds: float, memory: float) -> dict:
    return {"items": items, "seconds": seconds, "memory": {"tree_peak_mb": memory}}


def test_linear_fit_separates_startup_from_per_item_cost() -> None:
    runs = {"1x": _run(100, 12.0, 400), "4x": _run(400, 18.0, 410), "16x": _run(1600, 42.0, 420)}
    fit = linear_fit(runs)
    assert fit is not None
    assert fit["startup_seconds"] == pytest.approx(10.0) and fit["ms_per_item"] == pytest.approx(20.0)
    assert fit["r_squared"] == pytest.approx(1.0) and fit["memory_ratio"] == 1.05
    assert linear_fit({"1x": _run(100, 1.0, 1.0)}) is None


def test_rounds_and_ratio() -> None:
    fast = Rounds((1.0, 2.0, 3.0), texts=10, nbytes=4_000_000)
    slow = Rounds((40.0, 50.0, 60.0), texts=10, nbytes=4_000_000)
    assert (fast.min, fast.median, fast.max) == (1.0, 2.0, 3.0)
    assert fast.mb_per_second() == 2.0 and fast.to_json()["texts_per_s"]["max"] == 10.0
    assert ratio(fast, slow) == {"median": 25.0, "low": 13.33, "high": 60.0}
    calls: list[int] = []
    rounds, result = time_rounds(lambda: calls.append(1) or len(calls), 3, 1, 1)
    assert len(rounds.seconds) == 3 and result == 3
    with pytest.raises(ValueError):
        time_rounds(lambda: None, 0, 1, 1)


def test_goals_read_the_results_and_leave_missing_sections_unmeasured() -> None:
    results = {
        "detection": {
            "ratios": {"default_vs_presidio": {"median": 60.0, "low": 55.0, "high": 70.0}},
            "f1_comparison": {"US_SSN": {"ours": 0.9, "presidio": 0.95, "ours_at_or_above": False}},
            "throughput": {"ours_regex": {"mb_per_s": {"median": 25.0}}},
        },
    }
    goals = {g.name: g for g in evaluate_goals(results)}
    assert goals["default policy vs Presidio throughput"].met is True
    assert goals["F1 vs Presidio on every entity both report"].met is False
    assert "US_SSN 0.900 < 0.950" in goals["F1 vs Presidio on every entity both report"].measured
    (regex,) = [goal for name, goal in goals.items() if name.startswith("regex/validator rules, one core")]
    assert regex.met is True and "short dense texts" in regex.measured  # no documents: the corpus texts
    assert goals["NER path, 2 cores vs 1"].met is None
    assert goals["memory flat with corpus size"].met is None


def test_chunks_cover_every_text_once_and_stay_small() -> None:
    texts = ["a" * 10] * 7 + ["b" * 5000] + ["c"] * 3
    bounds = chunk_bounds(texts, max_texts=3, max_chars=4000)
    assert [i for start, end in bounds for i in range(start, end)] == list(range(len(texts)))
    assert all(end - start <= 3 for start, end in bounds)
    assert any(end == 8 for _, end in bounds)  # a chunk ends as soon as the long text fills it
    assert chunk_bounds([], 3, 10) == []


def test_command_line_settings() -> None:
    parser = build_parser()
    settings = settings_from_args(
        parser.parse_args(["--skip", "rate_limited", "--scaling-factors", "1,2", "--seed", "3"])
    )
    assert "rate_limited" not in settings.sections and "detection" in settings.sections
    assert settings.scaling_factors == (1.0, 2.0) and settings.seed == 3
    only = settings_from_args(parser.parse_args(["--only", "detection", "--rules", "x.yaml"]))
    assert only.sections == ("detection", "documents") and only.engine.rule_paths == ("x.yaml",)
    tiny = settings_from_args(parser.parse_args(["--tiny"]))
    assert tiny.rounds == 1 and tiny.factor == tiny.scaling_base * tiny.scaling_factors[-1]
    with pytest.raises(SystemExit):
        settings_from_args(parser.parse_args(["--rounds", "0"]))
    with pytest.raises(SystemExit):
        settings_from_args(parser.parse_args(["--scaling-factors", "1,x"]))
