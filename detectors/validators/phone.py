"""`phonenumbers`: the value parses as a valid phone number for one of the given regions.

The check is "is there a region R in the list for which `parse(value, R)` is a valid number" (or,
with `possible: true`, a possible one: a known country code and a length the country uses, which is
what a number written with a plus sign needs to be a phone number even where the library's ranges
lag behind the operators'). `regions: all` lists every region the library knows.
Parsing costs tens of microseconds per region, and a national number that fails is parsed once
per listed region, so two things keep the cost down without changing any answer:

- a plus-sign number is parsed once (its country code does not depend on the default region);
- a plain national number (ASCII digits and ` ().-` only) skips a region when no national
  number `parse` could derive from its digits in that region is even shaped like a valid number
  of the region's country (length and general pattern, from phonenumbers' own metadata); see
  `RegionPlan`. A skipped region could never have made the check pass, so the answer is the same;
- and the regions whose plan is asked at all come from an index by the digit count and the first
  INDEX_DIGITS digits (`plans_starting`), worked out from the same metadata once per such key, so a
  number is tried against the few dozen regions where a number of its length can start so, not all 245.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Mapping

import phonenumbers
from phonenumbers import CountryCodeSource, PhoneNumberType
from phonenumbers import re_util as phonenumbers_re_util
from phonenumbers.phonemetadata import PhoneMetadata

from detectors.validators.registry import BUILTIN, Check, register_memo, require_no_extra_args

# A value of only these characters reaches phonenumbers' national-number logic as exactly its digits:
# no plus sign, no letters (vanity numbers, extension labels, RFC 3966), no `#`, `,`, `;` or `/`.
_PLAIN = re.compile(r"[0-9 ().\-]+")


_TYPE_DESCS = ("premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan", "voicemail",
               "fixed_line", "mobile")


@dataclass(frozen=True, slots=True)
class _Desc:
    """A number description of the metadata: possible lengths (empty: any) and the national number pattern."""

    lengths: frozenset[int]
    pattern: re.Pattern[str]

    def matches(self, number: str) -> bool:
        return (not self.lengths or len(number) in self.lengths) and self.pattern.fullmatch(number) is not None

    @classmethod
    def of(cls, desc: Any) -> "_Desc | None":
        if desc is None or not desc.national_number_pattern:
            return None  # matches nothing
        return cls(frozenset(desc.possible_length or ()), re.compile(desc.national_number_pattern))


@dataclass(frozen=True, slots=True)
class _Member:
    """One region of a country code: a valid national number matches its general description and one of
    its number types (fixed line, mobile, toll free, ...), as `phonenumbers` decides a number's type."""

    general: _Desc
    types: tuple[tuple[str, _Desc], ...]  # (metadata name, description), in _TYPE_DESCS order

    def valid_shape(self, number: str, kinds: frozenset[str] | None = None) -> bool:
        """Shaped like a valid number; with `kinds`, like one whose description is one of these names."""
        return self.general.matches(number) and any(
            desc.matches(number) for name, desc in self.types if kinds is None or name in kinds)


@dataclass(frozen=True, slots=True)
class _Strip:
    """A region's national prefix for parsing and, where it has one, the rule that rewrites what it matched."""

    prefix: re.Pattern[str]
    transform: str | None

    def readings(self, number: str) -> list[str]:
        """The national numbers parse may make of `number` with this rule (the prefix stripped, or rewritten)."""
        match = self.prefix.match(number)
        if match is None:
            return []
        found = [number[match.end():]]
        groups = self.prefix.groups
        if self.transform and groups and match.group(groups) is not None:
            found.append(match.expand(self.transform) + number[match.end():])
        return found

    @classmethod
    def of(cls, metadata: Any) -> "_Strip | None":
        if not metadata.national_prefix_for_parsing:
            return None
        return cls(re.compile(metadata.national_prefix_for_parsing), metadata.national_prefix_transform_rule or None)


