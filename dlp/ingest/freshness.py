"""How current the Logs Platform is: the newest event time per type (`max_event_time`), and the lag to now.

`GET {scope}/logs/max_event_time?event_type=A&event_type=B` answers
`{"max_event_time": {"A": iso | null, ...}}` (compliance-api.md, Update 2026-12
item 5). One transcription of the official description (N1) puts the route at
`{scope}/max_event_time`; the client asks there when the first path is not found.
"This timestamp does not guarantee that all earlier events have arrived" (N1):
the lag is reported, never used to move a cursor.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from dlp.ingest.events import parse_time
from dlp.ingest.http import ApiError, ComplianceClient, NotFoundError, ScopeError
from dlp.ingest.logs import LogScope, scope_path
from dlp.ingest.ratelimit import RouteClass

ROUTES = ("/logs/max_event_time", "/max_event_time")


@dataclass(frozen=True)
class Freshness:
    event_type: str
    max_event_time: datetime | None  # None: no retained event of this type

    def lag_minutes(self, now: datetime) -> float | None:
        if self.max_event_time is None:
            return None
        return max(0.0, (now - self.max_event_time).total_seconds() / 60.0)

    def describe(self, now: datetime) -> str:
        if self.max_event_time is None:
            return "no retained events"
        lag = self.lag_minutes(now) or 0.0
        stamp = self.max_event_time.strftime("%Y-%m-%d %H:%M:%SZ")
        return f"events up to {stamp}, {lag:.0f} min behind"


async def max_event_times(
    client: ComplianceClient, event_types: Sequence[str], scope: LogScope = LogScope.WORKSPACE
) -> dict[str, Freshness]:
    """The newest event time of each type; types the key may not read, or no route answers for, are left out."""
    if not event_types:
        return {}
    try:
        return await _ask(client, list(event_types), scope)
    except ScopeError:
        if len(event_types) == 1:
            return {}
    found: dict[str, Freshness] = {}  # one forbidden type refuses the whole call: ask type by type
    for event_type in event_types:
        try:
            found.update(await _ask(client, [event_type], scope))
        except ScopeError:
            continue
    return found


async def _ask(client: ComplianceClient, event_types: list[str], scope: LogScope) -> dict[str, Freshness]:
    base = scope_path(client, scope)
    for route in ROUTES:
        try:
            body = await client.get_json(base + route, {"event_type": event_types}, RouteClass.LOGS)
        except NotFoundError:
            continue
        except ApiError as exc:
            if isinstance(exc, ScopeError) or exc.status not in (400, 405, 422):
                raise
            continue  # not this server's route or parameters
        times = body.get("max_event_time") if isinstance(body, dict) else None
        if isinstance(times, dict):
            return {t: Freshness(t, parse_time(times.get(t))) for t in event_types if t in times}
    return {}
