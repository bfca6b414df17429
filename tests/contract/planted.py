"""Synthetic sensitive values for the contract server, from a seed: each unique, each one the default rules report."""

from __future__ import annotations

import random
import string
from dataclasses import dataclass


@dataclass(frozen=True)
class Plant:
    value: str
    entity: str
    user_id: str  # who the finding must be attributed to
    where: str  # the event type, or "library_file"


def _luhn_digit(body: str) -> str:
    total = 0
    for index, char in enumerate(reversed(body)):
        digit = int(char)
        if index % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return str((10 - total % 10) % 10)


class Values:
    """Card numbers (Luhn-valid Visa), AWS access key ids and e-mail addresses, in turn."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)
        self._count = 0
        self._seen: set[str] = set()

    def next(self) -> tuple[str, str, str]:
        """(value, entity, a sentence carrying it)."""
        while True:
            kind = self._count % 3
            value, entity, sentence = self._make(kind)
            if value not in self._seen:
                self._seen.add(value)
                self._count += 1
                return value, entity, sentence

    def _make(self, kind: int) -> tuple[str, str, str]:
        rng = self._rng
        if kind == 0:
            body = "4" + "".join(rng.choice(string.digits) for _ in range(14))
            digits = body + _luhn_digit(body)
            value = " ".join(digits[i:i + 4] for i in range(0, 16, 4))
            return value, "CREDIT_CARD", f"Please charge the corporate card {value} for the renewal."
        if kind == 1:
            value = "AKIA" + "".join(rng.choice(string.ascii_uppercase + "234567") for _ in range(16))
            return value, "SECRET", f"The deploy job still uses access key {value} in its settings."
        local = "".join(rng.choice(string.ascii_lowercase) for _ in range(8))
        value = f"{local}.client@northwind-mail.com"
        return value, "EMAIL_ADDRESS", f"Send the signed contract to {value} before Friday."
