"""SARIF 2.1.0, what code-review and CI tools read (GitHub code scanning, GitLab, Azure DevOps).

`dlp inspect --format sarif FILE` is the main use: each finding is a result on the file, with a
line and column for text files (code points, `columnKind: unicodeCodePoints`) or the document
location (`page 3`, `Sheet1!B7`) for others, a masked snippet, and a partial fingerprint that is
stable across runs but is not a hash of the value. `dlp export --format sarif` writes the same for
stored findings, with the item's link (or id) as the artifact.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from dlp import __version__
from dlp.cells import analyze_cell
from dlp.errors import DlpError, Terminal
from dlp.evidence import TAIL_ENTITIES, masked_snippet
from dlp.export.records import Record
from dlp.inspect import finding_id
from dlp.records import Match

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
LEVELS = {"critical": "error", "high": "error", "medium": "warning", "low": "note"}
# GitHub code scanning ranks security results by this rule property (0.0 - 10.0)
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}


def records_for_text(uri: str, text: str, location: str, matches: Sequence[Match]) -> list[Record]:
    """`dlp inspect` matches in one text part as records for `write` (masked; no value kept)."""
    spans = [(m.start, m.end) for m in matches]
    records = []
    for m in matches:
        record: Record = {
            "finding_id": finding_id(uri, location, m.start, m.end, m.rule_id, m.decoded, m.tags),
            "rule_id": m.rule_id, "entity": m.entity, "severity": m.severity, "score": m.score,
            "location": location, "start_offset": m.start, "end_offset": m.end, "artifact": uri,
            "snippet": masked_snippet(text, m.start, m.end, spans, keep_tail=m.entity in TAIL_ENTITIES),
        }  # fmt: skip
        if not location:  # a plain text file: its text is the file, so offsets map to lines
            record.update(_line_column(text, m.start, "start"))
            record.update(_line_column(text, m.end, "end"))
        records.append(record)
    return records


def _line_column(text: str, offset: int, prefix: str) -> dict[str, int]:
    line_start = text.rfind("\n", 0, offset) + 1
    return {f"{prefix}_line": text.count("\n", 0, offset) + 1, f"{prefix}_column": offset - line_start + 1}


def _result(r: Record) -> dict[str, Any]:
    artifact = r.get("artifact") or r.get("link") or r.get("item_id") or "unknown"
    physical: dict[str, Any] = {"artifactLocation": {"uri": artifact}}
    region: dict[str, Any] = {}
    if "start_line" in r:
        region = {
            "startLine": r["start_line"], "startColumn": r["start_column"],
            "endLine": r["end_line"], "endColumn": r["end_column"],
        }  # fmt: skip
    elif r.get("start_offset") is not None:  # characters into the text at `location` (the message, page 3, ...)
        region = {"charOffset": r["start_offset"], "charLength": r["end_offset"] - r["start_offset"]}
    if r.get("snippet"):
        region["snippet"] = {"text": r["snippet"]}
    if region:
        physical["region"] = region
    where = f" ({r['location']})" if r.get("location") else ""
    location: dict[str, Any] = {"physicalLocation": physical}
    if r.get("location"):
        location["logicalLocations"] = [{"name": r["location"], "kind": "location"}]
    fingerprints = {"dlpFindingId/v1": r["finding_id"]}
    if r.get("fingerprint"):  # keyed HMAC of the value: links repeats without revealing it
        fingerprints["dlpValueFingerprint/v1"] = r["fingerprint"]
    properties = {"entity": r["entity"], "severity": r["severity"], "score": round(float(r["score"]), 4)}
    if r.get("triage_state"):
        properties["triage_state"] = r["triage_state"]
    result: dict[str, Any] = {
        "ruleId": r["rule_id"],
        "level": LEVELS.get(r["severity"], "warning"),
        "message": {"text": f"{r['entity']} found by rule {r['rule_id']}{where}: {r.get('snippet', '')}"},
        "locations": [location],
        "partialFingerprints": fingerprints,
        "properties": properties,
    }
    if r.get("triage_state") in ("false_positive", "accepted_risk"):
        result["suppressions"] = [
            {"kind": "external", "status": "accepted", "justification": r.get("triage_note") or r["triage_state"]}
        ]
    return result


def document(findings: Iterable[Record]) -> dict[str, Any]:
    results = []
    rules: dict[str, dict[str, Any]] = {}
    for r in findings:
        results.append(_result(r))
        rules.setdefault(
            r["rule_id"],
            {
                "id": r["rule_id"],
                "shortDescription": {"text": f"{r['entity']} ({r['rule_id']})"},
                "defaultConfiguration": {"level": LEVELS.get(r["severity"], "warning")},
                "properties": {
                    "tags": ["security", "dlp", r["entity"]],
                    "security-severity": SECURITY_SEVERITY.get(r["severity"], "5.5"),
                },
            },
        )
    driver = {
        "name": "dlp-chatgpt",
        "version": __version__,
        "rules": [rules[k] for k in sorted(rules)],
    }
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{"tool": {"driver": driver}, "columnKind": "unicodeCodePoints", "results": results}],
    }


def write(findings: Iterable[Record], out: BinaryIO) -> int:
    log = document(findings)
    out.write(json.dumps(log, indent=2, ensure_ascii=False).encode("utf-8") + b"\n")
    return len(log["runs"][0]["results"])


class InspectInputError(DlpError, Terminal):
    """`dlp inspect` input that cannot be read: a missing file, an unreadable document, a bad JSONL line."""


def inspect_sarif(
    analyze: Callable[[str], Sequence[Match]], path: str | None, jsonl: str | Path | None, out: BinaryIO
) -> int:
    """`dlp inspect --format sarif`: a file, stdin (`-`) or JSONL records (`{"id", "text"}`, the id as artifact)."""
    records: list[Record] = []
    if jsonl is not None:
        handle = sys.stdin if str(jsonl) == "-" else open(jsonl, encoding="utf-8")
        with handle:
            for number, line in enumerate(handle, 1):
                if not line.strip():
                    continue
                try:
                    item = json.loads(line)
                    text = str(item["text"])
                except (json.JSONDecodeError, KeyError, TypeError) as exc:
                    raise InspectInputError(f'{jsonl}:{number}: expected a JSON object with "id" and "text" ({exc})') from None
                records += records_for_text(str(item.get("id", number)), text, "", analyze(text))
    elif path is None:
        raise InspectInputError("give a file, - for stdin, or --jsonl FILE")
    elif path == "-":
        records += _stdin_records(sys.stdin.buffer.read(), analyze)
    else:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise InspectInputError(f"cannot read {path}: {exc.strerror}") from None
        source = Path(path)
        uri = source.as_uri() if source.is_absolute() else source.as_posix()  # relative: to the repository root
        records += _document_records(uri, data, source.name, analyze)
    return write(records, out)


def _stdin_records(data: bytes, analyze: Callable[[str], Sequence[Match]]) -> list[Record]:
    """Plain UTF-8 text on stdin is inspected as it is, as `dlp inspect -` does; a document piped in is extracted."""
    from dlp.extract import sniff_type

    if sniff_type(data, None) not in ("txt", "unknown"):
        return _document_records("stdin", data, "stdin", analyze)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InspectInputError(
            f"stdin: not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}) and not a document type dlp reads"
        ) from None
    return records_for_text("stdin", text, "", analyze(text))


def _document_records(uri: str, data: bytes, filename: str, analyze: Callable[[str], Sequence[Match]]) -> list[Record]:
    from dlp.inspect import extract_untrusted_file

    result = extract_untrusted_file(data, filename)  # the scan's child process and limits
    if result.outcome.value != "scanned":
        raise InspectInputError(f"{uri}: {result.outcome.value}: {result.reason}")
    records: list[Record] = []
    for part in result.parts:
        records += records_for_text(uri, part.text, part.location, analyze_cell(analyze, part.text, part.context))
    return records
