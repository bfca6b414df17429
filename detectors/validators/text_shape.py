"""Shape checks for secrets: Shannon entropy and character-class mix."""

from __future__ import annotations

import math
from collections import Counter
from typing import Any, Mapping

from detectors.validators.registry import BUILTIN, Check, require_no_extra_args


def shannon_entropy(value: str) -> float:
    """Bits per character of `value`'s own character distribution (0 for an empty string)."""
    if not value:
        return 0.0
    total = len(value)
    return -sum((n / total) * math.log2(n / total) for n in Counter(value).values())


CHARACTER_CLASSES = ("upper", "lower", "digit", "symbol")


def character_classes(value: str) -> set[str]:
    found: set[str] = set()
    for ch in value:
        if ch.isupper():
            found.add("upper")
        elif ch.islower():
            found.add("lower")
        elif ch.isdigit():
            found.add("digit")
        elif not ch.isspace():
            found.add("symbol")
    return found


def _number(args: Mapping[str, Any], key: str, validator: str) -> float:
    if key not in args:
        raise ValueError(f"validator {validator!r} needs `{key}`")
    try:
        return float(args[key])
    except (TypeError, ValueError):
        raise ValueError(f"validator {validator!r}: `{key}` must be a number") from None


@BUILTIN.register(
    "entropy", boost=0.1, description="Shannon entropy of the value at least `min` bits/char", short_arg="min"
)
def _entropy(args: Mapping[str, Any]) -> Check:
    require_no_extra_args(args, {"min"}, "entropy")
    minimum = _number(args, "min", "entropy")
    return lambda value: shannon_entropy(value) >= minimum


@BUILTIN.register(
    "charclasses",
    boost=0.1,
    description="at least `min` of upper, lower, digit, symbol; all of `require`; one of `any`",
    short_arg="min",
)
def _charclasses(args: Mapping[str, Any]) -> Check:
    require_no_extra_args(args, {"min", "require", "any"}, "charclasses")
    minimum = int(_number(args, "min", "charclasses")) if "min" in args else 0
    required = set(args.get("require") or ())
    one_of = set(args.get("any") or ())  # a name needs a capital or a digit: `any: [upper, digit]`
    unknown = sorted((required | one_of) - set(CHARACTER_CLASSES))
    if unknown:
        raise ValueError(f"charclasses: unknown class(es) {', '.join(unknown)} (one of {', '.join(CHARACTER_CLASSES)})")
    if not minimum and not required and not one_of:
        raise ValueError("charclasses needs `min`, `require` or `any`")

    def check(value: str) -> bool:
        found = character_classes(value)
        return len(found) >= minimum and required <= found and (not one_of or bool(one_of & found))

    return check
