"""A SWIFT/BIC code counts without a bank word only when it has what no word has: a location opening with a
digit 2-9, a digit in the branch, or the head-office branch XXX. Eight capitals ("BUSINESS") and a word with
a number ("SERVER46") never count on their own. Codes are generated here from a seed; a code is made of a
bank part, a country python-stdnum knows, a location and an optional branch."""

from __future__ import annotations

import random
import string
from pathlib import Path

import pytest
from stdnum import bic

from detectors.engine import Engine

LETTERS = string.ascii_uppercase
ALNUM = LETTERS + string.digits
COUNTRIES = ["DE", "FR", "GB", "US", "CH", "NL", "JP", "BR", "IN", "AU", "ZA", "SG"]
SENTENCES = ["Can you check {v} for me?", "{v}", "Please send the payment to {v} by Friday."]
ENGLISH_WORDS = Path(__file__).resolve().parents[2] / "rules" / "data" / "english-words.txt"


def _bank(rng: random.Random) -> str:
    # a bank part that is no English word (real ones are abbreviations: DEUT, COBA, NWBK)
    return "".join(rng.choice("BCDFGHJKLMNPQRSTVWXZ") for _ in range(4))


def _coded(rng: random.Random) -> str:
    bank, country = _bank(rng), rng.choice(COUNTRIES)
    kind = rng.randrange(3)
    if kind == 0:  # location opening with a digit 2-9, with or without a branch
        code = bank + country + rng.choice("23456789") + rng.choice(ALNUM) + rng.choice(["", "XXX", "500", "A1B"])
    elif kind == 1:  # letters for the location, the head-office branch
        code = bank + country + rng.choice(LETTERS) + rng.choice(LETTERS) + "XXX"
    else:  # letters for the location, a digit in the branch
        branch = rng.choice(string.digits) + rng.choice(ALNUM) + rng.choice(ALNUM)
        code = bank + country + rng.choice(LETTERS) + rng.choice(LETTERS) + "".join(rng.sample(branch, 3))
    assert bic.is_valid(code), code
    return code


def _swift(engine: Engine, text: str) -> list[str]:
    return [text[m.start:m.end] for m in engine.analyze(text) if m.entity == "SWIFT_CODE"]


@pytest.mark.parametrize("seed", range(4))
def test_a_code_with_digits_or_the_head_office_branch_counts_without_a_word(default_engine: Engine, seed: int) -> None:
    rng = random.Random(f"bic:{seed}")
    for _ in range(10):
        code = _coded(rng)
        for form in SENTENCES:
            assert _swift(default_engine, form.format(v=code)) == [code], form.format(v=code)


def test_eight_or_eleven_capitals_need_the_word(default_engine: Engine) -> None:
    rng = random.Random("bic:letters")
    for _ in range(20):
        code = _bank(rng) + rng.choice(COUNTRIES) + rng.choice(LETTERS) + rng.choice(LETTERS) + rng.choice(["", "ABC"])
        assert _swift(default_engine, f"Can you check {code} for me?") == []
        assert _swift(default_engine, f"SWIFT/BIC: {code}") == [code]


def test_test_and_passive_locations_need_the_word(default_engine: Engine) -> None:
    """ISO 9362 keeps 0 and 1 at the start of the location for test and passive codes; hosts are often
    numbered 01-19."""
    for code in ("DEUTDE0F", "DEUTDE1F", "COBADE01"):
        assert _swift(default_engine, f"Can you check {code} for me?") == []


def test_a_word_with_a_number_is_not_a_bank(default_engine: Engine) -> None:
    """Every frequent English word of six letters whose last two letters are a country code, with two digits
    after it (a host, a promotion code) or read in an all-caps sentence: none is a SWIFT code."""
    words = [w.upper() for w in ENGLISH_WORDS.read_text(encoding="utf-8").split()
             if len(w) == 6 and w.isalpha() and w.isascii() and bic.is_valid(w.upper() + "22")]
    assert len(words) > 100  # SERVER (ER), SPRING (NG), ...
    texts = [f"Restart {w}{n} tonight." for w, n in zip(words, range(22, 10_000))]
    texts += [f"THE {w}ES AND THE {w}S ARE FINE." for w in words]
    texts += ["BUSINESS CONTINUITY PLAN FOR THE ENVIRONMENT TEAM.", "INTERNATIONAL DEVELOPMENT BANK HOLIDAY"]
    found = [t for t, matches in zip(texts, default_engine.analyze_batch(texts))
             if any(m.entity == "SWIFT_CODE" for m in matches)]
    assert found == []
