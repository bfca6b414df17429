"""Phone numbers written without a word that says so, under the default policy: a mobile number as one run
after its region's trunk prefix, and a toll-free number in its national grouping, count in a sentence; a
mobile number after its country code without the plus sign counts next to a word, not alone. The numbers
are phonenumbers' own example numbers, so every region the library knows is tried."""

from __future__ import annotations

import re

import phonenumbers
from phonenumbers import PhoneMetadata, PhoneNumberFormat, PhoneNumberType

from detectors.engine import Engine

MOBILE_KINDS = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)


def phones(engine: Engine, text: str) -> list[str]:
    return [m.value for m in engine.analyze(text) if m.entity == "PHONE_NUMBER"]


def _examples(kind: int) -> list[tuple[str, phonenumbers.PhoneNumber]]:
    found = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        number = phonenumbers.example_number_for_type(region, kind)
        if number is not None and phonenumbers.region_code_for_number(number) == region:
            found.append((region, number))
    return found


def test_a_mobile_run_after_the_trunk_prefix_counts_in_a_sentence(default_engine: Engine) -> None:
    checked = missed = 0
    for region, number in _examples(PhoneNumberType.MOBILE):
        if phonenumbers.number_type(number) not in MOBILE_KINDS or PhoneMetadata.metadata_for_region(region).national_prefix != "0":
            continue
        run = "0" + phonenumbers.national_significant_number(number)
        if not 10 <= len(run) <= 12 or re.search(r"(\d)\1{6}$", run):
            continue  # (a run of one digit to the end is a placeholder: Korea's 010 2000 0000)
        checked += 1
        missed += phones(default_engine, f"I wrote down {run} yesterday.") != [run]
    assert checked > 50 and missed == 0


def test_a_toll_free_number_in_its_national_grouping_counts_in_a_sentence(default_engine: Engine) -> None:
    found = checked = 0
    for _, number in _examples(PhoneNumberType.TOLL_FREE):
        national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
        if not national[:1].isdigit() or national[0] == "0" or sum(ch.isdigit() for ch in national) < 7:
            continue  # a trunk 0 first, or short: other patterns' business
        checked += 1
        found += phones(default_engine, f"Can you check {national} for me?") == [national]
    assert checked > 30 and found / checked > 0.8


def test_a_country_code_without_plus_needs_a_word(default_engine: Engine) -> None:
    checked = 0
    for region in ("UA", "IN", "GB", "ZA", "SA", "KE"):
        number = phonenumbers.example_number_for_type(region, PhoneNumberType.MOBILE)
        run = f"{number.country_code}{phonenumbers.national_significant_number(number)}"
        assert phones(default_engine, f"My mobile is {run}.") == [run], region
        assert phones(default_engine, f"Number: {run}") == [run], region
        assert phones(default_engine, f"The transfer {run} cleared.") == [], region
        assert phones(default_engine, run) == [], region  # alone in a cell: one random run in ten passes
        checked += 1
    assert checked == 6


def test_an_identifier_named_before_the_digits_is_not_a_phone(default_engine: Engine) -> None:
    number = phonenumbers.example_number_for_type("FR", PhoneNumberType.MOBILE)
    run = "0" + phonenumbers.national_significant_number(number)
    assert phones(default_engine, f"Her mobile: {run}") == [run]
    for label in ("SSN:", "Order", "Account", "IBAN"):
        assert phones(default_engine, f"{label} {run}") == [], label


def test_a_nearby_identifier_word_does_not_erase_a_parsed_phone_number(default_engine: Engine) -> None:
    mobile = phonenumbers.example_number_for_type("GB", PhoneNumberType.MOBILE)
    plus = phonenumbers.format_number(mobile, PhoneNumberFormat.INTERNATIONAL)
    run = "0" + phonenumbers.national_significant_number(mobile)
    assert phones(default_engine, f"SSN 536-22-8714, mobile {plus}") == [plus]
    assert phones(default_engine, f"SSN 536-22-8714, cell {run}") == [run]
