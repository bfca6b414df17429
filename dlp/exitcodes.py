"""What `dlp` exit codes mean, and the `--fail-on SEVERITY` gate every command that reports findings shares.

| code | meaning |
|---:|---|
| 0 | done, complete; no finding at or above `--fail-on` (or `--fail-on` not given) |
| 1 | findings at or above `--fail-on SEVERITY`; failing rule tests or lint errors (`dlp rules`) |
| 2 | usage or configuration error: nothing was done (bad flag or config, missing or rejected key or scope, unknown workspace, unreachable API, unreadable input) |
| 3 | finished but incomplete: a stream stopped or was forbidden, log files skipped, units in the retry queue |
| 4 | failed: stopped by an error it could not get past (the API kept failing past the retries, or a bug) |
| 130 | interrupted by Ctrl-C (SIGINT) |
| 143 | stopped by SIGTERM |

A command that reports findings takes `--fail-on` (`fail_on_option()`), and ends with
`findings_exit(status_code, severities, fail_on)`: a worse status (2, 3, 4) wins over findings.
"""

from __future__ import annotations

import signal
from collections.abc import Iterable
from enum import IntEnum

import typer

from detectors.model import SEVERITIES


class ExitCode(IntEnum):
    OK = 0
    FINDINGS = 1
    USAGE = 2
    INCOMPLETE = 3
    FAILED = 4
    SIGINT = 128 + signal.SIGINT  # 130, the shell's code for a process ended by Ctrl-C
    SIGTERM = 128 + signal.SIGTERM  # 143


# ScanStatus values (dlp.pipeline) -> exit codes; by value, so this module stays light to import.
_SCAN_STATUS_EXIT = {
    "completed": ExitCode.OK,
    "incomplete": ExitCode.INCOMPLETE,
    "failed": ExitCode.FAILED,
    "interrupted": ExitCode.SIGINT,
}


def for_scan_status(status: str) -> ExitCode:
    """The exit code of a scan that ended with `status` (a `dlp.pipeline.ScanStatus`), before `--fail-on`."""
    return _SCAN_STATUS_EXIT.get(str(status), ExitCode.FAILED)


def for_signal(signum: int) -> ExitCode:
    return ExitCode.SIGTERM if signum == signal.SIGTERM else ExitCode.SIGINT


def for_error(exc: BaseException) -> ExitCode:
    """A `dlp.errors.DlpError`: 4 when waiting may fix it (a busy database), 2 when someone must change something."""
    from dlp.errors import is_transient

    return ExitCode.FAILED if is_transient(exc) else ExitCode.USAGE


def parse_severity(value: str) -> str:
    """A severity name, any case; raises ValueError naming the choices."""
    severity = value.strip().lower()
    if severity not in SEVERITIES:
        raise ValueError(f"{value!r} is not a severity; choose one of {', '.join(SEVERITIES)}")
    return severity


def at_or_above(severity: str, floor: str) -> bool:
    """Whether `severity` is `floor` or worse; an unknown severity counts as the lowest."""
    rank = {name: i for i, name in enumerate(SEVERITIES)}
    return rank.get(severity, -1) >= rank[floor]


def count_at_or_above(severities: Iterable[tuple[str, int]] | dict[str, int], floor: str) -> int:
    """How many findings, given as (severity, count) pairs, are at `floor` or worse."""
    pairs = severities.items() if isinstance(severities, dict) else severities
    return sum(n for severity, n in pairs if at_or_above(severity, floor))


def findings_exit(code: ExitCode, severities: dict[str, int], fail_on: str | None) -> ExitCode:
    """`code` unless it is OK and `fail_on` is set and some finding reaches it: then FINDINGS."""
    if code is ExitCode.OK and fail_on is not None and count_at_or_above(severities, fail_on):
        return ExitCode.FINDINGS
    return code


def _fail_on_callback(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return parse_severity(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


def fail_on_option() -> typer.models.OptionInfo:
    """The shared `--fail-on SEVERITY` option (off by default, as `--exit-code`/`--error`/`--fail` in peers)."""
    return typer.Option(
        None,
        "--fail-on",
        metavar="SEVERITY",
        callback=_fail_on_callback,
        help=f"Exit 1 when a finding is at or above this severity ({', '.join(SEVERITIES)}). Off by default.",
    )
