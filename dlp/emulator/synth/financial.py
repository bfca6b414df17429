"""Card numbers (Luhn), IBANs (mod-97), US routing numbers (ABA) and bank accounts."""

from __future__ import annotations

import random
import string

from stdnum import iban as stdnum_iban
from stdnum import luhn

from dlp.emulator.synth.value import SynthValue

# brand: (prefixes, length)
_CARD_BRANDS = {
    "visa": (("4",), 16),
    "mastercard": (("51", "52", "53", "54", "55", "2221", "2500", "2720"), 16),
    "amex": (("34", "37"), 15),
    "discover": (("6011", "65", "644"), 16),
}


def _digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(count))


def _format_card(number: str, brand: str, rng: random.Random) -> str:
    sep = rng.choice((" ", "-", "", " "))
    if not sep:
        return number
    groups = (4, 6, 5) if brand == "amex" else (4, 4, 4, 4)
    parts, pos = [], 0
    for size in groups:
        parts.append(number[pos:pos + size])
        pos += size
    return sep.join(parts)


def credit_card(rng: random.Random, valid: bool = True) -> SynthValue:
    brand = rng.choice(tuple(_CARD_BRANDS))
    prefixes, length = _CARD_BRANDS[brand]
    body = rng.choice(prefixes)
    body += _digits(rng, length - 1 - len(body))
    check = luhn.calc_check_digit(body)
    if not valid:  # any other final digit breaks the Luhn sum
        check = str((int(check) + rng.randint(1, 9)) % 10)
    number = body + check
    assert luhn.is_valid(number) == valid
    return SynthValue("CREDIT_CARD", _format_card(number, brand, rng), valid, brand)


# country: BBAN structure as (count, class) with n digits, a upper letters, c alphanumerics
_IBAN_BBAN = {
    "DE": ((8, "n"), (10, "n")),
    "GB": ((4, "a"), (6, "n"), (8, "n")),
    "FR": ((5, "n"), (5, "n"), (11, "n"), (2, "n")),
    "NL": ((4, "a"), (10, "n")),
    "IT": ((1, "a"), (5, "n"), (5, "n"), (12, "n")),
    "AT": ((5, "n"), (11, "n")),
    "CH": ((5, "n"), (12, "n")),
    "IE": ((4, "a"), (6, "n"), (8, "n")),
    "PL": ((8, "n"), (16, "n")),
    "ES": ((4, "n"), (4, "n"), (1, "n"), (1, "n"), (10, "n")),
    "BE": ((3, "n"), (7, "n"), (2, "n")),
}


def _bban(rng: random.Random, country: str) -> str:
    classes = {"n": string.digits, "a": string.ascii_uppercase, "c": string.digits + string.ascii_uppercase}
    return "".join("".join(rng.choice(classes[cls]) for _ in range(count))
                   for count, cls in _IBAN_BBAN[country])


def _iban_check(country: str, bban: str) -> str:
    rearranged = bban + country + "00"
    numeric = "".join(str(int(ch, 36)) for ch in rearranged)
    return f"{98 - int(numeric) % 97:02d}"


def iban(rng: random.Random, valid: bool = True, country: str | None = None) -> SynthValue:
    country = country or rng.choice(tuple(_IBAN_BBAN))
    for _ in range(20_000):  # national checks (ES, BE: ~1 in 100 passes) reject most random BBANs: redraw
        bban = _bban(rng, country)
        number = country + _iban_check(country, bban) + bban
        if stdnum_iban.is_valid(number):
            break
    else:
        raise RuntimeError(f"could not draw a valid IBAN for {country}")
    if not valid:
        check = int(number[2:4])
        bad = (check + rng.randint(1, 90)) % 100
        number = number[:2] + f"{bad:02d}" + number[4:]
        if stdnum_iban.is_valid(number, check_country=False):  # pragma: no cover - mod 97 rules this out
            raise RuntimeError("look-alike IBAN is valid")
    text = stdnum_iban.format(number) if rng.random() < 0.6 else number
    return SynthValue("IBAN_CODE", text, valid, country)


def aba_routing(rng: random.Random, valid: bool = True) -> SynthValue:
    """A US routing number: first two digits a Federal Reserve district, 3-7-1 weighted checksum."""
    district = rng.choice(("01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11", "12",
                           "21", "22", "26", "31"))
    body = district + _digits(rng, 6)
    weights = (3, 7, 1, 3, 7, 1, 3, 7)
    total = sum(int(d) * w for d, w in zip(body, weights))
    check = (10 - total % 10) % 10
    if not valid:
        check = (check + rng.randint(1, 9)) % 10
    return SynthValue("ABA_ROUTING_NUMBER", body + str(check), valid, "US")


def bank_account(rng: random.Random) -> SynthValue:
    """A US bank account number (no checksum exists; context words make it one)."""
    return SynthValue("US_BANK_NUMBER", rng.choice("123456789") + _digits(rng, rng.randint(8, 11)), True, "US")
