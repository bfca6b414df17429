"""The validators the rule packs add (detectors/validators/custom.py): published good values,
one-character changes that must fail, and property tests over values valid by construction."""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum import luhn

from detectors.validators import BUILTIN
from detectors.validators.custom import (
    au_medicare_valid,
    calendar_date_valid,
    dea_valid,
    eip55_valid,
    jwt_valid,
    lk_nic_valid,
    npi_valid,
    sg_nric_valid,
)

DIGITS = "0123456789"


def _change_digit(value: str, position: int, delta: int) -> str:
    digits = [i for i, ch in enumerate(value) if ch.isdigit()]
    index = digits[position % len(digits)]
    return value[:index] + str((int(value[index]) + delta) % 10) + value[index + 1:]


def test_registered_under_the_names_rules_use() -> None:
    for name in ("dea", "npi", "sg_nric", "au_medicare", "eip55", "jwt", "lk_nic"):
        check, boost = BUILTIN.build(name, {})
        assert callable(check) and boost > 0
    check, _ = BUILTIN.build("calendar_date", {"min_year": 1950, "max_year": 2000})
    assert check("1999-12-31") and not check("2001-01-01")
    with pytest.raises(ValueError):
        BUILTIN.build("dea", {"strict": True})


# -- DEA ----------------------------------------------------------------------------------
def test_dea_known_values() -> None:
    assert dea_valid("AB1234563") and dea_valid("ab1234563") and dea_valid("G91234563")
    assert not dea_valid("AB1234564")  # check digit
    assert not dea_valid("ZB1234563")  # no such registrant type
    assert not dea_valid("AB123456")  # too short


@given(first=st.sampled_from("ABFGMPR"), second=st.sampled_from("ABCDEFGHJKLMNPRSTUVWXYZ"),
       body=st.text(DIGITS, min_size=6, max_size=6), position=st.integers(0, 6), delta=st.integers(1, 9))
