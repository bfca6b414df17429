"""The validator registry: a name -> factory table, filled once at import time."""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Mapping

Check = Callable[[str], bool]
Factory = Callable[[Mapping[str, Any]], Check]

# Entries each memoised check keeps: the values a scan checks repeat (the same number in every
# e-mail signature), and a pure check's answer for a value never changes.
MEMO_SIZE = 4096
_MEMOS: "weakref.WeakSet[Any]" = weakref.WeakSet()


def register_memo(cached: Any) -> None:
    """Let `clear_memos` empty this `functools.lru_cache` function."""
    _MEMOS.add(cached)


def memoized(check: Check, size: int = MEMO_SIZE) -> Check:
    """`check` with a bounded memo of its answers (for pure checks only: same value, same answer).
    An exception is not remembered: the next call with that value runs the check again."""
    cached = lru_cache(maxsize=size)(check)
    register_memo(cached)
    return cached


def clear_memos() -> None:
    """Forget every memoised answer (tests and benchmarks that want a cold start)."""
    for cached in list(_MEMOS):
        cached.cache_clear()


@dataclass(frozen=True, slots=True)
class ValidatorKind:
    """A kind of validator: how to build its check from the YAML arguments, and its default boost."""

    name: str
    factory: Factory
    boost: float
    description: str
    # the argument a short form `name:VALUE` sets, e.g. `entropy:3.5` -> {"min": 3.5}
    short_arg: str | None = None
    # the checks it builds are pure (the answer depends on the value alone): remember answers
    memo: bool = False
    # arguments naming files the check reads, relative to the rule file (a cached rule set is
    # stale when one of them changes). A factory given `__files_checked__: True` (the cache has
    # compared them with the files it was built from) may read them when first needed.
    file_args: tuple[str, ...] = ()
    # its checks are pure and cost about a set lookup: the engine may run them on a regex match before it
    # builds a candidate (`detectors.evaluate.dropping_checks`), where most matches of a name pattern fail
    cheap: bool = False


class ValidatorRegistry:
    """Validators by name. Prefix kinds (`stdnum:`) cover whole families of names."""

    def __init__(self) -> None:
        self._kinds: dict[str, ValidatorKind] = {}

    def register(
        self, name: str, *, boost: float, description: str, short_arg: str | None = None, memo: bool = False,
        file_args: tuple[str, ...] = (), cheap: bool = False,
    ) -> Callable[[Factory], Factory]:
        """Register a factory. `memo=True` promises its checks are pure, so answers are remembered;
        `file_args` names the arguments that are files the check reads; `cheap=True` promises pure checks
        about as dear as a set lookup."""

        def decorate(factory: Factory) -> Factory:
            if name in self._kinds:
                raise ValueError(f"validator {name!r} registered twice")
            self._kinds[name] = ValidatorKind(name, factory, boost, description, short_arg, memo, file_args, cheap)
            return factory

        return decorate

    def register_check(self, name: str, check: Check, *, boost: float, description: str, memo: bool = False) -> None:
        """Register a check that takes no arguments (most checksums)."""

        def factory(args: Mapping[str, Any]) -> Check:
            require_no_extra_args(args, set(), name)
            return check

        self.register(name, boost=boost, description=description, memo=memo)(factory)

    def kind(self, name: str) -> ValidatorKind | None:
        """The kind for `name`: `stdnum:us.ssn` resolves to the `stdnum:` family, `entropy:3.5` to `entropy`."""
        if name in self._kinds:
            return self._kinds[name]
        if ":" in name:
            prefix = name.split(":", 1)[0]
            family = self._kinds.get(prefix + ":")
            if family is not None:
                return family
            short = self._kinds.get(prefix)
            if short is not None and short.short_arg:
                return short
        return None

    def build(self, name: str, args: Mapping[str, Any]) -> tuple[Check, float]:
        """Build the check for `name` with `args`; raise ValueError with a readable reason."""
        kind = self.kind(name)
        if kind is None:
            raise ValueError(f"unknown validator {name!r} (known: {', '.join(self.names())})")
        full_args = dict(args)
        if name != kind.name:
            suffix = name.split(":", 1)[1]
            if kind.name.endswith(":"):
                full_args["__suffix__"] = suffix
            elif kind.short_arg:
                full_args[kind.short_arg] = suffix
        check = kind.factory(full_args)
        return (memoized(check) if kind.memo else check), kind.boost

    def names(self) -> list[str]:
        return sorted(self._kinds)


BUILTIN = ValidatorRegistry()


def require_no_extra_args(args: Mapping[str, Any], allowed: set[str], validator: str) -> None:
    extra = sorted(str(k) for k in args if k not in allowed and not str(k).startswith("__"))
    if extra:
        raise ValueError(f"validator {validator!r} takes no argument {', '.join(extra)}")