@dataclass(frozen=True, slots=True)
class RegionPlan:
    """What `phonenumbers.parse(value, region)` can make of a plain digit string, over-approximated.

    For digits `d` that do not start with the region's international prefix, parse keeps the region's
    country code and takes as the national number one of: `d`, or `d` without the country code
    digits when it starts with them, each optionally with a national prefix stripped (by the
    region's own rule and, after stripping a country code, by the country's main region's rule) or,
    where the region has a transform rule, rewritten by it (`268` put before a 7-digit local number).
    A valid number's national number matches, for one of the country's regions, the general
    description and one number type description (lengths and pattern). When none of those
    candidates does, parse cannot produce a valid number in this region.
    """

    idd: re.Pattern[str] | None  # the region's international prefix
    country_code: str  # its regions' descriptions are `country_members(country_code)`
    strip_own: _Strip | None  # national prefix for parsing, this region
    strip_main: _Strip | None  # ... of the main region of the country code (CA -> US)

    def may_be_valid(self, digits: str, kinds: frozenset[str] | None = None) -> bool:
        """Whether parse may give a valid number (with `kinds`, one matching one of those descriptions)."""
        if self.idd is not None and self.idd.match(digits):
            return True  # an international prefix: the country code comes from the digits
        national = [digits]
        if digits.startswith(self.country_code):
            national.append(digits[len(self.country_code):])
        # parse strips a national prefix with the region's rule, and once more (after taking off
        # country code digits) with the main region's rule: try each, each time optionally
        for strip in (self.strip_own, self.strip_main):
            if strip is not None:
                national += [found for number in national for found in strip.readings(number)]
        lengths = country_lengths(self.country_code)
        return any(shaped_in_country(self.country_code, number, kinds) for number in national
                   if lengths is None or len(number) in lengths)


@lru_cache(maxsize=None)
def region_plan(region: str) -> RegionPlan | None:
    """The plan for `region`, or None when its metadata falls outside what RegionPlan models
    (a non-geographic code): then the region is always parsed."""
    own = PhoneMetadata.metadata_for_region(region, None)
    if own is None:
        return None
    regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(own.country_code, ())
    if not regions or region not in regions:
        return None
    metadata = [PhoneMetadata.metadata_for_region(r, None) for r in regions]
    if any(m is None for m in metadata):
        return None
    main = metadata[0]
    strip_own, strip_main = _Strip.of(own), _Strip.of(main)
    # the main region's rule is the region's own in most countries (CA strips like US)
    if strip_main == strip_own:
        strip_main = strip_own
    idd = re.compile(own.international_prefix) if own.international_prefix else None
    plan = RegionPlan(idd, str(own.country_code), strip_own, strip_main)
    shared = _SHARED_PLANS.setdefault(plan, plan)  # one object for the regions of a country that parse alike
    _PLANS_BY_ID[id(shared)] = shared
    return shared


_SHARED_PLANS: dict[RegionPlan, RegionPlan] = {}
_PLANS_BY_ID: dict[int, RegionPlan] = {}  # the same plans, by the ids `plans_starting` gives


@lru_cache(maxsize=None)
def country_members(country_code: str) -> tuple[_Member, ...]:
    """The number descriptions of every region sharing `country_code` (25 for +1)."""
    members = []
    for region in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(int(country_code), ()):
        metadata = PhoneMetadata.metadata_for_region(region, None)
        general = _Desc.of(metadata.general_desc) if metadata is not None else None
        types = tuple((name, d) for name in _TYPE_DESCS if (d := _Desc.of(getattr(metadata, name, None))) is not None)
        if general is not None and types:
            members.append(_Member(general, types))
    return tuple(members)


@lru_cache(maxsize=None)
def country_lengths(country_code: str) -> frozenset[int] | None:
    """Every length a valid national number of the country may have (None: a region lists no lengths), so
    that a candidate of another length skips the descriptions: most of the 200-odd countries, for most values."""
    lengths: set[int] = set()
    for member in country_members(country_code):
        if not member.general.lengths:
            return None
        lengths |= member.general.lengths
    return frozenset(lengths)


@lru_cache(maxsize=8192)
def shaped_in_country(country_code: str, number: str, kinds: frozenset[str] | None = None) -> bool:
    """Whether national number `number` has the shape of a valid number of one of the country's regions
    (with `kinds`, of one of those descriptions). Remembered: the regions of a country code (25 for +1,
    each with its own parsing rule) mostly ask it about the same digits."""
    return any(member.valid_shape(number, kinds) for member in country_members(country_code))


register_memo(shaped_in_country)


