"""The long documents of the documents measurement (bench/documents.py): deterministic, at their density, made of
corpus texts only, at about the requested size. No engine runs and nothing is timed here."""

from __future__ import annotations

import pytest

from bench.cli import build_parser, settings_from_args
from bench.corpus import Corpus, build_corpus
from bench.documents import (
    CORPUS_POINT,
    DENSITIES_PER_KB,
    KB,
    SEPARATOR,
    build_documents,
    corpus_documents,
    density_points,
    table_rows,
    value_cap,
)
from bench.goals import REGEX_GOAL_DENSITY_PER_KB, evaluate_goals
from bench.markdown import render

DOCUMENT_CHARS = 16_000
TOTAL_MB = 0.2


@pytest.fixture(scope="module")
def corpus() -> Corpus:
    return build_corpus(7, "demo", 1.0)


def _valid(corpus: Corpus, index: int) -> int:
    return sum(1 for g in corpus.texts[index].gold if g.valid)


def test_the_same_seed_gives_the_same_documents(corpus: Corpus) -> None:
    first = build_documents(corpus, 0.5, seed=7, document_chars=DOCUMENT_CHARS, total_mb=TOTAL_MB)
    again = build_documents(corpus, 0.5, seed=7, document_chars=DOCUMENT_CHARS, total_mb=TOTAL_MB)
    other = build_documents(corpus, 0.5, seed=8, document_chars=DOCUMENT_CHARS, total_mb=TOTAL_MB)
    assert first == again
    assert [d.parts for d in other.documents] != [d.parts for d in first.documents]


@pytest.mark.parametrize("per_kb", [0.125, 0.5, 2.0])
def test_documents_hit_their_density(corpus: Corpus, per_kb: float) -> None:
    built = build_documents(corpus, per_kb, seed=7, document_chars=DOCUMENT_CHARS, total_mb=TOTAL_MB)
    expected = per_kb * built.utf8_bytes / KB
    # within half of the largest text the draws may plant, or 3%
    assert abs(built.valid_values - expected) <= max(value_cap(per_kb, DOCUMENT_CHARS) / 2 + 1, 0.03 * expected)
    assert built.per_kb == pytest.approx(per_kb, rel=0.1)
    # the values are spread over the documents, not piled in one
    per_document = per_kb * DOCUMENT_CHARS / KB
    assert all(abs(d.valid_values - per_document) <= max(2, 0.25 * per_document) for d in built.documents)


def test_clean_documents_hold_no_labelled_value(corpus: Corpus) -> None:
    built = build_documents(corpus, 0.0, seed=7, document_chars=DOCUMENT_CHARS, total_mb=TOTAL_MB)
    assert built.valid_values == built.lookalikes == 0
    assert all(not corpus.texts[i].gold for d in built.documents for i in d.parts)


def test_documents_are_corpus_texts_joined_and_nothing_else(corpus: Corpus) -> None:
    for per_kb in (0.0, 0.125, 2.0):
        built = build_documents(corpus, per_kb, seed=7, document_chars=DOCUMENT_CHARS, total_mb=TOTAL_MB)
        for document in built.documents:
            assert document.text == SEPARATOR.join(corpus.texts[i].text for i in document.parts)
            assert document.valid_values == sum(_valid(corpus, i) for i in document.parts)
            # a drawn text holds no value, or 1 to value_cap valid ones (never look-alikes only)
            assert all(
                not corpus.texts[i].gold or 1 <= _valid(corpus, i) <= value_cap(per_kb, DOCUMENT_CHARS)
                for i in document.parts
            )
    assert value_cap(0.125, 64_000) == 1 and value_cap(2.0, 64_000) == 16


def test_documents_have_about_the_requested_size(corpus: Corpus) -> None:
    longest = max(len(t.text) for t in corpus.texts) + len(SEPARATOR)
    for per_kb in (0.0, 0.5):
        built = build_documents(corpus, per_kb, seed=7, document_chars=DOCUMENT_CHARS, total_mb=TOTAL_MB)
        assert len(built.documents) == round(TOTAL_MB * 1e6 / DOCUMENT_CHARS)
        assert all(DOCUMENT_CHARS <= len(d.text) < DOCUMENT_CHARS + longest for d in built.documents)
        assert built.utf8_bytes == pytest.approx(TOTAL_MB * 1e6, rel=0.1)
    # a text is reused only once its whole pool has been (texts without values: every one of them)
    clean = build_documents(corpus, 0.0, seed=7, document_chars=DOCUMENT_CHARS, total_mb=TOTAL_MB)
    pool = sum(1 for t in corpus.texts if not t.gold)
    drawn = [i for d in clean.documents for i in d.parts]
    assert len(set(drawn[:pool])) == min(pool, len(drawn))


