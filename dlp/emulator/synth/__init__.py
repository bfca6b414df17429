"""Synthetic sensitive values: PII, financial numbers, health ids, credentials, document markers.

Each factory takes a seeded `random.Random` and returns a `SynthValue`. Valid
values pass the real checksum (checked with python-stdnum where it knows the
scheme); look-alikes break it on purpose and carry `valid=False`.
"""

from dlp.emulator.synth.value import SynthValue

__all__ = ["SynthValue"]
