"""Reviewed suppression files: `fingerprint: reason` lines kept in git beside the rules.

    # rules/suppressions.yaml: values that are not sensitive here (reviewed like code)
    3f1c...e9a0: test card used by the checkout team's fixtures
    a77b...0c12: public sandbox key from the vendor's docs

A fingerprint is the keyed HMAC of a value, so the file names values without containing them.
Fingerprints depend on the installation's key (`<db>.key` or $DLP_FINGERPRINT_KEY): installations
that share a file share the key. `dlp triage fingerprint` prints the fingerprint of a value read
from stdin; `dlp triage suppressions` prints the false positives marked in the database in this format.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import yaml

from dlp.errors import DlpError, Terminal
from dlp.triage.decisions import FINGERPRINT

Entry = tuple[str, str, str]  # (fingerprint, reason, "file:line")


class SuppressionFileError(DlpError, Terminal):
    """A suppression file that cannot be used, with its file and line."""


def load_file(path: str | Path) -> list[Entry]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SuppressionFileError(f"{path}: cannot read the suppression file: {exc.strerror}") from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        raise SuppressionFileError(f"{path}{where}: not valid YAML: {getattr(exc, 'problem', exc)}") from None
    if root is None:
        return []
    if not isinstance(root, yaml.MappingNode):
        raise SuppressionFileError(f"{path}:{root.start_mark.line + 1}: expected lines of `fingerprint: reason`")
    entries: list[Entry] = []
    seen: dict[str, int] = {}
    for key, value in root.value:
        line = key.start_mark.line + 1
        fingerprint = str(key.value).strip().lower() if isinstance(key, yaml.ScalarNode) else ""
        if not FINGERPRINT.match(fingerprint):
            raise SuppressionFileError(
                f"{path}:{line}: not a fingerprint (64 hex digits; `dlp triage fingerprint` prints one: "
                "never put the value itself here)"
            )
        if fingerprint in seen:
            raise SuppressionFileError(f"{path}:{line}: fingerprint listed twice (first on line {seen[fingerprint]})")
        seen[fingerprint] = line
        reason = str(value.value).strip() if isinstance(value, yaml.ScalarNode) else ""
        if not reason or value.tag.endswith(":null"):
            raise SuppressionFileError(f"{path}:{line}: give a reason after the fingerprint (who reviewed it and why)")
        entries.append((fingerprint, reason, f"{path}:{line}"))
    return entries


def load_files(paths: Iterable[str | Path]) -> list[Entry]:
    """Every file's entries; a fingerprint in two files keeps the first file's reason."""
    merged: dict[str, Entry] = {}
    for path in paths:
        for entry in load_file(path):
            merged.setdefault(entry[0], entry)
    return list(merged.values())


def render(entries: Iterable[tuple[str, str]]) -> str:
    """(fingerprint, reason) pairs as a suppression file (reasons quoted as JSON strings, which YAML reads)."""
    lines = ["# fingerprint: reason. Keyed fingerprints, never values; review changes like code."]
    lines += [f"{fp}: {json.dumps(reason or 'false positive', ensure_ascii=False)}" for fp, reason in entries]
    return "\n".join(lines) + "\n"
