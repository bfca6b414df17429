"""Which findings go to which receiver: the filters of `alerts.receivers`, as rows for the store."""

from __future__ import annotations

from detectors.model import SEVERITIES
from dlp.config import AlertsConfig

Route = tuple[str, tuple[str, ...], tuple[str, ...] | None, tuple[str, ...] | None]


def routes_for(config: AlertsConfig) -> list[Route]:
    """(receiver, accepted severities: the floor and above, entities or None, rules or None)."""
    return [
        (r.name, SEVERITIES[SEVERITIES.index(r.min_severity) :], r.entities or None, r.rules or None)
        for r in config.receivers
    ]