# How many leading digits `plans_starting` tells regions apart by (with the digit count): each pair is worked out
# once, narrowing the set of its shorter prefix.
INDEX_DIGITS = 2


_UNKNOWN = "X"  # stands for a digit not seen yet: `_unknown_digits` makes every digit pattern accept it


@lru_cache(maxsize=None)
def _unknown_digits(pattern: str) -> re.Pattern[str]:
    """`pattern` with every atom that matches a digit (`\\d`, a literal digit, a class) also matching _UNKNOWN,
    so that it matches "12XXXX" exactly when it matches some six digits starting with "12" (the metadata's
    patterns have no back-references or look-arounds, which would break that)."""
    out: list[str] = []
    i, in_class, in_count = 0, False, False
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            atom = pattern[i:i + 2]
            out.append(atom if in_class or atom != "\\d" else f"[\\d{_UNKNOWN}]")
            i += 2
            continue
        if in_class:
            if ch == "]" and pattern[i - 1] != "[" and pattern[i - 2:i] != "[^":
                in_class = False
                out.append(_UNKNOWN)
        elif in_count:
            in_count = ch != "}"
        elif ch == "[":
            in_class = True
        elif ch == "{":
            in_count = True
        elif ch.isdigit():
            ch = f"[{ch}{_UNKNOWN}]"
        out.append(ch)
        i += 1
    return re.compile("".join(out))


@dataclass(frozen=True, slots=True)
class _PlanStarts:
    """When a plain digit string of a given length and leading digits may pass `RegionPlan.may_be_valid`.

    `may_be_valid` passes in one of three ways; each is checked on the digits seen, padded to the length
    with _UNKNOWN digits:
    - the digits start with the region's international prefix;
    - a rule rewrites the national number (a transform) after a lead (below): what follows is not known;
    - after a lead that the country code and the region's and the main region's national prefixes make
      up (each optional), the rest is shaped like a valid national number of one of the country's regions
      (`_Member.valid_shape`: the general description and a number type's, lengths and patterns).
    Optional parts and every match of a prefix rule cover more than parse tries, so the index may keep
    a region that `may_be_valid` then turns down, never drop one it would accept."""

    idd: re.Pattern[str] | None
    rewritten: tuple[re.Pattern[str], ...]  # a lead, then a prefix rule with a transform
    lead: re.Pattern[str]
    lead_width: int  # the longest lead
    shapes: tuple[tuple[tuple[frozenset[int], str], ...], ...]  # each region's general description, then its
    # number types': (lengths, pattern), the pattern compiled by `_unknown_digits` when a length fits

    def may_start(self, length: int, prefix: str) -> bool:
        """Whether a digit string of `length` digits starting with `prefix` may pass `may_be_valid`."""
        seen = prefix + _UNKNOWN * (length - len(prefix))
        if self.idd is not None and self.idd.match(seen) is not None:
            return True
        if any(route.match(seen) is not None for route in self.rewritten):
            return True
        for lead in range(min(self.lead_width, length) + 1):
            if self.lead.fullmatch(seen, 0, lead) is None:
                continue
            # a number type's pattern is left out (its lengths count): there are thousands to compile
            if any(_shaped(general, seen, lead, len(prefix)) and any(_shaped(d, seen, lead, 0) for d in types)
                   for general, *types in self.shapes):
                return True
        return False

    @classmethod
    def of(cls, plan: RegionPlan) -> "_PlanStarts":
        # parse tries the digits with and without the country code, then each national prefix rule, optionally
        lead = f"(?:{plan.country_code})?"
        width = len(plan.country_code)
        rewritten = []
        for strip in (plan.strip_own, plan.strip_main):
            if strip is None:
                continue
            if strip.transform:
                rewritten.append(_unknown_digits(lead + f"(?:{strip.prefix.pattern})"))
            lead += f"(?:{strip.prefix.pattern})?"
            width += _longest_match(strip.prefix.pattern)
        shapes = tuple(tuple((desc.lengths, desc.pattern.pattern) for desc in (member.general, *(d for _, d in member.types)))
                       for member in country_members(plan.country_code))
        idd = _unknown_digits(plan.idd.pattern) if plan.idd is not None else None
        return cls(idd, tuple(rewritten), _unknown_digits(lead), width, shapes)


