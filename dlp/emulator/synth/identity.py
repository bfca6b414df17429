"""National identifiers of several countries: US SSN, UK NINO, Spanish DNI, Australian TFN, Indian PAN."""

from __future__ import annotations

import random
import string

from stdnum.au import tfn
from stdnum.es import nif
from stdnum.in_ import pan

from dlp.emulator.synth.value import SynthValue


def us_ssn(rng: random.Random, valid: bool = True) -> SynthValue:
    if valid:
        area = rng.choice([a for a in range(1, 900) if a != 666])
        group, serial = rng.randint(1, 99), rng.randint(1, 9999)
    else:  # each of these can never be issued
        area, group, serial = rng.choice((
            (0, rng.randint(1, 99), rng.randint(1, 9999)),
            (666, rng.randint(1, 99), rng.randint(1, 9999)),
            (rng.randint(900, 999), rng.randint(1, 99), rng.randint(1, 9999)),
            (rng.choice([a for a in range(1, 900) if a != 666]), 0, rng.randint(1, 9999)),
            (rng.choice([a for a in range(1, 900) if a != 666]), rng.randint(1, 99), 0),
        ))
    sep = rng.choice(("-", "-", "-", " "))
    return SynthValue("US_SSN", f"{area:03d}{sep}{group:02d}{sep}{serial:04d}", valid, "US")


_NINO_FIRST = "ABCEGHJKLMNOPRSTWXYZ"
_NINO_SECOND = "ABCEGHJKLMNPRSTWXYZ"
_NINO_BANNED = {"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"}


def uk_nino(rng: random.Random) -> SynthValue:
    while True:
        prefix = rng.choice(_NINO_FIRST) + rng.choice(_NINO_SECOND)
        if prefix not in _NINO_BANNED:
            break
    digits = "".join(rng.choice(string.digits) for _ in range(6))
    suffix = rng.choice("ABCD")
    text = (f"{prefix} {digits[:2]} {digits[2:4]} {digits[4:]} {suffix}" if rng.random() < 0.5
            else f"{prefix}{digits}{suffix}")
    return SynthValue("UK_NINO", text, True, "GB")


_DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


def es_nif(rng: random.Random, valid: bool = True) -> SynthValue:
    number = rng.randint(10_000_000, 99_999_999)
    letter = _DNI_LETTERS[number % 23]
    if not valid:
        letter = rng.choice(_DNI_LETTERS.replace(letter, ""))
    text = f"{number}{letter}" if rng.random() < 0.7 else f"{number}-{letter}"
    assert nif.is_valid(text) == valid
    return SynthValue("ES_NIF", text, valid, "ES")


def au_tfn(rng: random.Random, valid: bool = True) -> SynthValue:
    weights = (1, 4, 3, 7, 5, 8, 6, 9, 10)
    while True:
        digits = [rng.randint(0, 9) for _ in range(9)]
        digits[0] = rng.randint(1, 9)
        total = sum(d * w for d, w in zip(digits, weights))
        if (total % 11 == 0) == valid:
            break
    number = "".join(map(str, digits))
    assert tfn.is_valid(number) == valid
    text = f"{number[:3]} {number[3:6]} {number[6:]}" if rng.random() < 0.6 else number
    return SynthValue("AU_TFN", text, valid, "AU")


def in_pan(rng: random.Random) -> SynthValue:
    letters = string.ascii_uppercase
    text = ("".join(rng.choice(letters) for _ in range(3)) + rng.choice("PCHFATBLJG")
            + rng.choice(letters) + "".join(rng.choice(string.digits) for _ in range(4)) + rng.choice(letters))
    if text[5:9] == "0000":
        text = text[:5] + "1" + text[6:]
    assert pan.is_valid(text)
    return SynthValue("IN_PAN", text, True, "IN")