def test_dea_valid_by_construction_and_one_changed_digit_fails(first, second, body, position, delta) -> None:
    d = [int(ch) for ch in body]
    number = first + second + body + str((d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10)
    assert dea_valid(number)
    weight = (1, 2, 1, 2, 1, 2, 1)[position % 7]
    if weight * delta % 10:  # a change the weighted sum can see (2 x 5 is invisible mod 10)
        assert not dea_valid(_change_digit(number, position, delta))


# -- NPI ----------------------------------------------------------------------------------
def test_npi_known_values() -> None:
    assert npi_valid("1234567893")  # the CMS example
    assert not npi_valid("1234567890")
    assert not npi_valid("3234567893")  # must start with 1 or 2


@given(body=st.text(DIGITS, min_size=8, max_size=8), lead=st.sampled_from("12"), position=st.integers(0, 9),
       delta=st.integers(1, 9))
def test_npi_valid_by_construction_and_one_changed_digit_fails(body, lead, position, delta) -> None:
    number = lead + body + luhn.calc_check_digit("80840" + lead + body)
    assert npi_valid(number)
    changed = _change_digit(number, position, delta)
    if changed[0] in "12":  # a change of the first digit may leave the 1/2 prefix
        assert not npi_valid(changed)


# -- Singapore NRIC / FIN -----------------------------------------------------------------
def test_nric_known_values() -> None:
    assert sg_nric_valid("S1234567D") and sg_nric_valid("T1234567J") and sg_nric_valid("F1234567N")
    assert sg_nric_valid("G1234567X") and sg_nric_valid("M1234567K")
    assert not sg_nric_valid("S1234567A") and not sg_nric_valid("X1234567D") and not sg_nric_valid("S123456D")


@given(prefix=st.sampled_from("STFGM"), body=st.text(DIGITS, min_size=7, max_size=7))
def test_nric_exactly_one_check_letter_fits(prefix, body) -> None:
    fitting = [letter for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if sg_nric_valid(prefix + body + letter)]
    assert len(fitting) == 1


# -- Australian Medicare ------------------------------------------------------------------
def test_medicare_known_values() -> None:
    assert au_medicare_valid("2950123481") and au_medicare_valid("2950 12348 1") and au_medicare_valid("29501234812")
    assert not au_medicare_valid("2950123491")  # check digit
    assert not au_medicare_valid("2950123480")  # issue number 0
    assert not au_medicare_valid("1950123481")  # first digit 2-6


@given(first=st.sampled_from("23456"), body=st.text(DIGITS, min_size=7, max_size=7), issue=st.sampled_from("123456789"),
       position=st.integers(0, 8), delta=st.integers(1, 9))
def test_medicare_valid_by_construction_and_one_changed_digit_fails(first, body, issue, position, delta) -> None:
    head = first + body
    check = sum(int(ch) * w for ch, w in zip(head, (1, 3, 7, 9, 1, 3, 7, 9))) % 10
    number = head + str(check) + issue
    assert au_medicare_valid(number)
    changed = _change_digit(number[:9], position % 9, delta) + issue
    if changed[0] in "23456":
        assert not au_medicare_valid(changed)


# -- Ethereum EIP-55 ----------------------------------------------------------------------
EIP55_EXAMPLES = [  # the test vectors of EIP-55
    "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
    "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
    "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
    "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
]


@pytest.mark.parametrize("address", EIP55_EXAMPLES)
def test_eip55_vectors_pass_and_a_flipped_letter_fails(address: str) -> None:
    assert eip55_valid(address)
    index = next(i for i, ch in enumerate(address) if i > 1 and ch.isalpha())
    flipped = address[:index] + address[index].swapcase() + address[index + 1:]
    assert not eip55_valid(flipped)
    assert eip55_valid(address.lower()) and eip55_valid("0x" + address[2:].upper())  # no checksum to check


def test_eip55_rejects_other_shapes() -> None:
    assert not eip55_valid("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe")  # 39 digits
    assert not eip55_valid("5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed00")
    assert not eip55_valid("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg")


# -- JWT ----------------------------------------------------------------------------------
def _b64(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


@settings(max_examples=50)
@given(claims=st.dictionaries(st.text(min_size=1, max_size=8), st.integers() | st.text(max_size=12), max_size=5),
       alg=st.sampled_from(["HS256", "RS256", "ES256"]), signature=st.binary(min_size=16, max_size=64))
def test_jwt_valid_by_construction(claims, alg, signature) -> None:
    token = ".".join([_b64({"alg": alg, "typ": "JWT"}), _b64(claims),
                      base64.urlsafe_b64encode(signature).decode().rstrip("=")])
    assert jwt_valid(token)


def test_jwt_rejects_what_is_not_a_token() -> None:
    assert not jwt_valid(_b64({"typ": "JWT"}) + "." + _b64({"sub": "1"}) + ".c2ln")  # no alg
    assert not jwt_valid(_b64({"alg": "HS256"}) + "." + _b64(["a"]) + ".c2ln")  # payload not an object
    assert not jwt_valid(_b64({"alg": "HS256"}) + "." + _b64({"sub": "1"}) + ".")  # unsigned but alg is not none
    assert jwt_valid(_b64({"alg": "none"}) + "." + _b64({"sub": "1"}) + ".")
    assert not jwt_valid("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOi.QmFk")  # truncated payload
    assert not jwt_valid("a.b")


# -- calendar dates -----------------------------------------------------------------------
@pytest.mark.parametrize("text", ["1985-04-17", "04/17/1985", "17/04/1985", "17.04.1985", "17 April 1985",
                                  "April 17, 1985", "Apr 17 1985", "29/02/2024"])
def test_real_dates(text: str) -> None:
    assert calendar_date_valid(text)


@pytest.mark.parametrize("text", ["1985-02-30", "13/13/1985", "29/02/2023", "1850-01-01", "April 31, 1985", "soon"])
def test_not_dates(text: str) -> None:
    assert not calendar_date_valid(text)


@settings(max_examples=200, derandomize=True, database=None)
@given(st.dates(min_value=__import__("datetime").date(1920, 1, 1), max_value=__import__("datetime").date(1999, 12, 31)),
       st.booleans(), st.integers(0, 999), st.integers(0, 9), st.sampled_from("VvXx"))
def test_lk_nic_old_and_new_forms_of_one_birth_date(born, woman, serial, check, letter) -> None:
    """A NIC built from a birth date is valid in both forms (the new one inserts the century and a 0
    before the serial); a day past the year's (or, for women, past 866) is not."""
    day = born.timetuple().tm_yday + (500 if woman else 0)
    old = f"{born.year % 100:02d}{day:03d}{serial:03d}{check}{letter}"
    new = f"{born.year}{day:03d}0{serial:03d}{check}"
    assert lk_nic_valid(old) and lk_nic_valid(new)
    bad_day = f"{born.year % 100:02d}{(367 if not woman else 867):03d}{serial:03d}{check}V"
    assert not lk_nic_valid(bad_day)
    assert not lk_nic_valid(f"{born.year}{400:03d}0{serial:03d}{check}")  # between the two ranges


def test_lk_nic_shapes() -> None:
    assert lk_nic_valid("851234567V") and lk_nic_valid("85123 4567v")
    assert not lk_nic_valid("851234567")  # nine digits without the letter
    assert not lk_nic_valid("851234567Z")
    assert not lk_nic_valid("850004567V")  # day 000
    assert not lk_nic_valid("188512301234")  # born in 1885
    assert not lk_nic_valid("203012301234", this_year=2026)  # born in the future
    assert lk_nic_valid("202512301234", this_year=2026)
