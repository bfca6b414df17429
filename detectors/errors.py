"""Problems found in rule and policy files, and the error that carries them.

Every problem names the file and the line it is about, so that a security
engineer can jump straight to it (`file:line: message`, like a compiler).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem in a rule or policy file. Warnings never stop a scan; errors do."""

    file: str
    line: int
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{self.file}:{self.line}: {prefix}{self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


class RuleError(Exception):
    """Raised when rule or policy files have errors; `problems` lists every one of them."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems) or "rule error")

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


def errors_only(problems: Iterable[Problem]) -> list[Problem]:
    return [p for p in problems if p.is_error]
