"""`stdnum:<module>`: any identifier python-stdnum knows (`stdnum:us.ssn`, `stdnum:de.idnr`, ...)."""

from __future__ import annotations

import importlib
import re
from typing import Any, Mapping

from detectors.validators.registry import BUILTIN, Check, require_no_extra_args

_MODULE_NAME = re.compile(r"^[a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*$")


def stdnum_check(module_name: str) -> Check:
    """The `is_valid` of `stdnum.<module_name>`, fed the value without whitespace."""
    if not _MODULE_NAME.match(module_name):
        raise ValueError(f"invalid python-stdnum module name {module_name!r}")
    try:
        module = importlib.import_module(f"stdnum.{module_name}")
    except ImportError:
        raise ValueError(f"python-stdnum has no module {module_name!r}") from None
    is_valid = getattr(module, "is_valid", None)
    if not callable(is_valid):
        raise ValueError(f"stdnum.{module_name} has no is_valid()")

    def check(value: str) -> bool:
        # stdnum's own compact() strips each format's separators, but some
        # (us.ssn) reject spaces, which documents often use instead of dashes
        try:
            return bool(is_valid("".join(value.split())))
        except Exception:  # a validator must never crash a scan on odd input
            return False

    return check


@BUILTIN.register("stdnum:", boost=0.3, description="any python-stdnum identifier, e.g. stdnum:us.ssn", memo=True)
def _stdnum(args: Mapping[str, Any]) -> Check:
    require_no_extra_args(args, set(), "stdnum:")
    return stdnum_check(str(args["__suffix__"]))
