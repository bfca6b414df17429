"""Confidential-document markers: the labels companies stamp on documents that must not leave."""

from __future__ import annotations

import random

from dlp.emulator.synth.value import SynthValue

MARKERS = (
    "CONFIDENTIAL",
    "STRICTLY CONFIDENTIAL",
    "INTERNAL USE ONLY",
    "Attorney-Client Privileged",
    "Proprietary and Confidential",
    "CONFIDENTIAL - DO NOT DISTRIBUTE",
    "Restricted - Internal",
)


def confidential_marker(rng: random.Random) -> SynthValue:
    return SynthValue("CONFIDENTIAL_DOCUMENT", rng.choice(MARKERS), True, None)
