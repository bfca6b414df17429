"""The `phonenumbers` validator's shortcuts (one parse for a plus-sign number, regions skipped by
`RegionPlan`, memoised answers) give exactly the answers of the straightforward check: parse the
value once per listed region, valid when any parse is a valid number."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from functools import lru_cache

import phonenumbers
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from phonenumbers import PhoneNumberFormat, PhoneNumberType

from detectors.validators import BUILTIN, clear_memos
from detectors.validators.phone import (INDEX_AFTER, INDEX_DIGITS, may_be_written_as_national, parse_outcome, phone_check, plain_digits,
                                       plans_starting, region_plan, typed_check, written_as_national)

# a list of regions as a rule may give it (the built-in national-number rule checks them all)
PII_REGIONS = ("US", "CA", "GB", "IE", "DE", "AT", "CH", "FR", "BE", "NL", "ES", "IT", "SE", "PL", "AU", "IN", "SG", "BR")
ALL_REGIONS = tuple(sorted(phonenumbers.SUPPORTED_REGIONS))
TYPES = (PhoneNumberType.FIXED_LINE, PhoneNumberType.MOBILE, PhoneNumberType.TOLL_FREE, PhoneNumberType.VOIP)
DIALLED_FROM = ("US", "GB", "AU", "BR", "SG", "DE", "JP")  # international prefixes 011, 00, 0011, 00xx, 0xx, ...


def deterministic(examples: int) -> settings:
    return settings(max_examples=examples, derandomize=True, database=None, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def valid_in(value: str, region: str) -> bool:
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(value, region))
    except phonenumbers.NumberParseException:
        return False


def straightforward(value: str, regions: tuple[str, ...]) -> bool:
    return any(valid_in(value, region) for region in regions)


def written_forms(number: phonenumbers.PhoneNumber) -> list[tuple[str, str | None]]:
    """The ways a document may write `number`: national, bare digits, with the country code but no
    plus, international, E.164, and dialled from abroad (an international prefix, no plus sign),
    each with the region it is dialled from (None: from its own country, or from anywhere)."""
    nsn = phonenumbers.national_significant_number(number)
    national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    forms: list[tuple[str, str | None]] = [
        (national, None), (nsn, None), (f"{number.country_code}{nsn}", None), (f"{number.country_code} {national}", None),
        (phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL), None),
        (phonenumbers.format_number(number, PhoneNumberFormat.E164), None)]
    forms += [(phonenumbers.format_out_of_country_calling_number(number, region), region) for region in DIALLED_FROM]
    return forms


@lru_cache(maxsize=None)
def example_numbers() -> tuple[tuple[str, phonenumbers.PhoneNumber], ...]:
    found = []
    for region in ALL_REGIONS:
        for kind in TYPES:
            number = phonenumbers.example_number_for_type(region, kind)
            if number is not None:
                found.append((region, number))
    return tuple(found)


def assert_plan_sound(value: str, region: str) -> None:
    """A region the plan skips never gives a valid number."""
    digits = plain_digits(value)
    plan = region_plan(region)
    if digits is None or plan is None or plan.may_be_valid(digits):
        return
    assert not valid_in(value, region), f"{value!r} is valid in {region}, but the plan skips {region}"


def plain_example_readings() -> Iterator[tuple[str, str, str]]:
    """(written form, its digits, default region) for every region's example numbers in every plain written
    form, read with their own region and, when dialled from abroad, with the region they were dialled from (so
    national prefixes, country codes without a plus sign and international prefixes are all exercised)."""
    for region, number in example_numbers():
        for form, dialled_from in written_forms(number):
            digits = plain_digits(form)
            if digits is not None:
                for default in {region, dialled_from or region}:
                    yield form, digits, default


def test_plan_never_skips_a_region_where_an_example_number_is_valid() -> None:
    checked = 0
    for form, digits, default in plain_example_readings():
        plan = region_plan(default)
        if plan is not None and valid_in(form, default):
            checked += 1
            assert plan.may_be_valid(digits), (form, default)
    assert checked > 2000


def test_plan_skips_regions_that_cannot_match() -> None:
    assert plain_digits("(0176) 123-456.78") == "017612345678"
    assert plain_digits("+49 176 12345678") is None and plain_digits("0800 FLOWERS") is None
    assert plain_digits("030 1234567 ext 12") is None and plain_digits("030/1234567") is None
    us, de = region_plan("US"), region_plan("DE")
    assert us is not None and de is not None
    assert not us.may_be_valid("017612345678") and de.may_be_valid("017612345678")
    assert us.may_be_valid("4155552671") and us.may_be_valid("14155552671")  # with the country code, no plus
    assert us.may_be_valid("011441314960000")  # US international prefix: any country may follow
    br = region_plan("BR")  # a transform rule: "0 xx 11 ..." keeps only what its groups captured
    assert br is not None and br.may_be_valid("0151141234567")


def indexed(digits: str, region: str) -> bool:
    """Whether the region index keeps `region` for these digits."""
    plan = region_plan(region)
    return plan is not None and id(plan) in plans_starting(len(digits), digits[:INDEX_DIGITS])


def test_the_region_index_keeps_every_region_whose_plan_passes_an_example_number() -> None:
    checked = 0
    for _, digits, default in plain_example_readings():
        plan = region_plan(default)
        if plan is not None and plan.may_be_valid(digits):
            checked += 1
            assert indexed(digits, default), (digits, default)
    assert checked > 2000


@deterministic(600)
@given(digits=st.text("0123456789", min_size=1, max_size=17),
       region=st.sampled_from(ALL_REGIONS + ("AR", "BR", "JP", "AG", "SM", "MX", "GB", "US", "DE")))
def test_the_region_index_keeps_every_region_whose_plan_passes_any_digits(digits: str, region: str) -> None:
    plan = region_plan(region)
    assert plan is not None
    if plan.may_be_valid(digits):
        assert indexed(digits, region), (digits, region)


def test_the_region_index_tries_a_number_in_few_regions() -> None:
    assert indexed("03012345678", "DE") and not indexed("03012345678", "US")  # a Berlin number, trunk 0
    assert indexed("4155552671", "US") and indexed("4155552671", "CA") and not indexed("4155552671", "FR")
    assert indexed("011441314960000", "US")  # the US international prefix: any country may follow
    assert indexed("0151141234567", "BR")  # a transform rule rewrites what follows the national prefix
    everywhere = len(plans_starting(10, ""))
    assert len(plans_starting(12, "49")) < everywhere / 5 and len(plans_starting(11, "07")) < everywhere / 2


def plain_edits(count: int, seed: int) -> list[str]:
    """Example numbers in their plain written forms, some with a digit changed, dropped or added (seeded)."""
    rng = random.Random(seed)
    forms = sorted({form for form, _, _ in plain_example_readings()})
    values = []
    for form in rng.sample(forms, count):
        chars = list(form)
        for _ in range(rng.randint(0, 2)):
            at = rng.randrange(len(chars))
            if chars[at].isdigit():
                chars[at] = rng.choice("0123456789") if rng.random() < 0.7 else ""
        values.append("".join(chars))
    return values


@pytest.mark.parametrize("build", [
    lambda: phone_check(tuple(ALL_REGIONS)), lambda: phone_check(PII_REGIONS), lambda: phone_check(ALL_REGIONS, as_written=True),
    lambda: typed_check(ALL_REGIONS, frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}), True, False),
    lambda: typed_check(ALL_REGIONS, frozenset({PhoneNumberType.TOLL_FREE}), False, False, as_written=True),
])
def test_a_check_answers_alike_with_and_without_the_region_index(build: Callable[[], Callable[[str], bool]]) -> None:
    indexed_check = build()
    for value in plain_edits(INDEX_AFTER, seed=1):  # the check uses the index from then on
        indexed_check(value)
    values = plain_edits(250, seed=14)
    # a new check tries every region for its first INDEX_AFTER numbers
    assert [indexed_check(v) for v in values] == [build()(v) for v in values]
    assert any(indexed_check(v) for v in values) and not all(indexed_check(v) for v in values)


@st.composite
def edited_numbers(draw: st.DrawFn) -> str:
    """An example number in one of its written forms, then a few digits changed, dropped or added
    and separators moved: mostly numbers that are nearly valid somewhere."""
    _, number = draw(st.sampled_from(example_numbers()))
    text = list(draw(st.sampled_from(written_forms(number)))[0])
    for _ in range(draw(st.integers(0, 3))):
        index = draw(st.integers(0, len(text)))
        edit = draw(st.sampled_from(["change", "drop", "digit", "separator"]))
        if edit == "change" and index < len(text) and text[index].isdigit():
            text[index] = draw(st.sampled_from("0123456789"))
        elif edit == "drop" and index < len(text):
            del text[index]
        elif edit == "digit":
            text.insert(index, draw(st.sampled_from("0123456789")))
        elif edit == "separator":
            text.insert(index, draw(st.sampled_from([" ", "-", ".", "(", ")", "  "])))
    return "".join(text)


@deterministic(400)
@given(value=edited_numbers(), region=st.sampled_from(ALL_REGIONS))
def test_plan_is_sound_and_the_check_equals_the_straightforward_one_on_edited_numbers(value: str, region: str) -> None:
    clear_memos()
    assert_plan_sound(value, region)
    assert phone_check(PII_REGIONS)(value) == straightforward(value, PII_REGIONS)
    assert phone_check((region,))(value) == valid_in(value, region)


@deterministic(300)
@given(value=st.text("0123456789  +-.()/#,;xXet", max_size=24), regions=st.lists(st.sampled_from(ALL_REGIONS),
                                                                                 min_size=1, max_size=6))
def test_the_check_equals_the_straightforward_one_on_any_text(value: str, regions: list[str]) -> None:
    clear_memos()
    chosen = tuple(regions)
    assert phone_check(chosen)(value) == straightforward(value, chosen)
    assert phone_check(PII_REGIONS)(value) == straightforward(value, PII_REGIONS)


@pytest.mark.parametrize("value", [
    "+49 1512 3456789", "06 12 34 56 78", "020 7946 0958", "(415) 555-2671", "0176 12345678", "12 34 56 78 90 12",
    "011 44 20 7946 0958", "0044 20 7946 0958", "1 415 555 2671", "44 20 7946 0958", "+1 800 FLOWERS",
    "+44 (0) 20 7946 0958", "+999 123 456 789", "+ 49 30 1234567", "0800 123 4567 ext 12", "",
])
def test_the_pii_rule_check_on_known_values(value: str) -> None:
    check, _ = BUILTIN.build("phonenumbers", {"regions": list(PII_REGIONS)})
    assert check(value) == straightforward(value, PII_REGIONS)
    assert check(value) == straightforward(value, PII_REGIONS)  # memoised answer


def test_a_plus_number_checked_by_two_validators_is_parsed_once() -> None:
    clear_memos()
    us, _ = BUILTIN.build("phonenumbers", {"region": "US"})
    listed, _ = BUILTIN.build("phonenumbers", {"regions": list(PII_REGIONS)})
    assert us("+49 1512 3456789") and listed("+49 1512 3456789")
    info = parse_outcome.cache_info()
    assert (info.misses, info.hits) == (1, 1)


def test_building_a_phone_check_keeps_phonenumbers_compiled_patterns() -> None:
    from phonenumbers import re_util

    from detectors.validators.phone import phone_check

    check = phone_check(("US", "GB"))
    assert re_util._COMPILED_PATTERNS is not None
    assert check("+44 20 7946 0958") and re_util._COMPILED_PATTERNS  # the patterns parsing used are kept


def possible_in(value: str, region: str) -> bool:
    try:
        return phonenumbers.is_possible_number(phonenumbers.parse(value, region))
    except phonenumbers.NumberParseException:
        return False


@deterministic(200)
@given(value=edited_numbers(), regions=st.lists(st.sampled_from(ALL_REGIONS), min_size=1, max_size=4))
def test_the_possible_check_equals_the_straightforward_one(value: str, regions: list[str]) -> None:
    """`possible: true` accepts what parses, for one of the regions, as a number of a length its country uses."""
    clear_memos()
    chosen = tuple(regions)
    expected = any(valid_in(value, r) or possible_in(value, r) for r in chosen)
    assert phone_check(chosen, possible=True)(value) == expected


def test_possible_accepts_a_plus_number_in_a_range_the_library_does_not_list_yet() -> None:
    # a Czech number of the right length in a block the metadata does not list
    value = "+420 123 456 789"
    assert not straightforward(value, ("US",))
    possible, _ = BUILTIN.build("phonenumbers", {"region": "US", "possible": True})
    assert possible(value) and not possible("+420 123 45")  # too short for any Czech number
    with pytest.raises(ValueError, match="possible"):
        BUILTIN.build("phonenumbers", {"region": "US", "possible": "yes"})


def test_regions_all_lists_every_region_the_library_knows() -> None:
    everywhere, _ = BUILTIN.build("phonenumbers", {"regions": "all"})
    # a number valid only in its own country, written nationally: found whichever region it is from
    for region in ("NZ", "KE", "VN", "CL", "MN"):
        number = phonenumbers.example_number_for_type(region, PhoneNumberType.MOBILE)
        national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
        assert everywhere(national) and straightforward(national, ALL_REGIONS)
    assert not everywhere("12")


@deterministic(60)
@given(st.sampled_from(range(400)))
def test_a_number_in_its_own_national_format_is_written_as_national(index: int) -> None:
    numbers = example_numbers()
    _, number = numbers[index % len(numbers)]
    national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    region = phonenumbers.region_code_for_number(number)
    assert phone_check((region,), as_written=True)(national)
    assert phone_check(ALL_REGIONS, as_written=True)(national.replace(" ", "-"))  # dashes for spaces alike


@deterministic(200)
@given(st.lists(st.integers(min_value=1, max_value=5), min_size=2, max_size=4),
       st.text(alphabet="0123456789", min_size=12, max_size=12))
def test_as_written_is_the_valid_check_narrowed_to_national_groupings(sizes: list[int], digits: str) -> None:
    groups, at = [], 0
    for size in sizes:
        groups.append(digits[at:at + size])
        at += size
    value = " ".join(groups)
    written = phone_check(("GB", "DE", "FR", "HK", "CH", "PE"), as_written=True)(value)
    assert not written or phone_check(("GB", "DE", "FR", "HK", "CH", "PE"))(value)


def test_as_written_tells_a_national_grouping_from_another() -> None:
    check = phone_check(("CH", "HK", "PE"), as_written=True)
    assert check("079 123 45 67") and check("079-123-45-67")  # Swiss mobile, as Switzerland writes it
    assert not check("0791 2345 67")  # the same digits grouped otherwise
    assert check("9123 4567") and not check("912 34 567")  # Hong Kong
    assert check("912 345 678") and not check("91 234 5678")  # Peru
    with pytest.raises(ValueError):
        phone_check(("CH",), possible=True, as_written=True)
    with pytest.raises(ValueError):
        BUILTIN.build("phonenumbers", {"regions": "all", "as_written": "yes"})


def test_the_grouping_prefilter_never_skips_a_region_whose_national_format_it_is() -> None:
    """`may_be_written_as_national` only saves parses: every example number of every region and type,
    written in its national format, passes it (for the region the library formats it for)."""
    for region, number in example_numbers():
        national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
        assert may_be_written_as_national(national, region), (region, national)
        assert written_as_national(national, region), (region, national)


@deterministic(150)
@given(st.lists(st.integers(min_value=1, max_value=5), min_size=2, max_size=4),
       st.text(alphabet="0123456789", min_size=14, max_size=14), st.sampled_from(ALL_REGIONS))
def test_the_grouping_prefilter_agrees_with_the_full_check(sizes: list[int], digits: str, region: str) -> None:
    groups, at = [], 0
    for size in sizes:
        groups.append(digits[at:at + size])
        at += size
    value = " ".join(groups)
    if written_as_national(value, region):
        assert may_be_written_as_national(value, region)


# number types: a mobile run after its trunk prefix, a country code without its plus sign, a toll-free grouping

MOBILE_KINDS = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)


def mobile_examples() -> list[tuple[str, phonenumbers.PhoneNumber]]:
    found = []
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        number = phonenumbers.example_number_for_type(region, PhoneNumberType.MOBILE)
        if number is not None and phonenumbers.number_type(number) in MOBILE_KINDS:
            found.append((region, number))
    return found


def test_a_mobile_number_after_its_regions_trunk_prefix_is_a_typed_mobile() -> None:
    trunk, _ = BUILTIN.build("phonenumbers", {"regions": "all", "types": ["mobile"], "trunk": True})
    checked = 0
    for region, number in mobile_examples():
        prefix = phonenumbers.PhoneMetadata.metadata_for_region(region).national_prefix
        if prefix != "0" or phonenumbers.region_code_for_number(number) != region:
            continue
        nsn = phonenumbers.national_significant_number(number)
        assert trunk("0" + nsn), (region, nsn)
        checked += 1
    assert checked > 60
    # the same digits without the trunk prefix, or with a prefix the region does not dial, are not
    fr = phonenumbers.national_significant_number(phonenumbers.example_number_for_type("FR", PhoneNumberType.MOBILE))
    assert not trunk(fr) and not trunk("00" + fr) and not trunk("0" + fr + "-x")


def test_a_fixed_line_after_the_trunk_prefix_is_not_a_typed_mobile() -> None:
    trunk, _ = BUILTIN.build("phonenumbers", {"regions": "all", "types": ["mobile"], "trunk": True})
    fixed, _ = BUILTIN.build("phonenumbers", {"regions": "all", "types": ["fixed_line"], "trunk": True})
    number = phonenumbers.example_number_for_type("FR", PhoneNumberType.FIXED_LINE)  # 01 23 45 67 89
    digits = "0" + phonenumbers.national_significant_number(number)
    assert fixed(digits)
    assert trunk(digits) == any(  # a mobile somewhere else with the same digits would pass, and only that
        (o := _typed(digits, region)) is not None and o in MOBILE_KINDS for region in ALL_REGIONS)


def _typed(value: str, region: str) -> int | None:
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number) or not value.endswith(phonenumbers.national_significant_number(number)):
        return None
    return phonenumbers.number_type(number)


def _type_of(value: str, region: str) -> int | None:
    """The type of the valid number `parse(value, region)` gives, None when it gives none."""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.number_type(number) if phonenumbers.is_valid_number(number) else None


def test_a_mobile_number_after_its_country_code_without_plus_is_a_typed_mobile() -> None:
    with_code, _ = BUILTIN.build("phonenumbers", {"types": ["mobile"], "country_code": True})
    for region, number in mobile_examples():
        digits = f"{number.country_code}{phonenumbers.national_significant_number(number)}"
        assert with_code(digits) == (phonenumbers.number_type(phonenumbers.parse("+" + digits)) in MOBILE_KINDS), region
    de_fixed = phonenumbers.example_number_for_type("DE", PhoneNumberType.FIXED_LINE)
    assert not with_code(f"49{phonenumbers.national_significant_number(de_fixed)}")  # a German fixed line


def test_random_runs_seldom_pass_as_a_country_code_and_a_mobile_number() -> None:
    """The rule's claim: about one run of eleven or twelve random digits in ten passes, so it needs a word."""
    import random
    with_code, _ = BUILTIN.build("phonenumbers", {"types": ["mobile"], "country_code": True})
    rng = random.Random(14)
    runs = [str(rng.randint(1, 9)) + "".join(rng.choice("0123456789") for _ in range(rng.choice((10, 11))))
            for _ in range(600)]
    rate = sum(map(with_code, runs)) / len(runs)
    assert 0.005 < rate < 0.15


