"""Validators: named checks on a candidate value. A failed validator drops the match;
a passed one raises its score by the validator's boost.

Rules name validators in YAML (`luhn`, `iban`, `aba`, `stdnum:us.ssn`,
`phonenumbers: {region: US}`, `entropy: {min: 3.5}`, `charclasses: {min: 3}`,
or a custom one). Custom validators are plain functions registered with
`@BUILTIN.register(...)` in a module of this package (see `custom.py`).
"""

from __future__ import annotations

# Importing the modules registers their validators into BUILTIN (once, at import).
from detectors.validators import checksums as _checksums  # noqa: E402,F401
from detectors.validators import credential as _credential  # noqa: E402,F401
from detectors.validators import custom as _custom  # noqa: E402,F401
from detectors.validators import network as _network  # noqa: E402,F401
from detectors.validators import phone as _phone  # noqa: E402,F401
from detectors.validators import stdnum_ids as _stdnum_ids  # noqa: E402,F401
from detectors.validators import text_shape as _text_shape  # noqa: E402,F401
from detectors.validators import wordlist as _wordlist  # noqa: E402,F401
from detectors.validators.registry import (
    BUILTIN,
    Check,
    ValidatorKind,
    ValidatorRegistry,
    clear_memos,
)

__all__ = ["BUILTIN", "Check", "ValidatorKind", "ValidatorRegistry", "clear_memos"]