def test_the_corpus_point_is_every_text_in_corpus_order(corpus: Corpus) -> None:
    point = corpus_documents(corpus, DOCUMENT_CHARS)
    assert point.label == CORPUS_POINT and point.target_per_kb is None
    assert [i for d in point.documents for i in d.parts] == list(range(len(corpus.texts)))
    assert point.valid_values == sum(1 for t in corpus.texts for g in t.gold if g.valid)
    assert all(len(d.text) >= DOCUMENT_CHARS for d in point.documents[:-1])
    points = density_points(corpus, 7, document_chars=DOCUMENT_CHARS, total_mb=0.05)
    assert [p.label for p in points] == [*(f"{d:g}" for d in DENSITIES_PER_KB), CORPUS_POINT]


def test_a_density_the_corpus_cannot_plant_is_refused(corpus: Corpus) -> None:
    clean_only = Corpus(corpus.seed, corpus.scale, tuple(t for t in corpus.texts if not t.gold))
    with pytest.raises(ValueError):
        build_documents(clean_only, 0.5, seed=7)
    with pytest.raises(ValueError):
        build_documents(corpus, -1.0, seed=7)


def _rounds(median: float) -> dict:
    return {"mb_per_s": {"min": median * 0.9, "median": median, "max": median * 1.1}}


def _documents_results(short: float | None = 1.9) -> dict:
    points = {}
    for label, target, regex in (("0", 0.0, 27.0), ("0.125", 0.125, 23.1), ("2", 2.0, 4.2), ("corpus", None, 1.5)):
        points[label] = {
            "label": label, "target_per_kb": target, "documents": 6, "chars": 384_000, "mb": 0.384,
            "valid_values": 48, "lookalikes": 0, "values_per_kb": target if target is not None else 5.7,
            "throughput": {"ours_regex": _rounds(regex), "ours_default": _rounds(regex / 10)},
        }  # fmt: skip
    detection: dict = {
        "corpus": {"scale": "demo x4", "seed": 7, "texts": 1627, "mb": 0.21, "labelled_values": 1331,
                   "lookalikes": 111, "texts_by_source": {"message": 1000}},
        "throughput": {}, "ratios": {}, "accuracy": {},
        "documents": {"document_chars": 64_000, "documents_mb": 0.4, "seed": 7, "points": points},
    }  # fmt: skip
    if short is not None:
        detection["throughput"]["ours_regex"] = _rounds(short)
    return {"detection": detection}


def _regex_goal(results: dict):  # type: ignore[no-untyped-def]
    (goal,) = [g for g in evaluate_goals(results) if g.name.startswith("regex/validator rules, one core")]
    return goal


def test_the_regex_goal_reads_the_documents_at_its_density_and_shows_the_others() -> None:
    goal = _regex_goal(_documents_results())
    assert REGEX_GOAL_DENSITY_PER_KB == 0.125 and "1 value per 8 KB (0.125/KB)" in goal.name
    assert goal.met is True
    assert goal.measured == "23.1 MB/s at 0.125/KB (clean 27.0, 2/KB 4.2; short dense texts 1.9)"
    alone = _regex_goal(_documents_results(short=None))
    assert alone.measured == "23.1 MB/s at 0.125/KB (clean 27.0, 2/KB 4.2)"


def test_the_regex_goal_falls_back_to_the_short_texts_without_documents() -> None:
    results = _documents_results(short=25.0)
    del results["detection"]["documents"]
    goal = _regex_goal(results)
    assert goal.met is True and "short dense texts" in goal.measured and "documents not measured" in goal.measured
    assert _regex_goal({}).met is None


def test_the_documents_table_has_a_row_per_density_and_a_column_per_engine() -> None:
    results = _documents_results()
    header, rows = table_rows(results["detection"]["documents"], lambda v: f"{v['median']:.1f}")
    assert header[-2:] == ["ours_regex MB/s", "ours_default MB/s"]
    assert [row[0] for row in rows] == ["0 (clean)", "0.125", "2", "corpus order"]
    assert rows[1][-2:] == ["23.1", "2.3"]
    text = render(_documents_results(short=None))  # as --only documents leaves it: no short-text table
    assert "| engine | rounds |" not in text and "Documents: throughput by density" in text and "| 0.125 |" in text


def test_only_documents_runs_the_documents_alone_and_detection_includes_them() -> None:
    parser = build_parser()
    assert settings_from_args(parser.parse_args(["--only", "documents"])).sections == ("documents",)
    assert settings_from_args(parser.parse_args(["--only", "detection"])).sections == ("detection", "documents")
    skipped = settings_from_args(parser.parse_args(["--only", "detection", "--skip", "documents"]))
    assert skipped.sections == ("detection",)
    tiny = settings_from_args(parser.parse_args(["--only", "documents", "--tiny"]))
    assert tiny.document_chars < 64_000 and tiny.documents_mb < 0.4
