"""Score (0..1) to likelihood (VERY_UNLIKELY .. VERY_LIKELY), the scale DLP tools report on."""

from __future__ import annotations

import enum


class Likelihood(enum.IntEnum):
    VERY_UNLIKELY = 1
    UNLIKELY = 2
    POSSIBLE = 3
    LIKELY = 4
    VERY_LIKELY = 5

    @classmethod
    def parse(cls, value: str) -> "Likelihood":
        """Accept `LIKELY`, `likely`, `very likely`, `very-likely`; raise ValueError otherwise."""
        key = str(value).strip().upper().replace(" ", "_").replace("-", "_")
        try:
            return cls[key]
        except KeyError:
            names = ", ".join(m.name for m in cls)
            raise ValueError(f"unknown likelihood {value!r} (one of {names})") from None


# Lower bound of each likelihood band; a score at a bound belongs to the higher band.
LIKELIHOOD_FLOORS: tuple[tuple[float, Likelihood], ...] = (
    (0.8, Likelihood.VERY_LIKELY),
    (0.6, Likelihood.LIKELY),
    (0.4, Likelihood.POSSIBLE),
    (0.2, Likelihood.UNLIKELY),
)


def likelihood_for(score: float) -> Likelihood:
    # a small epsilon keeps 0.1 + 0.7 (= 0.7999999) in the band a reader expects
    adjusted = score + 1e-9
    for floor, likelihood in LIKELIHOOD_FLOORS:
        if adjusted >= floor:
            return likelihood
    return Likelihood.VERY_UNLIKELY


def clamp_score(score: float) -> float:
    return round(min(1.0, max(0.0, score)), 4)