def _shaped(desc: tuple[frozenset[int], str], seen: str, start: int, known: int) -> bool:
    """Whether `seen[start:]` (`known` digits, then _UNKNOWN) may be a number of description (lengths, pattern);
    with no digit known, the length alone answers (keeping more, and compiling no pattern)."""
    lengths, pattern = desc
    if lengths and len(seen) - start not in lengths:
        return False
    return start >= known or _unknown_digits(pattern).fullmatch(seen, start) is not None


_UNBOUNDED = 1 << 16  # longer than any number: every lead length is tried


def _longest_match(pattern: str) -> int:
    """The most characters `pattern` can match (the width analysis `re` runs on every pattern it compiles);
    _UNBOUNDED when unbounded or when that analysis is not there (it is `re`'s own, not public)."""
    try:
        from re import _parser  # noqa: PLC0415

        return min(int(_parser.parse(pattern).getwidth()[1]), _UNBOUNDED)
    except (ImportError, AttributeError):  # pragma: no cover - a Python without `re._parser`
        return _UNBOUNDED


@lru_cache(maxsize=None)
def _plan_starts(plan: RegionPlan) -> _PlanStarts:
    return _PlanStarts.of(plan)


@lru_cache(maxsize=None)
def plans_starting(length: int, prefix: str) -> frozenset[int]:
    """The plans (by `id`: plans are shared and kept) of every region that may pass `may_be_valid` for a plain
    digit string of `length` digits starting with `prefix` (its first INDEX_DIGITS digits, or all of them).
    Each prefix narrows the set of the one a digit shorter, so a scan works out a few hundred such keys, each
    against the regions still left, and then tries each number against those regions only."""
    if prefix:
        keys = plans_starting(length, prefix[:-1])
    else:  # the length alone, first
        keys = frozenset(id(plan) for region in phonenumbers.SUPPORTED_REGIONS if (plan := region_plan(region)))
    return frozenset(key for key in keys if _plan_starts(_PLANS_BY_ID[key]).may_start(length, prefix))


def plain_digits(value: str) -> str | None:
    """The digits of `value` when it is made only of ASCII digits and ` ().-`, else None."""
    if not _PLAIN.fullmatch(value):
        return None
    return "".join(ch for ch in value if "0" <= ch <= "9")


@lru_cache(maxsize=8192)
def parse_outcome(value: str, region: str) -> tuple[bool, int, bool] | None:
    """(is_valid_number, country_code_source, is_possible_number) of `parse(value, region)`; None when it
    does not parse. Shared by every phone check, so a plus-sign number checked by two validators is parsed once."""
    try:
        number = phonenumbers.parse(value, region, keep_raw_input=True)
    except phonenumbers.NumberParseException:
        return None
    valid = phonenumbers.is_valid_number(number)
    return valid, number.country_code_source, valid or phonenumbers.is_possible_number(number)


register_memo(parse_outcome)


def _keep_compiled_patterns() -> None:
    """phonenumbers compiles its metadata regexes through `re`, whose cache (512 entries) the 18 regions of
    the built-in rule overflow, so every check recompiled some (15% of a scan of documents with a few
    numbers). The library's own switch keeps them: a bounded set, fixed by its metadata."""
    enable = getattr(phonenumbers_re_util, "enable_pattern_cache", None)
    if enable is not None:
        enable()


# Regions whose numbers documents mention most, tried first when every region is: a valid number then usually
# stops the search after a parse or two. Any order gives the same answer.
_BUSY_REGIONS = ("US", "GB", "DE", "FR", "IN", "CA", "AU", "BR", "ES", "IT", "NL", "MX", "CN", "JP", "RU", "PL", "SE",
                 "CH", "BE", "AT", "IE", "SG", "ZA", "NG", "PK", "PH", "ID", "TR", "KR", "AR", "CO", "UA", "EG")


def every_region() -> tuple[str, ...]:
    """Every region phonenumbers supports, the busiest first."""
    rest = sorted(phonenumbers.SUPPORTED_REGIONS - set(_BUSY_REGIONS))
    return tuple(r for r in _BUSY_REGIONS if r in phonenumbers.SUPPORTED_REGIONS) + tuple(rest)


_SEPARATORS = re.compile(r"[\s.\-\u2010-\u2015]+")


