"""Check-digit validators: Luhn (payment cards), IBAN mod-97, ABA routing numbers, and the national
identity numbers python-stdnum does not know (Hong Kong, Taiwan, Iran)."""

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


def _compact(value: str) -> str:
    return "".join(ch for ch in value.upper() if ch not in " -./()[]")


def hkid_valid(value: str) -> bool:
    """Hong Kong identity card number: one or two letters, six digits and a check character in
    brackets or not (A123456(3)). Letters count 10-35 and a missing second letter 36; the weighted
    sum (9 down to 2) plus the check value (A for 10) is a multiple of 11."""
    number = _compact(value)
    if not 8 <= len(number) <= 9:
        return False
    letters, digits, check = number[:-7], number[-7:-1], number[-1]
    if not (letters.isascii() and letters.isalpha() and digits.isdigit()) or check not in "0123456789A":
        return False
    values = [36] * (2 - len(letters)) + [ord(ch) - 55 for ch in letters] + [int(d) for d in digits]
    total = sum(v * w for v, w in zip(values, range(9, 1, -1)))
    return (total + (10 if check == "A" else int(check))) % 11 == 0


# the two-digit codes of the first letter (issuing city or county), in the letter's order
_TW_LETTER_CODES = dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", (10, 11, 12, 13, 14, 15, 16, 17, 34, 18, 19, 20, 21, 22, 35,
                                                            23, 24, 25, 26, 27, 28, 29, 32, 30, 31, 33)))


def tw_national_id_valid(value: str) -> bool:
    """Taiwan national identification number (or the 2021 resident certificate number): a letter
    coded as two digits, 1 or 2 for sex (8 or 9 for a resident certificate), seven digits and a
    check digit; the digits weighted 1 9 8 7 6 5 4 3 2 1 1 sum to a multiple of 10."""
    number = _compact(value)
    if len(number) != 10 or number[0] not in _TW_LETTER_CODES or not number[1:].isdigit() or number[1] not in "1289":
        return False
    digits = [int(d) for d in f"{_TW_LETTER_CODES[number[0]]}{number[1:]}"]
    return sum(d * w for d, w in zip(digits, (1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1))) % 10 == 0


def ir_national_id_valid(value: str) -> bool:
    """Iranian national code (kart-e melli): ten digits, not all the same; with s the sum of the first
    nine weighted 10 down to 2, mod 11, the last digit is s when s < 2 and 11 - s otherwise."""
    number = _compact(value)
    if len(number) != 10 or not number.isdigit() or len(set(number)) == 1:
        return False
    s = sum(int(d) * w for d, w in zip(number[:9], range(10, 1, -1))) % 11
    return int(number[9]) == (s if s < 2 else 11 - s)


BUILTIN.register_check("hkid", hkid_valid, boost=0.3, description="Hong Kong identity card check character", memo=True)


BUILTIN.register_check("tw_national_id", tw_national_id_valid, boost=0.3,
                       description="Taiwan national identification number check digit", memo=True)


BUILTIN.register_check("ir_national_id", ir_national_id_valid, boost=0.3,
                       description="Iranian national code check digit", memo=True)
