"""How much a plain digit run's check digit is worth, by where the number stands.

Schemes whose check passes one random number in 50 to 400 (a CUIT, a Turkish or Polish number) count
after a label written for a reader ("ID: ...", "No. ..."), and not inside a sentence, alone in a cell,
after a data key ("id": ..., id=...) or after a label that names something else ("Order ID:"). The
values are generated here with python-stdnum's own check digit functions, from a fixed seed."""

from __future__ import annotations

import random
from typing import Callable

import pytest
from stdnum.ar import cuit
from stdnum.au import abn
from stdnum.bg import egn
from stdnum.br import cnpj, cpf
from stdnum.ca import sin
from stdnum.pl import pesel
from stdnum.ru import inn
from stdnum.tr import tckimlik

from detectors.engine import Engine

PHONE_AND_OTHERS = {"PHONE_NUMBER", "PERSON", "LOCATION", "ORGANIZATION", "DATE_TIME", "URL", "EMAIL_ADDRESS"}


def _valid(rng: random.Random, make: Callable[[random.Random], str], is_valid: Callable[[str], bool]) -> str:
    while True:
        value = make(rng)
        if is_valid(value):
            return value


def _digits(rng: random.Random, count: int, first: str = "123456789") -> str:
    return rng.choice(first) + "".join(rng.choice("0123456789") for _ in range(count - 1))


# entity -> (a number of the scheme, from a seed); each passes its check and no stronger scheme's shape
SCHEMES: dict[str, Callable[[random.Random], str]] = {
    "AR_CUIT": lambda rng: _valid(rng, lambda r: r.choice(["20", "27", "30"]) + _digits(r, 9, "0123456789"), cuit.is_valid),
    "AU_ABN": lambda rng: _valid(rng, lambda r: _digits(r, 11), abn.is_valid),
    "TR_NATIONAL_ID": lambda rng: _valid(rng, lambda r: _digits(r, 11), tckimlik.is_valid),
    "BR_CPF": lambda rng: _valid(rng, lambda r: _digits(r, 11), cpf.is_valid),
    "BR_CNPJ": lambda rng: _valid(rng, lambda r: _digits(r, 14), cnpj.is_valid),
    "PL_PESEL": lambda rng: _valid(rng, lambda r: _digits(r, 11, "0123456789"), pesel.is_valid),
    "BG_EGN": lambda rng: _valid(rng, lambda r: _digits(r, 10, "0123456789"), egn.is_valid),
    "RU_INN": lambda rng: _valid(rng, lambda r: _digits(r, 12, "0123456789"), inn.is_valid),
}

COUNTS = ["ID: {v}", "No. {v}", "Number: {v}", "Identity number: {v}", "Employee\nID: {v}\nGrade 4"]
DOES_NOT_COUNT = ["{v}", "I wrote {v} down yesterday.", '{{"id": "{v}"}}', "id: {v}", "user_id={v}",
                  "Order ID: {v}", "Invoice no. {v}", "ID: {v}, she said"]


def _entities(engine: Engine, text: str) -> set[str]:
    return {m.entity for m in engine.analyze(text)} - PHONE_AND_OTHERS


@pytest.mark.parametrize("entity", sorted(SCHEMES))
def test_a_medium_check_counts_after_a_label_written_for_a_reader(default_engine: Engine, entity: str) -> None:
    rng = random.Random(f"grades:{entity}")
    for _ in range(3):
        value = SCHEMES[entity](rng)
        for form in COUNTS:
            assert entity in _entities(default_engine, form.format(v=value)), form.format(v=value)
        for form in DOES_NOT_COUNT:
            assert entity not in _entities(default_engine, form.format(v=value)), form.format(v=value)


def test_random_numbers_after_a_generic_label_are_seldom_called_identifiers(default_engine: Engine) -> None:
    """The price of the label: a random number after "ID:" passes some scheme's check now and then."""
    rng = random.Random(20261205)
    texts = [f"{rng.choice(['ID', 'No.', 'Number', 'ID number'])}: {_digits(rng, rng.randint(9, 13))}" for _ in range(600)]
    found = [t for t, matches in zip(texts, default_engine.analyze_batch(texts))
             if {m.entity for m in matches} - PHONE_AND_OTHERS]
    assert len(found) * 20 <= len(texts), found


def test_random_numbers_alone_in_a_cell_are_almost_never_identifiers(default_engine: Engine) -> None:
    """A spreadsheet column of order numbers: each cell is a text of its own, and only the strongest
    checks (a birth date and check digits) may report one, about one cell in three hundred."""
    rng = random.Random(20261207)
    cells = [_digits(rng, rng.randint(9, 13)) for _ in range(1500)]
    found = [c for c, matches in zip(cells, default_engine.analyze_batch(cells))
             if {m.entity for m in matches} - PHONE_AND_OTHERS]
    assert len(found) * 200 <= len(cells), found


def test_a_luhn_check_on_nine_digits_still_needs_a_word(default_engine: Engine) -> None:
    """Weak checks (one random number in ten passes) do not count after a generic label: a Canadian SIN."""
    rng = random.Random(7)
    value = _valid(rng, lambda r: _digits(r, 9), sin.is_valid)
    assert "CA_SIN" not in _entities(default_engine, f"ID: {value}")
    assert "CA_SIN" in _entities(default_engine, f"SIN: {value}")
