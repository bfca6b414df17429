"""The progress shown during a scan: estimates from the scanner's snapshots, and status lines on a fake clock."""

from __future__ import annotations

import pytest

from dlp.progress import ScanProgress, StatusLines, duration, eta_seconds


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_log_stream_estimates_its_total_from_the_share_of_its_window_read():
    assert ScanProgress("logs:APP_LOG", done=30, covered=0.25).estimated_total() == 120
    assert ScanProgress("logs:APP_LOG", done=3, covered=0.01).estimated_total() is None  # too early to tell
    assert ScanProgress("gpts", done=2, total=5).estimated_total() == 5
    assert ScanProgress("gpts", done=2, total=5).fraction() == 0.4
    assert ScanProgress("logs:APP_LOG", done=1, covered=1.3).fraction() == 1.0


@pytest.mark.parametrize("fraction, elapsed, expected", [
    (0.25, 60.0, 180.0), (0.5, 10.0, 10.0), (None, 10.0, None), (0.0, 10.0, None), (0.5, 0.0, None),
])  # fmt: skip
def test_the_eta_is_the_time_left_at_the_pace_so_far(fraction, elapsed, expected):
    assert eta_seconds(fraction, elapsed) == expected


def test_durations_read_like_a_person_writes_them():
    assert [duration(s) for s in (4.4, 65, 3725)] == ["4s", "1m05s", "1h02m"]


def test_status_lines_come_once_per_interval_with_the_stage_the_totals_and_the_eta():
    clock, lines = Clock(), []
    status = StatusLines(lines.append, interval=30, clock=clock)
    status(ScanProgress("logs:CONVERSATION_MESSAGE", done=0, covered=0.0))
    assert lines == []  # nothing to say in the first interval
    clock.now += 31
    status(ScanProgress("logs:CONVERSATION_MESSAGE", done=25, covered=0.25, log_files=25, items=900, findings=12,
                        files=3, retries=2, throttled_seconds=14.0))  # fmt: skip
    assert lines == [
        "progress: logs:CONVERSATION_MESSAGE: 25 of ~100 log files (25%, ETA 1m33s); 25 log files, 900 items, "
        "12 findings, 3 files, 2 retries, 14s waiting for the rate limit, elapsed 31s"
    ]
    clock.now += 10
    status(ScanProgress("logs:CONVERSATION_MESSAGE", done=30, covered=0.3))
    assert len(lines) == 1  # within the interval: no new line
    clock.now += 25
    status.tick()  # nothing new, but a cron log still hears from a scan waiting on the API
    assert len(lines) == 2 and lines[1].startswith("progress: logs:CONVERSATION_MESSAGE: 30 of ~100 log files (30%")


def test_notes_are_written_only_with_verbose():
    clock, quiet_lines, loud_lines = Clock(), [], []
    for lines, verbose in ((quiet_lines, False), (loud_lines, True)):
        status = StatusLines(lines.append, interval=30, verbose=verbose, clock=clock)
        status("12 users")
        status(ScanProgress("gpts", done=1, total=3, note="gpts: g-1"))
    assert quiet_lines == [] and loud_lines == ["12 users", "gpts: g-1"]


def test_a_known_total_counts_without_a_tilde_and_a_finished_stage_has_no_eta():
    clock, lines = Clock(), []
    status = StatusLines(lines.append, interval=1, clock=clock)
    status(ScanProgress("gpts", done=0, total=4))
    clock.now += 2
    status(ScanProgress("gpts", done=4, total=4, log_files=10))
    assert lines[-1].startswith("progress: gpts: 4 of 4 gpts (100%); 10 log files")
