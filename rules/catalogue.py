"""The rule catalogue, generated from the rule files so that it never drifts from them.

Two Markdown views of a loaded rule set under a policy:

- `summary_block`: one row per pack (rules, how many the policy runs, entities); README.md
  carries it between the markers `<!-- rules:begin -->` and `<!-- rules:end -->`;
- `rules_document`: every rule of every pack (entity, severity, detectors, checks, whether
  the policy runs it, examples), written to docs/rules.md.

`dlp rules catalogue --write README.md --docs docs/rules.md` refreshes both;
`--check` exits 1 when either is stale (the test suite checks the same).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from detectors.model import Rule
from detectors.policy import Policy
from detectors.yamlsrc import load_yaml_file

BEGIN_MARKER = "<!-- rules:begin -->"
END_MARKER = "<!-- rules:end -->"
DOCS_LINK = "docs/rules.md"


@dataclass(frozen=True, slots=True)
class PackFile:
    """One rule file of a pack: its path (relative to the rules root) and its `description:`."""

    path: str
    description: str


def pack_files(rules: Sequence[Rule], root: Path) -> dict[str, list[PackFile]]:
    """The files each pack's rules come from, in load order, with their descriptions."""
    found: dict[str, list[PackFile]] = defaultdict(list)
    seen: set[str] = set()
    for rule in rules:
        file = rule.where.file
        if file in seen:
            continue
        seen.add(file)
        data, _ = load_yaml_file(Path(file))
        description = str(data.get("description", "")).strip() if isinstance(data, dict) else ""
        try:
            shown = Path(file).resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            shown = Path(file).name
        found[rule.pack].append(PackFile(shown, " ".join(description.split())))
    return dict(found)


def _by_pack(rules: Sequence[Rule]) -> dict[str, list[Rule]]:
    grouped: dict[str, list[Rule]] = defaultdict(list)
    for rule in rules:
        grouped[rule.pack].append(rule)
    return dict(grouped)


def _cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return " ".join(text.split()).replace("|", "\\|")


def summary_block(rules: Sequence[Rule], policy: Policy) -> str:
    """The README block: one row per pack, and a pointer to the per-rule catalogue."""
    lines = [
        f"{len(rules)} rules in {len(_by_pack(rules))} packs; the default policy runs "
        f"{sum(policy.selects(r) for r in rules)} of them (the others are noisy on ordinary text and "
        f"off until a policy enables them). Every rule, its checks and its examples: "
        f"[{DOCS_LINK}]({DOCS_LINK}).",
        "",
        "| pack | rules | on by default | entities |",
        "| --- | ---: | ---: | --- |",
    ]
    for pack, members in _by_pack(rules).items():
        entities = ", ".join(f"`{e}`" for e in sorted({r.entity for r in members}))
        active = sum(policy.selects(r) for r in members)
        lines.append(f"| {pack} | {len(members)} | {active} | {entities} |")
    return "\n".join(lines) + "\n"


def _checks(rule: Rule) -> str:
    names = [v.name for p in rule.patterns for v in p.validators] + [v.name for v in rule.validators]
    names = list(dict.fromkeys(n.split(":", 1)[0] if n.startswith(("entropy", "charclasses")) else n for n in names))
    needs_words = rule.require_context or any(p.require_context for p in rule.patterns)
    if needs_words:
        names.append("context words")
    return ", ".join(names)


def rules_document(rules: Sequence[Rule], policy: Policy, files: dict[str, list[PackFile]]) -> str:
    """docs/rules.md: every rule of every pack."""
    out = [
        "# Built-in rules",
        "",
        "<!-- Generated from the rule files by `dlp rules catalogue --docs docs/rules.md`; do not edit. -->",
        "",
        summary_block(rules, policy).rstrip("\n").replace(f" Every rule, its checks and its examples: [{DOCS_LINK}]({DOCS_LINK}).", ""),
        "",
        "Columns: *on* says whether the default policy runs the rule; *checks* are the validators a",
        "candidate must pass (check digits, entropy, word lists) and whether it needs a context word;",
        "*tests* counts the examples that must match / must not match (`dlp rules test`).",
    ]
    for pack, members in _by_pack(rules).items():
        out += ["", f"## {pack}", ""]
        for pack_file in files.get(pack, []):
            note = f": {pack_file.description}" if pack_file.description else ""
            out.append(f"- `rules/{pack_file.path}`{note}")
        out += ["", "| rule | name | entity | severity | detectors | checks | on | tests |",
                "| --- | --- | --- | --- | --- | --- | --- | --- |"]
        for rule in members:
            matches = sum(e.should_match for e in rule.examples)
            misses = len(rule.examples) - matches
            out.append(
                f"| `{rule.id}` | {_cell(rule.name or rule.id)} | `{rule.entity}` | {rule.severity} | "
                f"{', '.join(rule.detectors)} | {_cell(_checks(rule))} | {'yes' if policy.selects(rule) else 'no'} | "
                f"{matches} / {misses} |")
    return "\n".join(out) + "\n"


def replace_block(text: str, block: str) -> str:
    """`text` with everything between the catalogue markers replaced by `block`."""
    start = text.find(BEGIN_MARKER)
    end = text.find(END_MARKER)
    if start < 0 or end < 0 or end < start:
        raise ValueError(f"the markers {BEGIN_MARKER} and {END_MARKER} are missing or out of order")
    head = text[: start + len(BEGIN_MARKER)]
    return f"{head}\n{block.rstrip()}\n{text[end:]}"