def _grouping(value: str) -> str:
    """The value's digit groups and brackets, whatever separates them: `801-2345` and `801 2345` alike."""
    return _SEPARATORS.sub(" ", value.strip())


_CAPTURE = re.compile(r"\(\\d(?:\{(\d+)(?:,(\d+))?\})?\)")


@lru_cache(maxsize=None)
def national_groupings(region: str) -> tuple[tuple[tuple[int, int], ...], ...]:
    """The digit groups of each national format a number parsed in `region` is written with (its
    country's: phonenumbers formats with the main region of the country code, US for Guam), each group
    as its (shortest, longest) length. A number no format fits is written as one run."""
    own = PhoneMetadata.metadata_for_region(region, None)
    main = phonenumbers.region_code_for_country_code(own.country_code) if own is not None else region
    metadata = PhoneMetadata.metadata_for_region(main, None) or own
    found = {((1, 99),)}
    for number_format in metadata.number_format if metadata is not None else ():
        found.add(tuple((int(low) if low else 1, int(high) if high else int(low) if low else 1)
                        for low, high in _CAPTURE.findall(number_format.pattern)))
    return tuple(sorted(found))


TRUNK_DIGITS = 3  # the longest national (trunk) prefix a format writes before its first group ("0", "8", "06")


def group_lengths(value: str) -> tuple[int, ...]:
    """How many digits each of the value's groups has (`020 7946 0321` -> (3, 4, 4))."""
    return tuple(sum(ch.isdigit() for ch in group) for group in _grouping(value).split(" "))


def _fits_a_format(lengths: tuple[int, ...], region: str) -> bool:
    if len(lengths) > 1 and lengths[0] <= TRUNK_DIGITS:
        candidates = (lengths, lengths[1:])  # the first group may be the trunk prefix written apart
    else:
        candidates = (lengths,)
    for groups in national_groupings(region):
        for written in candidates:
            if len(written) != len(groups):
                continue
            (low, high), rest = groups[0], groups[1:]
            if low <= written[0] <= high + TRUNK_DIGITS and all(lo <= n <= hi for n, (lo, hi) in zip(written[1:], rest)):
                return True
    return False


@lru_cache(maxsize=4096)
def regions_writing(lengths: tuple[int, ...]) -> frozenset[str]:
    """Every region with a national format of these group lengths. Keyed by the shape of the digits, not by
    a value, so a scan asks it once per grouping (3-4, 4-4, 2-3-3 ...) rather than once per value and region:
    the as-written checks try every region, and asking each one per value was most of their cost."""
    return frozenset(region for region in phonenumbers.SUPPORTED_REGIONS if _fits_a_format(lengths, region))


def may_be_written_as_national(value: str, region: str) -> bool:
    """A cheap necessary condition for `written_as_national`: the value's digit groups have the lengths
    of one of the region's formats, the first one perhaps with a trunk prefix in front of it (`020`)
    or apart from it (`8 (812) ...`)."""
    return region in regions_writing(group_lengths(value))


@lru_cache(maxsize=8192)
def written_as_national(value: str, region: str) -> bool:
    """Whether `value` is written the way `region` writes its national numbers: its digit groups (and
    brackets) are those of phonenumbers' national format of the number it parses to there."""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return False
    formatted = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return _grouping(formatted) == _grouping(value)


register_memo(written_as_national)


# The index needs every region's metadata (a tenth of a second to load): a check builds it only once it has
# seen this many plain numbers, so that a short text's few numbers are tried the old way, loading only the
# regions they reach (the answers are the same either way).
INDEX_AFTER = 32


def _narrowing(plans: tuple[tuple[str, RegionPlan | None], ...]) -> Callable[[str], tuple[tuple[str, RegionPlan | None], ...]]:
    """For plain digits, the (region, plan) pairs of `plans` that `plans_starting` keeps, in their order (a
    region without a plan is always kept), or all of them before INDEX_AFTER numbers. Remembered per digit
    count and leading digits, for one check."""

    @lru_cache(maxsize=2048)
    def narrowed(length: int, prefix: str) -> tuple[tuple[str, RegionPlan | None], ...]:
        starting = plans_starting(length, prefix)
        return tuple((region, plan) for region, plan in plans if plan is None or id(plan) in starting)

    seen = [0]

    def pairs(digits: str) -> tuple[tuple[str, RegionPlan | None], ...]:
        if seen[0] < INDEX_AFTER:
            seen[0] += 1
            return plans
        return narrowed(len(digits), digits[:INDEX_DIGITS])

    return pairs


