"""The exit codes and the --fail-on gate that every findings command shares."""

from __future__ import annotations

import pytest

from dlp.exitcodes import ExitCode, at_or_above, findings_exit, for_scan_status, for_signal, parse_severity
from dlp.pipeline import ScanStatus


def test_every_scan_status_has_its_exit_code():
    assert {status: for_scan_status(status) for status in ScanStatus if status is not ScanStatus.RUNNING} == {
        ScanStatus.COMPLETED: ExitCode.OK, ScanStatus.INCOMPLETE: ExitCode.INCOMPLETE,
        ScanStatus.FAILED: ExitCode.FAILED, ScanStatus.INTERRUPTED: ExitCode.SIGINT,
    }  # fmt: skip
    assert (for_signal(2), for_signal(15)) == (130, 143)


def test_severities_parse_in_any_case_and_rank():
    assert parse_severity(" High ") == "high"
    with pytest.raises(ValueError, match="'severe' is not a severity; choose one of low, medium, high, critical"):
        parse_severity("severe")
    assert at_or_above("critical", "high") and at_or_above("high", "high") and not at_or_above("medium", "high")


def test_findings_fail_only_a_clean_run_and_only_with_fail_on():
    found = {"low": 3, "high": 1}
    assert findings_exit(ExitCode.OK, found, None) is ExitCode.OK
    assert findings_exit(ExitCode.OK, found, "high") is ExitCode.FINDINGS
    assert findings_exit(ExitCode.OK, found, "critical") is ExitCode.OK
    assert findings_exit(ExitCode.INCOMPLETE, found, "low") is ExitCode.INCOMPLETE  # the worse news wins
