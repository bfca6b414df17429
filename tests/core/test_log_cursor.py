"""The log cursor loses nothing and repeats nothing whether the server reads `after` as strictly later (the
newest description) or as inclusive (an older integration), across pages and restarts at any unit."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import datetime, timedelta, timezone

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from dlp.ingest.logs import LogCursor, PageEnd, list_log_files

START = datetime(2026, 7, 1, tzinfo=timezone.utc)


def stamp(minutes: int) -> str:
    return (START + timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z")


class Server:
    """A Logs Platform listing over files [(id, end minute)], `after` inclusive or strict, pages of `limit`."""

    workspace_path = "/compliance/workspaces/ws"
    organization_path = None

    def __init__(self, files: list[tuple[str, int]], inclusive: bool, limit: int) -> None:
        self.files = sorted(files, key=lambda f: f[1])
        self.inclusive = inclusive
        self.limit = limit

    async def get_json(self, path, params, route_class):
        after = datetime.fromisoformat(params["after"].replace("Z", "+00:00"))
        later = [f for f in self.files
                 if (START + timedelta(minutes=f[1]) >= after if self.inclusive else START + timedelta(minutes=f[1]) > after)]
        page = later[: self.limit]
        # A strict server must not cut a group of same-time files across pages (no client could recover it).
        while not self.inclusive and page and len(page) < len(later) and later[len(page)][1] == page[-1][1]:
            page.append(later[len(page)])
        return {"data": [{"id": i, "end_time": stamp(m)} for i, m in page], "has_more": len(page) < len(later),
                "last_end_time": stamp(page[-1][1]) if page else None}


def run_until(server: Server, cursor: LogCursor, stop_after: int | None) -> tuple[LogCursor, list[str], bool]:
    """Process units until `stop_after` of them are committed (a kill), returning the committed cursor."""
    processed: list[str] = []

    async def go() -> tuple[LogCursor, bool]:
        current = cursor
        units = 0
        async for entry in list_log_files(server, "X", cursor):
            if isinstance(entry, PageEnd):
                current = current.at_page_end(entry)
            else:
                processed.append(entry.id)
                current = current.advanced_past(entry)
            units += 1
            if stop_after is not None and units >= stop_after:
                return current, False
        return current, True

    final, finished = asyncio.run(go())
    return final, processed, finished


@settings(max_examples=150, deadline=None)
@given(
    ends=st.lists(st.integers(0, 12), min_size=1, max_size=25),
    inclusive=st.booleans(),
    limit=st.integers(2, 6),
    kills=st.lists(st.integers(1, 8), max_size=6),
)
def test_every_file_is_read_exactly_once_under_either_reading_of_after(ends, inclusive, limit, kills):
    # An inclusive server cannot page past more same-time files than a page holds (the client says so).
    assume(not inclusive or max(Counter(ends).values()) < limit)
    files = [(f"f{i}", minute) for i, minute in enumerate(ends)]
    server = Server(files, inclusive, limit)
    cursor = LogCursor(stamp(-1))
    seen: list[str] = []
    for stop in [*kills, None]:
        cursor, processed, finished = run_until(server, cursor, stop)
        seen += processed
        if finished:
            break
    assert sorted(seen) == sorted(f for f, _ in files)  # nothing lost, nothing twice