def test_a_toll_free_number_in_its_national_grouping_is_typed_toll_free() -> None:
    toll_free, _ = BUILTIN.build("phonenumbers", {"regions": "all", "types": ["toll_free"], "as_written": True})
    checked = 0
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        number = phonenumbers.example_number_for_type(region, PhoneNumberType.TOLL_FREE)
        if number is None or phonenumbers.number_type(number) != PhoneNumberType.TOLL_FREE:
            continue
        national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
        if written_as_national(national, region):  # (a few formats add text the grouping does not keep)
            assert toll_free(national), (region, national)
            checked += 1
    assert checked > 100
    mobile = phonenumbers.example_number_for_type("EE", PhoneNumberType.MOBILE)
    assert not toll_free(phonenumbers.format_number(mobile, PhoneNumberFormat.NATIONAL))
    import random
    rng = random.Random(14)
    groups = [f"{rng.randint(1000, 9999)} {rng.randint(1000, 9999)}" for _ in range(300)]
    assert sum(map(toll_free, groups)) / len(groups) < 0.08  # few random groupings fall in a toll-free range


def test_a_typed_plan_never_skips_a_region_where_an_example_number_has_its_type() -> None:
    """The typed checks ask the plan for the number type's own descriptions (toll free, mobile): every
    example number, in every written form, that parses to a valid number of that type in a region, is kept."""
    kinds = {PhoneNumberType.TOLL_FREE: frozenset({"toll_free"}), PhoneNumberType.MOBILE: frozenset({"mobile"}),
             PhoneNumberType.FIXED_LINE: frozenset({"fixed_line"})}
    checked = 0
    for form, digits, default in plain_example_readings():
        kind = _type_of(form, default)
        if kind is None or (kind not in kinds and kind != PhoneNumberType.FIXED_LINE_OR_MOBILE):
            continue
        wanted = kinds.get(kind, frozenset({"fixed_line", "mobile"}))  # FIXED_LINE_OR_MOBILE
        checked += 1
        assert region_plan(default).may_be_valid(digits, wanted), (form, default, kind)
    assert checked > 1000


