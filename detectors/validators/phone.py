"""`phonenumbers`: the value parses as a valid phone number for one of the given regions."""

from __future__ import annotations

from typing import Any, Mapping

import phonenumbers
from phonenumbers import CountryCodeSource

from detectors.validators.registry import BUILTIN, Check, require_no_extra_args


def phone_check(regions: tuple[str, ...]) -> Check:
    unknown = [r for r in regions if r not in phonenumbers.SUPPORTED_REGIONS]
    if unknown:
        raise ValueError(f"unknown phone region(s): {', '.join(unknown)}")

    def check(value: str) -> bool:
        if len(regions) > 1 and value.lstrip().startswith("+"):
            # a number whose country code came from its plus sign does not depend on the default region,
            # so one parse stands for every region (an unknown code after "+" falls back to the regions)
            try:
                number = phonenumbers.parse(value, regions[0], keep_raw_input=True)
            except phonenumbers.NumberParseException:
                number = None
            if number is not None and number.country_code_source == CountryCodeSource.FROM_NUMBER_WITH_PLUS_SIGN:
                return phonenumbers.is_valid_number(number)
        for region in regions:
            try:
                number = phonenumbers.parse(value, region)
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_valid_number(number):
                return True
        return False

    return check


@BUILTIN.register(
    "phonenumbers",
    boost=0.2,
    description="valid phone number for a region (phonenumbers); args: region or regions",
    short_arg="region",
)
def _phonenumbers(args: Mapping[str, Any]) -> Check:
    require_no_extra_args(args, {"region", "regions"}, "phonenumbers")
    raw = args.get("regions", args.get("region", "US"))
    regions = tuple(str(r).upper() for r in (raw if isinstance(raw, (list, tuple)) else [raw]))
    if not regions:
        raise ValueError("phonenumbers needs at least one region")
    return phone_check(regions)
