"""The validator registry: a name -> factory table, filled once at import time."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

Check = Callable[[str], bool]
Factory = Callable[[Mapping[str, Any]], Check]


@dataclass(frozen=True, slots=True)
class ValidatorKind:
    """A kind of validator: how to build its check from the YAML arguments, and its default boost."""

    name: str
    factory: Factory
    boost: float
    description: str
    # the argument a short form `name:VALUE` sets, e.g. `entropy:3.5` -> {"min": 3.5}
    short_arg: str | None = None


class ValidatorRegistry:
    """Validators by name. Prefix kinds (`stdnum:`) cover whole families of names."""

    def __init__(self) -> None:
        self._kinds: dict[str, ValidatorKind] = {}

    def register(
        self, name: str, *, boost: float, description: str, short_arg: str | None = None
    ) -> Callable[[Factory], Factory]:
        def decorate(factory: Factory) -> Factory:
            if name in self._kinds:
                raise ValueError(f"validator {name!r} registered twice")
            self._kinds[name] = ValidatorKind(name, factory, boost, description, short_arg)
            return factory

        return decorate

    def register_check(self, name: str, check: Check, *, boost: float, description: str) -> None:
        """Register a check that takes no arguments (most checksums)."""

        def factory(args: Mapping[str, Any]) -> Check:
            require_no_extra_args(args, set(), name)
            return check

        self.register(name, boost=boost, description=description)(factory)

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
        return kind.factory(full_args), kind.boost

    def names(self) -> list[str]:
        return sorted(self._kinds)


BUILTIN = ValidatorRegistry()


def require_no_extra_args(args: Mapping[str, Any], allowed: set[str], validator: str) -> None:
    extra = sorted(str(k) for k in args if k not in allowed and not str(k).startswith("__"))
    if extra:
        raise ValueError(f"validator {validator!r} takes no argument {', '.join(extra)}")
