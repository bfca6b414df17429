"""Validator kinds registered with `memo=True` remember their answers (bounded); others do not."""

from __future__ import annotations

from typing import Any, Mapping

import pytest

from detectors.validators import BUILTIN, ValidatorRegistry, clear_memos
from detectors.validators.checksums import luhn_valid


def test_pure_builtin_checks_remember_their_answers() -> None:
    check, boost = BUILTIN.build("luhn", {})
    assert boost == 0.4
    clear_memos()
    assert check("4539 1488 0343 6467") and check("4539 1488 0343 6467")
    assert not check("4539 1488 0343 6468")
    info = check.cache_info()  # type: ignore[attr-defined]
    assert (info.hits, info.misses) == (1, 2)
    clear_memos()
    assert check.cache_info().currsize == 0  # type: ignore[attr-defined]
    for name, args in [("iban", {}), ("aba", {}), ("stdnum:us.ssn", {}), ("dea", {}), ("calendar_date", {})]:
        assert hasattr(BUILTIN.build(name, args)[0], "cache_info"), name


def test_other_checks_are_not_wrapped() -> None:
    for name, args in [("email_domain", {}), ("entropy", {"min": 3}), ("person_name", {}), ("jwt", {})]:
        assert not hasattr(BUILTIN.build(name, args)[0], "cache_info"), name
    assert BUILTIN.build("luhn", {})[0]("79927398713") == luhn_valid("79927398713")


def test_memo_is_opt_in_per_kind_and_does_not_remember_exceptions() -> None:
    registry = ValidatorRegistry()
    calls: list[str] = []

    def flaky(value: str) -> bool:
        calls.append(value)
        if len(calls) == 1:
            raise RuntimeError("first call fails")
        return value == "ok"

    def factory(args: Mapping[str, Any]) -> Any:
        return flaky

    registry.register("pure", boost=0.1, description="", memo=True)(factory)
    registry.register("plain", boost=0.1, description="")(factory)
    pure, _ = registry.build("pure", {})
    with pytest.raises(RuntimeError):
        pure("ok")
    assert pure("ok") and pure("ok")
    assert calls == ["ok", "ok"]  # the exception was not remembered; the answer was
    plain, _ = registry.build("plain", {})
    assert plain("ok") and plain("ok") and calls == ["ok", "ok", "ok", "ok"]
    registry.register_check("checked", lambda value: True, boost=0.0, description="", memo=True)
    assert hasattr(registry.build("checked", {})[0], "cache_info")