def phone_check(regions: tuple[str, ...], possible: bool = False, as_written: bool = False) -> Check:
    """Valid (or, with `possible`, possible) for one of `regions`, the value parsed with each as the default;
    with `as_written`, also written in that region's national format (its digit groups), which a random
    grouping of digits rarely is ("801 2345" is, "80 12 345" is not)."""
    unknown = [r for r in regions if r not in phonenumbers.SUPPORTED_REGIONS]
    if unknown:
        raise ValueError(f"unknown phone region(s): {', '.join(unknown)}")
    if as_written and possible:
        raise ValueError("phonenumbers: `as_written` needs a valid number, not a possible one")
    verdict = 2 if possible else 0  # the parse_outcome field that answers
    _keep_compiled_patterns()
    planned: list[tuple[tuple[tuple[str, RegionPlan | None], ...], Any]] = []

    def plans_and_narrowing() -> tuple[tuple[tuple[str, RegionPlan | None], ...], Any]:
        # made at the first value, not when the rules load: the default rules check all 245 regions, whose
        # metadata takes a tenth of a second to read, and most one-line inputs hold no number
        if not planned:
            # the plan only knows which regions can give a valid number; a merely possible one is checked everywhere
            plans = tuple((region, None if possible else region_plan(region)) for region in regions)
            planned.append((plans, None if possible else _narrowing(plans)))  # only regions a plan may pass are tried
        return planned[0]

    def check(value: str) -> bool:
        if len(regions) > 1 and value.lstrip().startswith("+"):
            # a number whose country code came from its plus sign does not depend on the default region,
            # so one parse stands for every region (an unknown code after "+" falls back to the regions)
            outcome = parse_outcome(value, regions[0])
            if outcome is not None and outcome[1] == CountryCodeSource.FROM_NUMBER_WITH_PLUS_SIGN:
                return outcome[verdict]
        digits = plain_digits(value)
        writing = regions_writing(group_lengths(value)) if as_written else None
        plans, narrowing = plans_and_narrowing()
        shapes: dict[int, bool] = {}  # regions of one country share a plan (NANP: 25): ask it once
        for region, plan in (plans if digits is None or narrowing is None else narrowing(digits)):
            if writing is not None and region not in writing:
                continue
            if digits is not None and plan is not None:
                fits = shapes.get(id(plan))
                if fits is None:
                    fits = shapes[id(plan)] = plan.may_be_valid(digits)
                if not fits:
                    continue
            outcome = parse_outcome(value, region)
            if outcome is not None and outcome[verdict] and (not as_written or written_as_national(value, region)):
                return True
        return False

    return check


# The number types a `types:` argument names; "mobile" includes the numbers a region does not tell apart
# from fixed lines (FIXED_LINE_OR_MOBILE: the US, Canada, China ...).
_TYPE_NAMES: dict[str, frozenset[int]] = {
    "mobile": frozenset({PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}),
    "fixed_line": frozenset({PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE}),
    "toll_free": frozenset({PhoneNumberType.TOLL_FREE}),
}


# The metadata descriptions a number of each type matches (phonenumbers' `number_type`: FIXED_LINE_OR_MOBILE is a
# fixed-line match where mobile numbers look alike), so a typed check skips regions where no description could.
_DESCS_OF_TYPE: dict[int, frozenset[str]] = {
    PhoneNumberType.MOBILE: frozenset({"mobile"}),
    PhoneNumberType.FIXED_LINE_OR_MOBILE: frozenset({"fixed_line", "mobile"}),
    PhoneNumberType.FIXED_LINE: frozenset({"fixed_line"}),
    PhoneNumberType.TOLL_FREE: frozenset({"toll_free"}),
}


@lru_cache(maxsize=8192)
def _typed_outcome(value: str, region: str | None) -> tuple[int, str, str] | None:
    """(number type, national prefix written, national significant number) of a valid number that
    `parse(value, region)` gives; None when it does not parse or is not valid."""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    nsn = phonenumbers.national_significant_number(number)
    digits = plain_digits(value) or ""
    return phonenumbers.number_type(number), digits[:len(digits) - len(nsn)] if digits.endswith(nsn) else "", nsn


