"""Deterministic randomness: every generated thing draws from its own seeded stream.

A stream is named by the workspace seed and a path of parts ("conv", 17), so
conversation 17 is the same whether or not conversation 16 was generated, and
nothing depends on the order of generation or on the wall clock.
"""

from __future__ import annotations

import hashlib
import random
import string
import uuid

_ALNUM = string.ascii_letters + string.digits


def stream(seed: int, *parts: object) -> random.Random:
    """A random generator unique to (seed, parts); stable across runs and Python hash seeds."""
    return random.Random("|".join([str(seed), *map(str, parts)]))


def unit_hash(*parts: object) -> float:
    """A number in [0, 1) fixed by the parts: for cheap per-object coin flips without a stream."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def alnum(rng: random.Random, length: int) -> str:
    return "".join(rng.choice(_ALNUM) for _ in range(length))


def hex_string(rng: random.Random, length: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(length))


def uuid4(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def user_id(rng: random.Random) -> str:
    return "user-" + alnum(rng, 24)


def file_id(rng: random.Random) -> str:
    return "file-" + alnum(rng, 22)


def gpt_id(rng: random.Random) -> str:
    return "g-" + hex_string(rng, 32)


def project_id(rng: random.Random) -> str:
    return "g-p-" + hex_string(rng, 32)


def conversation_id(rng: random.Random) -> str:
    """UUID-shaped like the real ids (68cccb0d-6994-8321-...); drawn from the seed, not the clock."""
    rest = hex_string(rng, 31)
    return f"6{rest[:7]}-{rest[7:11]}-8{rest[11:14]}-{rest[14:18]}-{rest[18:30]}"
