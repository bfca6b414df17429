"""Validators: known good and bad values, and property tests (valid by construction passes,
one changed digit fails)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import iban as stdnum_iban
from stdnum import luhn as stdnum_luhn

from detectors.validators import BUILTIN
from detectors.validators.checksums import aba_valid, iban_valid, luhn_valid
from detectors.validators.custom import email_domain_valid, person_name_plausible
from detectors.validators.text_shape import character_classes, shannon_entropy


def check(name: str, **args):
    built, _ = BUILTIN.build(name, args)
    return built


def change_one_digit(number: str, position: int, delta: int) -> str:
    digits = [i for i, ch in enumerate(number) if ch.isdigit()]
    index = digits[position % len(digits)]
    changed = str((int(number[index]) + delta) % 10)
    return number[:index] + changed + number[index + 1:]


@given(body=st.text("0123456789", min_size=11, max_size=18), position=st.integers(0, 30), delta=st.integers(1, 9))
def test_luhn_valid_by_construction_and_one_changed_digit_fails(body: str, position: int, delta: int) -> None:
    number = body + stdnum_luhn.calc_check_digit(body)
    assert luhn_valid(number)
    assert luhn_valid(" ".join(number[i:i + 4] for i in range(0, len(number), 4)))  # separators ignored
    assert not luhn_valid(change_one_digit(number, position, delta))


# BBAN structure per country: (alphabet, length) parts
IBAN_SHAPES = {
    "DE": [("n", 18)], "FR": [("n", 23)], "NL": [("a", 4), ("n", 10)], "GB": [("a", 4), ("n", 14)],
    "IT": [("a", 1), ("n", 22)], "AT": [("n", 16)], "CH": [("n", 17)],
}


@st.composite
def valid_ibans(draw: st.DrawFn) -> str:
    country = draw(st.sampled_from(sorted(IBAN_SHAPES)))
    bban = ""
    for kind, count in IBAN_SHAPES[country]:
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if kind == "a" else "0123456789"
        bban += draw(st.text(alphabet, min_size=count, max_size=count))
    return country + stdnum_iban.calc_check_digits(country + "00" + bban) + bban


@settings(max_examples=150)
@given(number=valid_ibans(), position=st.integers(0, 40), delta=st.integers(1, 9))
def test_iban_valid_by_construction_and_one_changed_digit_fails(number: str, position: int, delta: int) -> None:
    assert iban_valid(number)
    assert iban_valid(stdnum_iban.format(number))
    assert not iban_valid(change_one_digit(number, position, delta))


@given(body=st.text("0123456789", min_size=8, max_size=8), position=st.integers(0, 8), delta=st.integers(1, 9))
def test_aba_valid_by_construction_and_one_changed_digit_fails(body: str, position: int, delta: int) -> None:
    weights = (3, 7, 1, 3, 7, 1, 3, 7)
    check_digit = (10 - sum(int(d) * w for d, w in zip(body, weights)) % 10) % 10
    number = body + str(check_digit)
    assert aba_valid(number)
    assert not aba_valid(change_one_digit(number, position, delta))


@given(area=st.integers(1, 899).filter(lambda a: a != 666), group=st.integers(1, 99), serial=st.integers(1, 9999))
def test_stdnum_ssn_accepts_issuable_numbers_with_dashes_or_spaces(area: int, group: int, serial: int) -> None:
    ssn = check("stdnum:us.ssn")
    number = f"{area:03d}-{group:02d}-{serial:04d}"
    if number in ("078-05-1120", "457-55-5462", "219-09-9999"):  # published, never valid
        return
    assert ssn(number) and ssn(number.replace("-", " ")) and ssn(number.replace("-", ""))


@pytest.mark.parametrize("number", ["000-12-3456", "666-12-3456", "912-34-5678", "123-00-4567", "123-45-0000",
                                    "078-05-1120", "12-345-6789", "abc-de-fghi"])
def test_stdnum_ssn_rejects_numbers_never_issued(number: str) -> None:
    assert not check("stdnum:us.ssn")(number)


def test_other_stdnum_identifiers_by_name() -> None:
    assert check("stdnum:de.idnr")("36 574 261 809")
    assert not check("stdnum:de.idnr")("36 574 261 808")
    assert check("stdnum:gb.nhs")("943 476 5919")
    with pytest.raises(ValueError, match="no module"):
        check("stdnum:xx.unknown")


def test_phone_numbers_by_region() -> None:
    us = check("phonenumbers", region="US")
    assert us("(415) 867-5309") and us("+1 650-253-0000")
    assert not us("123")
    gb_or_de = check("phonenumbers", regions=["GB", "DE"])
    assert gb_or_de("020 7946 0018") and gb_or_de("030 901820")
    with pytest.raises(ValueError, match="unknown phone region"):
        check("phonenumbers", region="XX")


@given(st.text(min_size=1, max_size=60))
def test_entropy_is_bounded_by_the_alphabet(value: str) -> None:
    distinct = len(set(value))
    assert 0.0 <= shannon_entropy(value) <= (distinct and __import__("math").log2(distinct)) + 1e-9


def test_entropy_and_character_class_validators() -> None:
    assert shannon_entropy("aaaa") == 0.0
    assert check("entropy", min=3.5)("Zx8vQ2mN4pL6rT9wK1jH3gF5dS7aY0uI2oP4lK6j")
    assert not check("entropy", min=3.5)("sk-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
    assert character_classes("aB3$") == {"lower", "upper", "digit", "symbol"}
    assert check("charclasses", min=3)("aB3")
    assert not check("charclasses", require=["upper", "lower"])("e3b0c44298fc1c149afbf4c8996fb92427ae41e4")
    assert check("charclasses", any=["upper", "digit"])("3m")
    assert check("charclasses", any=["upper", "digit"])("Łódź Holdings")
    assert not check("charclasses", any=["upper", "digit"])("great beers")


def test_short_forms_set_the_main_argument() -> None:
    entropy = check("entropy:4")
    assert entropy("abcdefghijklmnopq") and not entropy("abab")


def test_custom_validators() -> None:
    assert email_domain_valid("jane@example.co.uk") and email_domain_valid("x@corp.io")
    assert not email_domain_valid("logo@2x.png") and not email_domain_valid("a@localhost")
    assert person_name_plausible("Maria Garcia-Lopez") and person_name_plausible("Sarah O'Connor")
    assert not person_name_plausible("IBAN") and not person_name_plausible("the contract")
    assert not person_name_plausible("John Smith 3") and not person_name_plausible("Maria", min_words=2)
    assert person_name_plausible("Hélène de Villiers") and person_name_plausible("Anna van der Berg")
    assert not person_name_plausible("My Way") and not person_name_plausible("The Office")
    # a particle may open a family name written without the given name, but does not end a name nor stand alone
    assert person_name_plausible("de Villiers") and not person_name_plausible("Anna van")
    assert not person_name_plausible("de") and not person_name_plausible("de villiers")


def test_wordlist_validator(tmp_path: Path) -> None:
    (tmp_path / "names.txt").write_text("# given names\nMaria\nJosé\n", encoding="utf-8")
    first = check("wordlist", file="names.txt", part="first", __base_dir__=str(tmp_path))
    assert first("Maria Garcia") and first("JOSÉ Perez") and not first("Garcia Maria")
    every = check("wordlist", file="names.txt", part="each", negate=True, __base_dir__=str(tmp_path))
    assert not every("Maria José") and every("Maria Garcia")
    with pytest.raises(ValueError, match="cannot read"):
        check("wordlist", file="missing.txt", __base_dir__=str(tmp_path))


def test_wordlist_letters_looks_up_the_letters_a_code_opens_with(tmp_path: Path) -> None:
    (tmp_path / "words.txt").write_text("server\nspring\n", encoding="utf-8")
    letters = check("wordlist", file="words.txt", part="letters", __base_dir__=str(tmp_path))
    assert letters("SERVER46") and letters("Spring24") and letters("server")
    assert not letters("NWBKGB2L") and not letters("46SERVER") and not letters("SERVERS1")
    not_a_word = check("wordlist", file="words.txt", part="letters", negate=True, __base_dir__=str(tmp_path))
    assert not_a_word("DEUTDEFF500") and not not_a_word("SPRING24")


def test_unknown_validator_or_argument_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown validator 'nope'"):
        check("nope")
    with pytest.raises(ValueError, match="takes no argument extra"):
        check("luhn", extra=1)


def test_wordlist_min_words_and_except(tmp_path: Path) -> None:
    (tmp_path / "words.txt").write_text("quoting\nwill\nrose\n", encoding="utf-8")
    (tmp_path / "names.txt").write_text("Will\nRose\n", encoding="utf-8")
    several = check("wordlist", file="words.txt", part="each", negate=True, min_words=2, __base_dir__=str(tmp_path))
    assert not several("Will Rose") and several("Will")  # one word alone passes unchecked
    ordinary = check("wordlist", file="words.txt", part="first", negate=True, min_words=2, **{"except": ["names.txt"]},
                     __base_dir__=str(tmp_path))
    assert not ordinary("Quoting Wikipedia")
    assert ordinary("Will Smith") and ordinary("Rose Byrne") and ordinary("Quoting")
    with pytest.raises(ValueError, match="`except` must be a list"):
        check("wordlist", file="words.txt", **{"except": "names.txt"}, __base_dir__=str(tmp_path))
