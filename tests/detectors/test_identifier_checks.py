"""Check digits python-stdnum has no module for (Hong Kong, Taiwan, Iran), the `ip_address` validator, and
every `stdnum:` module the identifier rules name: valid by construction passes, a changed digit fails."""

from __future__ import annotations

import ipaddress
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from detectors.loader import load_rules
from detectors.validators import BUILTIN
from detectors.validators.checksums import hkid_valid, ir_national_id_valid, tw_national_id_valid
from detectors.validators.network import ip_address_valid
from rules import RULES_DIR

DIGITS = "0123456789"
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


# -- Hong Kong -------------------------------------------------------------------------------
def hkid_of(letters: str, digits: str) -> str:
    """The HKID with its check character, computed the way the Immigration Department publishes it."""
    values = ([36] if len(letters) == 1 else []) + [LETTERS.index(ch) + 10 for ch in letters] + [int(d) for d in digits]
    remainder = sum(v * w for v, w in zip(values, range(9, 1, -1))) % 11
    check = (11 - remainder) % 11
    return f"{letters}{digits}({'A' if check == 10 else check})"


def test_hkid_known_shapes() -> None:
    assert hkid_valid("A123456(3)") and hkid_valid("A1234563") and hkid_valid("a123456[3]")
    assert not hkid_valid("A123456(4)") and not hkid_valid("A12345(3)") and not hkid_valid("1123456(3)")
    assert not hkid_valid("ABC123456(3)")


@given(letters=st.text(LETTERS, min_size=1, max_size=2), digits=st.text(DIGITS, min_size=6, max_size=6),
       position=st.integers(0, 5), delta=st.integers(1, 9))
def test_hkid_valid_by_construction_and_one_changed_digit_fails(letters: str, digits: str, position: int,
                                                                delta: int) -> None:
    number = hkid_of(letters, digits)
    assert hkid_valid(number) and hkid_valid(number.replace("(", "").replace(")", ""))
    changed = digits[:position] + str((int(digits[position]) + delta) % 10) + digits[position + 1:]
    assert not hkid_valid(number.replace(digits, changed, 1))  # weights 7..2 are all units mod 11


# -- Taiwan ----------------------------------------------------------------------------------
TW_CODES = {"A": 10, "B": 11, "C": 12, "D": 13, "E": 14, "F": 15, "G": 16, "H": 17, "I": 34, "J": 18, "K": 19,
            "L": 20, "M": 21, "N": 22, "O": 35, "P": 23, "Q": 24, "R": 25, "S": 26, "T": 27, "U": 28, "V": 29,
            "W": 32, "X": 30, "Y": 31, "Z": 33}
TW_WEIGHTS = (1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1)


def tw_id_of(letter: str, body: str) -> str:
    digits = [int(d) for d in f"{TW_CODES[letter]}{body}"]
    total = sum(d * w for d, w in zip(digits, TW_WEIGHTS))
    return f"{letter}{body}{(10 - total % 10) % 10}"


@given(letter=st.sampled_from(sorted(TW_CODES)), sex=st.sampled_from("1289"), body=st.text(DIGITS, min_size=7, max_size=7),
       position=st.integers(0, 7), delta=st.integers(1, 9))
def test_taiwan_id_valid_by_construction_and_one_changed_digit_fails(letter: str, sex: str, body: str,
                                                                     position: int, delta: int) -> None:
    number = tw_id_of(letter, sex + body)
    assert tw_national_id_valid(number)
    index = 2 + position  # a digit after the sex digit
    changed = number[:index] + str((int(number[index]) + delta) % 10) + number[index + 1:]
    if TW_WEIGHTS[index + 1] * delta % 10:  # weight 2, 4, 6 or 8 times 5 is invisible mod 10
        assert not tw_national_id_valid(changed)


def test_taiwan_id_shape() -> None:
    number = tw_id_of("A", "12345678")
    assert tw_national_id_valid(number.lower())
    assert not tw_national_id_valid("A3" + number[2:])  # no such sex digit
    assert not tw_national_id_valid(number[:-1])