register_memo(_typed_outcome)


def typed_check(regions: tuple[str, ...], types: frozenset[int], trunk: bool, country_code: bool,
                as_written: bool = False) -> Check:
    """A valid number of one of `types` (phonenumbers' own number types, from its metadata). With `trunk`,
    the value writes its region's national (trunk) prefix before the national number (`0612457898` in
    France, `06301234567` in Hungary): a plain run with the prefix a region dials at home. With
    `country_code`, the digits begin with a country code, the plus sign left out (`380971234567`). With
    `as_written`, the value has the digit groups of the region's national format (`1800 123 4567`)."""
    prefixes = {region: (PhoneMetadata.metadata_for_region(region, None).national_prefix or "") for region in regions}
    plans = tuple((region, region_plan(region)) for region in regions)
    narrowing = _narrowing(plans)
    kinds = frozenset().union(*(_DESCS_OF_TYPE[t] for t in types))
    _keep_compiled_patterns()

    def check(value: str) -> bool:
        digits = plain_digits(value)
        if digits is None:
            return False
        if country_code:
            outcome = _typed_outcome("+" + digits, None)
            return outcome is not None and outcome[0] in types
        writing = regions_writing(group_lengths(value)) if as_written else None
        shapes: dict[int, bool] = {}  # regions of one country share a plan: ask it once
        for region, plan in narrowing(digits):
            prefix = prefixes[region]
            if trunk and not (prefix and digits.startswith(prefix)):
                continue
            if writing is not None and region not in writing:
                continue
            if plan is not None:
                fits = shapes.get(id(plan))
                if fits is None:
                    fits = shapes[id(plan)] = plan.may_be_valid(digits, kinds)
                if not fits:
                    continue
            outcome = _typed_outcome(value, region)
            if (outcome is not None and outcome[0] in types and (not trunk or outcome[1] == prefix)
                    and (not as_written or written_as_national(value, region))):
                return True
        return False

    return check


@BUILTIN.register(
    "phonenumbers",
    boost=0.2,
    description="valid phone number for a region (phonenumbers); args: region or regions (a list, or all), possible, "
                "as_written (in the region's national format), types (mobile, fixed_line, toll_free), trunk (the "
                "region's national prefix written first), country_code (the digits start with one, no plus sign)",
    short_arg="region",
    memo=True,
)
def _phonenumbers(args: Mapping[str, Any]) -> Check:
    require_no_extra_args(args, {"region", "regions", "possible", "as_written", "types", "trunk", "country_code"},
                          "phonenumbers")
    raw = args.get("regions", args.get("region", "US"))
    if isinstance(raw, str) and raw.lower() == "all":
        regions = every_region()
    else:
        regions = tuple(str(r).upper() for r in (raw if isinstance(raw, (list, tuple)) else [raw]))
    if not regions:
        raise ValueError("phonenumbers needs at least one region")
    possible = args.get("possible", False)
    as_written = args.get("as_written", False)
    if not isinstance(possible, bool) or not isinstance(as_written, bool):
        raise ValueError("phonenumbers: `possible` and `as_written` must be true or false")
    trunk = args.get("trunk", False)
    country_code = args.get("country_code", False)
    if not all(isinstance(flag, bool) for flag in (trunk, country_code)):
        raise ValueError("phonenumbers: `trunk` and `country_code` must be true or false")
    names = args.get("types")
    if names is None:
        if trunk or country_code:
            raise ValueError("phonenumbers: `trunk` and `country_code` need `types` (e.g. [mobile])")
        return phone_check(regions, possible, as_written)
    if possible:
        raise ValueError("phonenumbers: `types` checks a valid number, not a possible one")
    if isinstance(names, str):
        names = [names]
    unknown = [n for n in names if n not in _TYPE_NAMES]
    if unknown or not names:
        raise ValueError(f"phonenumbers: unknown number type(s) {unknown}; known: {', '.join(_TYPE_NAMES)}")
    types = frozenset().union(*(_TYPE_NAMES[n] for n in names))
    return typed_check(regions, types, trunk, country_code, as_written)