@deterministic(300)
@given(value=edited_numbers(), kind=st.sampled_from(["toll_free", "mobile"]))
def test_the_typed_check_equals_the_straightforward_one_on_edited_numbers(value: str, kind: str) -> None:
    clear_memos()
    wanted = {"toll_free": {PhoneNumberType.TOLL_FREE},
              "mobile": {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}}[kind]
    typed, _ = BUILTIN.build("phonenumbers", {"regions": "all", "types": [kind], "as_written": True})
    expected = plain_digits(value) is not None and any(
        _type_of(value, region) in wanted and written_as_national(value, region) for region in ALL_REGIONS)
    assert typed(value) == expected


def test_typed_arguments_are_checked() -> None:
    for args, message in (({"types": ["landline"]}, "unknown number type"),
                          ({"trunk": True}, "need `types`"),
                          ({"types": ["mobile"], "possible": True}, "not a possible one"),
                          ({"types": ["mobile"], "trunk": "yes"}, "true or false")):
        with pytest.raises(ValueError, match=message):
            BUILTIN.build("phonenumbers", {"regions": "all", **args})


def test_region_plans_are_made_at_the_first_value_not_when_the_rules_load() -> None:
    region_plan.cache_clear()
    check = phone_check(ALL_REGIONS)
    assert region_plan.cache_info().currsize == 0  # a rule set that meets no number reads no region metadata
    assert check("020 7946 0958") and not check("12")
    assert region_plan.cache_info().currsize == len(ALL_REGIONS)
