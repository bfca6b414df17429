"""Triage by fingerprint: analysts' decisions and the reviewed suppression files.

targets = parse_targets(con, ["<finding id>", "<fingerprint>"])
mark(con, targets, TriageState.FALSE_POSITIVE, note="test card", actor="alice", now=now)
entries = load_files(["rules/suppressions.yaml"])      # [(fingerprint, reason, "file:line")]
store.load_suppression_list(entries)                    # later commits record these as suppressed

`findings_current` (a view in the store) shows each finding with its latest state.
"""

from dlp.triage.decisions import (
    Target,
    TriageError,
    TriageState,
    covered,
    false_positive_fingerprints,
    history,
    mark,
    parse_targets,
    summary,
)
from dlp.triage.suppressions import Entry, SuppressionFileError, load_file, load_files, render

__all__ = [
    "Entry",
    "SuppressionFileError",
    "Target",
    "TriageError",
    "TriageState",
    "covered",
    "false_positive_fingerprints",
    "history",
    "load_file",
    "load_files",
    "mark",
    "parse_targets",
    "render",
    "summary",
]
