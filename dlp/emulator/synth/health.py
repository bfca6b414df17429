"""Health identifiers: UK NHS numbers (mod 11) and US DEA registration numbers (medical licence)."""

from __future__ import annotations

import random
import string

from dlp.emulator.synth.value import SynthValue


def uk_nhs(rng: random.Random, valid: bool = True) -> SynthValue:
    while True:
        digits = [rng.randint(0, 9) for _ in range(9)]
        digits[0] = rng.randint(4, 9)
        remainder = sum(d * w for d, w in zip(digits, range(10, 1, -1))) % 11
        check = 11 - remainder
        if check == 11:
            check = 0
        if check != 10:  # 10 means the number is never issued: draw again
            break
    if not valid:  # only one final digit satisfies mod 11: any other one is a look-alike
        check = (check + rng.randint(1, 9)) % 10
    number = "".join(map(str, digits)) + str(check)
    text = f"{number[:3]} {number[3:6]} {number[6:]}" if rng.random() < 0.7 else number
    return SynthValue("UK_NHS", text, valid, "GB")


def dea_number(rng: random.Random, valid: bool = True) -> SynthValue:
    """US DEA registration: 2 letters, 6 digits, a check digit from (d1+d3+d5) + 2*(d2+d4+d6)."""
    first = rng.choice("ABFGMPR")
    second = rng.choice(string.ascii_uppercase)
    digits = [rng.randint(0, 9) for _ in range(6)]
    check = (digits[0] + digits[2] + digits[4] + 2 * (digits[1] + digits[3] + digits[5])) % 10
    if not valid:
        check = (check + rng.randint(1, 9)) % 10
    return SynthValue("MEDICAL_LICENSE", first + second + "".join(map(str, digits)) + str(check), valid, "US_DEA")
