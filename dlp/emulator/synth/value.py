"""The record every synthetic-value factory returns."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SynthValue:
    entity: str
    text: str
    valid: bool = True
    subtype: str | None = None
