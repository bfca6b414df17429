"""The decision trace `dlp rules explain` prints: what happened to each candidate, step by step."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TraceStep:
    action: str  # candidate | exclusion | validator | shrink | context | require_context | likelihood | overlap | compound | decoded | listed
    detail: str
    delta: float = 0.0
    score: float = 0.0


@dataclass(frozen=True, slots=True)
class Trace:
    rule_id: str
    detector: str
    start: int
    end: int
    value: str
    steps: tuple[TraceStep, ...]
    score: float
    likelihood: str
    reported: bool
    reason: str  # why it was dropped, or "reported"

    def render(self) -> str:
        head = f"{self.rule_id} [{self.start}:{self.end}] {self.value!r} via {self.detector}"
        lines = [head]
        for step in self.steps:
            delta = f" ({step.delta:+.2f})" if step.delta else ""
            lines.append(f"  - {step.action}: {step.detail}{delta} -> score {step.score:.2f}")
        verdict = "REPORTED" if self.reported else f"DROPPED: {self.reason}"
        lines.append(f"  = {verdict} (score {self.score:.2f}, {self.likelihood})")
        return "\n".join(lines)