# -- Iran ------------------------------------------------------------------------------------
def ir_code_of(body: str) -> str:
    s = sum(int(d) * w for d, w in zip(body, range(10, 1, -1))) % 11
    return body + str(s if s < 2 else 11 - s)


@given(body=st.text(DIGITS, min_size=9, max_size=9), wrong=st.integers(1, 9))
def test_iran_code_valid_by_construction_and_any_other_check_digit_fails(body: str, wrong: int) -> None:
    number = ir_code_of(body)
    if len(set(number)) == 1:
        assert not ir_national_id_valid(number)  # 0000000000, 1111111111: placeholders, never issued
        return
    assert ir_national_id_valid(number) and ir_national_id_valid(f"{number[:3]}-{number[3:9]}-{number[9]}")
    assert not ir_national_id_valid(number[:9] + str((int(number[9]) + wrong) % 10))


# -- IP addresses ----------------------------------------------------------------------------
@given(st.ip_addresses(v=6), st.integers(0, 128), st.sampled_from(["", "%eth0", "%wlan0", "%12"]))
def test_every_written_form_of_an_ipv6_address_is_valid(address: ipaddress.IPv6Address, prefix: int, zone: str) -> None:
    for written in (address.compressed, address.exploded, address.compressed.upper()):
        assert ip_address_valid(written) and ip_address_valid(f"{written}/{prefix}")
        assert ip_address_valid(written + zone)


@given(st.ip_addresses(v=4), st.integers(0, 32))
def test_ipv4_addresses_with_and_without_a_prefix_are_valid(address: ipaddress.IPv4Address, prefix: int) -> None:
    assert ip_address_valid(str(address)) and ip_address_valid(f"{address}/{prefix}")
    assert ip_address_valid(f"::ffff:{address}")  # an IPv4-mapped IPv6 address


@pytest.mark.parametrize("value", ["1.2.3.4%eth0", "256.1.1.1", "2001:db8::1::2", "12345::", "::1/129",
                                   "10.0.0.0/33", "fe80::1%", "1:2:3:4:5:6:7:8:9", "std::vector", ""])
def test_what_is_not_an_ip_address(value: str) -> None:
    assert not ip_address_valid(value)


# -- the stdnum modules the rules name -------------------------------------------------------
def test_every_stdnum_module_a_rule_names_exists_and_every_identifier_rule_has_tests() -> None:
    """Every identifier rule carries at least three examples each way (the rule tester runs them), and every
    python-stdnum module one names builds."""
    rules = [r for r in load_rules([RULES_DIR]).rules if r.exclusive]
    assert len(rules) >= 80
    for rule in rules:
        names = [v.name for v in rule.validators] + [v.name for p in rule.patterns for v in p.validators]
        matches = [e for e in rule.examples if e.should_match]
        assert len(matches) >= 3 and len(rule.examples) - len(matches) >= 3, rule.id
        for name in names:
            if name.startswith("stdnum:"):
                BUILTIN.build(name, {})


def test_identifier_entities_use_presidio_names_or_the_country_code_and_scheme() -> None:
    presidio = {"AU_ABN", "AU_ACN", "AU_TFN", "AU_MEDICARE", "SG_UEN", "SG_NRIC_FIN", "KR_RRN", "TH_TNIN", "IN_VOTER",
                "IN_PASSPORT", "IN_PAN", "IN_AADHAAR", "IT_FISCAL_CODE", "IT_VAT_CODE", "IT_PASSPORT",
                "IT_IDENTITY_CARD", "TR_NATIONAL_ID", "ZA_ID_NUMBER", "ES_NIF", "ES_NIE", "PL_PESEL", "FI_PERSONAL_IDENTITY_CODE"}
    national = [r for r in load_rules([RULES_DIR]).rules if r.where.file.rsplit("/", 1)[-1].startswith("national-ids")]
    assert presidio <= {r.entity for r in national}
    for rule in national:  # a country code, then the scheme
        assert re.fullmatch(r"[A-Z]{2}_[A-Z0-9]+(?:_[A-Z0-9]+)*", rule.entity), rule.entity
        assert rule.entity.split("_")[0].lower() in rule.tags, rule.id
