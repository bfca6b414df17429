"""Check-digit validators: Luhn (payment cards), IBAN mod-97, ABA routing numbers."""

from __future__ import annotations

from stdnum import iban as stdnum_iban
from stdnum import luhn as stdnum_luhn
from stdnum.us import rtn as stdnum_rtn

from detectors.validators.registry import BUILTIN


def digits_of(value: str) -> str:
    return "".join(ch for ch in value if "0" <= ch <= "9")


def luhn_valid(value: str) -> bool:
    """Luhn (mod 10) over the digits of `value`, separators ignored; needs at least 2 digits."""
    digits = digits_of(value)
    return len(digits) >= 2 and stdnum_luhn.is_valid(digits)


def iban_valid(value: str) -> bool:
    """Country length/format and the ISO 7064 mod-97 check, by python-stdnum."""
    return bool(stdnum_iban.is_valid(value))


def aba_valid(value: str) -> bool:
    """ABA routing transit number (9 digits, 3-7-1 weighted checksum)."""
    digits = digits_of(value)
    return len(digits) == 9 and bool(stdnum_rtn.is_valid(digits))


BUILTIN.register_check("luhn", luhn_valid, boost=0.4, description="Luhn mod-10 check digit (payment cards)",
                       memo=True)


BUILTIN.register_check("iban", iban_valid, boost=0.4, description="IBAN country format and mod-97 check (python-stdnum)",
                       memo=True)


BUILTIN.register_check("aba", aba_valid, boost=0.4, description="ABA routing transit number checksum", memo=True)
