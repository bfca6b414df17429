"""Scaling: the same end-to-end scan at 1x, 4x and 16x the workspace, to see time grow linearly and memory stay flat.

A scan has a fixed start-up cost (loading rules, compiling the Hyperscan
database, loading the NER model in every worker) and a cost per item. A
least-squares line `seconds = startup + per_item * items` through the runs
separates the two; how far the runs sit off that line says how linear the
growth is.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from bench.corpus import scaled_config
from bench.endtoend import ScanRun, measure_scan
from detectors.engine import EngineSpec

DEFAULT_FACTORS = (1, 4, 16)


def run_scaling(
    seed: int,
    preset: str,
    base_factor: float,
    workers: int,
    factors: Sequence[float] = DEFAULT_FACTORS,
    engine: EngineSpec | None = None,
    progress: Callable[[str], None] = print,
) -> dict[str, Any]:
    runs: dict[str, Any] = {}
    for factor in factors:
        label = f"{factor:g}x"
        progress(f"scaling: scan at {label} ({preset} x{base_factor * factor:g})")
        runs[label] = measure_scan(
            ScanRun(
                label=f"scale-{label}",
                seed=seed,
                generator=scaled_config(preset, base_factor * factor),
                workers=workers,
                engine=engine or EngineSpec(),
            ),
            progress,
        )
    return {"base": f"{preset} x{base_factor:g}", "factors": list(factors), "runs": runs, "fit": linear_fit(runs)}


def linear_fit(runs: dict[str, Any]) -> dict[str, Any] | None:
    points = [(r["items"], r["seconds"], r["memory"]["tree_peak_mb"]) for r in runs.values() if r.get("items")]
    if len(points) < 2:
        return None
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    n = len(points)
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    spread = sum((x - mean_x) ** 2 for x in xs)
    if spread == 0:
        return None
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys)) / spread
    intercept = mean_y - slope * mean_x
    residuals = [y - (intercept + slope * x) for x, y in zip(xs, ys)]
    total = sum((y - mean_y) ** 2 for y in ys)
    r_squared = 1 - sum(r * r for r in residuals) / total if total else 1.0
    memory = [p[2] for p in points]
    return {
        "startup_seconds": round(intercept, 2),
        "ms_per_item": round(slope * 1000, 3),
        "r_squared": round(r_squared, 4),
        "largest_residual_share": round(max(abs(r) / y for r, y in zip(residuals, ys)), 3),
        "items_ratio": round(xs[-1] / xs[0], 2),
        "seconds_ratio": round(ys[-1] / ys[0], 2),
        "memory_ratio": round(memory[-1] / memory[0], 2) if memory[0] else None,
    }
