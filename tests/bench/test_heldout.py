"""The PERSON held-out-names corpus and its scoring (bench/heldout.py): deterministic, disjoint from the word
lists, spans on the names, and precision / recall as bench.accuracy counts them. No engine runs here."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from bench.cli import build_parser, settings_from_args
from bench.corpus import Corpus, GoldSpan, LabelledText
from bench.heldout import (
    NEGATIVE_SHARE,
    POSITIVE_TEMPLATES,
    HeldOutCorpus,
    HeldOutName,
    build_heldout_corpus,
    is_held_out,
    known_words,
    name_form,
    score_engine,
)
from bench.markdown import render
from dlp.records import ScanContext
from rules import RULES_DIR


@pytest.fixture(scope="module")
def heldout() -> HeldOutCorpus:
    return build_heldout_corpus(7, 300)


def _word_list(name: str) -> frozenset[str]:
    lines = (RULES_DIR / "data" / name).read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().casefold() for line in lines if line.strip() and not line.startswith("#"))


def test_the_corpus_is_the_same_for_the_same_seed(heldout: HeldOutCorpus) -> None:
    again = build_heldout_corpus(7, 300)
    assert again.corpus.texts == heldout.corpus.texts and again.names == heldout.names
    assert build_heldout_corpus(8, 300).corpus.texts != heldout.corpus.texts


def test_every_labelled_name_is_unknown_to_both_word_lists(heldout: HeldOutCorpus) -> None:
    listed = _word_list("first-names.txt") | _word_list("last-names.txt")
    spans = [(t.text, g) for t in heldout.corpus.texts for g in t.gold]
    assert len(spans) > 200
    for text, gold in spans:
        name = text[gold.start : gold.end]
        parts = re.split(r"[\s-]+", name)
        assert len(parts) >= 2, name
        for part in parts:
            assert part.casefold() not in listed, f"{part!r} of {name!r} is in a word list"


def test_spans_index_the_whole_names(heldout: HeldOutCorpus) -> None:
    for text, names in zip(heldout.corpus.texts, heldout.names):
        assert [(g.entity, g.start, g.end) for g in text.gold] == [("PERSON", n.start, n.end) for n in names]
        for n in names:
            assert text.text[n.start : n.end] == n.name
            before = text.text[n.start - 1] if n.start else " "
            after = text.text[n.end] if n.end < len(text.text) else " "
            assert not before.isalnum() and not after.isalnum(), (text.text, n.name)  # whole words, no title


def test_the_corpus_mixes_templates_forms_and_texts_without_names(heldout: HeldOutCorpus) -> None:
    names = [n for per_text in heldout.names for n in per_text]
    assert {n.template for n in names} == set(POSITIVE_TEMPLATES)
    assert {"ascii", "diacritics", "hyphenated", "non_ascii_initial"} <= {n.form for n in names}
    assert len({n.locale for n in names}) >= 10
    negatives = [t for t in heldout.corpus.texts if not t.gold]
    assert len(negatives) == round(300 * NEGATIVE_SHARE)
    capitalised_pairs = re.compile(r"\b[A-Z][a-z]+ [A-Z][A-Za-z]+")
    assert all(capitalised_pairs.search(t.text) for t in negatives), "every text without a name has a decoy pair"
    assert Counter(t.text for t in heldout.corpus.texts).most_common(1)[0][1] <= 3


def test_held_out_check_and_name_forms() -> None:
    known = known_words()
    assert not is_held_out("Maria Garcia", known) and not is_held_out("Bobur Garcia-Lopez", known)
    assert is_held_out("Thembekile Sikhosana", known)
    assert [name_form(n) for n in ("Ekow Appiah", "Melanine Thöny", "Ngọc Đặng", "Kweli Kahinu-Madhubuti")] == [
        "ascii",
        "diacritics",
        "non_ascii_initial",
        "hyphenated",
    ]


def _hand_corpus() -> HeldOutCorpus:
    one = "Send it to Ekow Appiah and Dr. Ngọc Đặng today."
    two = "The Travel Policy is in Plain English."
    names = (
        (
            HeldOutName(11, 22, "Ekow Appiah", "forward", "tw_GH", "ascii"),
            HeldOutName(31, 40, "Ngọc Đặng", "title", "vi_VN", "non_ascii_initial"),
        ),
        (),
    )
    context = ScanContext(kind="message")
    texts = tuple(
        LabelledText("heldout", f"heldout:{i}", text, context, tuple(GoldSpan("PERSON", n.start, n.end, True, n.template) for n in per))
        for i, (text, per) in enumerate(zip((one, two), names))
    )  # fmt: skip
    return HeldOutCorpus(Corpus(0, "hand", texts), names)


def test_scoring_counts_as_the_accuracy_table_does() -> None:
    heldout = _hand_corpus()
    one = heldout.corpus.texts[0].text
    assert one[11:22] == "Ekow Appiah" and one[31:40] == "Ngọc Đặng"
    predictions = [
        [
            ("PERSON", 11, 22),  # exact: true positive
            ("PERSON", 11, 15),  # a second span over the same name: false positive
            ("LOCATION", 31, 40),  # another type: counted aside, not scored
        ],
        [("PERSON", 4, 17)],  # "Travel Policy": false positive in a text without names
    ]
    result = score_engine("hand", heldout, predictions, frozenset({"PERSON"}))
    person = result["person"]
    assert (person["tp"], person["fp"], person["fn"]) == (1, 2, 1)
    assert person["precision"] == pytest.approx(1 / 3, abs=1e-4) and person["recall"] == 0.5
    assert person["f1"] == pytest.approx(0.4, abs=1e-4)
    assert result["exact_spans"] == 1 and result["exact_recall"] == 0.5
    assert result["fp_in_texts_without_names"] == 1
    assert result["other_entities"] == {"LOCATION": 1}
    assert result["recall_by"]["template"] == {
        "forward": {"found": 1, "names": 1, "recall": 1.0},
        "title": {"found": 0, "names": 1, "recall": 0.0},
    }
    assert result["recall_by"]["locale"]["vi_VN"]["found"] == 0
    assert result["examples"] == {"missed": ["Ngọc Đặng"], "false_positives": {"Travel Policy": 1}}

    # a span that only overlaps a name counts (the accuracy table's convention), but not as exact
    partial = score_engine("hand", heldout, [[("PERSON", 27, 40)], []], frozenset({"PERSON"}))
    assert (partial["person"]["tp"], partial["person"]["fp"], partial["exact_spans"]) == (1, 0, 0)
    with pytest.raises(ValueError):
        score_engine("hand", heldout, predictions[:1], frozenset({"PERSON"}))


def test_the_section_is_wired_into_the_command_line_and_the_tables() -> None:
    parser = build_parser()
    settings = settings_from_args(parser.parse_args(["--only", "person-heldout", "--tiny"]))
    assert settings.sections == ("person_heldout",) and settings.heldout_texts < 300
    assert settings_from_args(parser.parse_args(["--heldout-texts", "40"])).heldout_texts == 40
    engines = {"hand": score_engine("hand", _hand_corpus(), [[("PERSON", 11, 22)], []], frozenset({"PERSON"}))}
    result = {"corpus": build_heldout_corpus(1, 20).describe(), "engines": engines}
    text = render({"person_heldout": result})
    assert "### PERSON on held-out names" in text and "| hand | 1.000 | 0.500 | 0.667 |" in text
