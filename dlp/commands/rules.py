"""`dlp rules ...` sub-commands: lint, test, list, explain.

Problems print as `file:line: message` (warnings as `file:line: warning: ...`)
so editors and CI annotate them. Exit codes follow `dlp.exitcodes`: `lint` and
`test` exit 1 on any error or failure (what they look for), every command
exits 2 when its input cannot be used (rules that do not load, an unknown rule
id, a broken policy). `--format json` gives one JSON object for scripts.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

from detectors.ner import DEFAULT_NER_MODEL
from dlp.commands.options import Format, format_option, print_json

app = typer.Typer(help="Lint, test, list and explain detection rules.", no_args_is_help=True, rich_markup_mode=None)

PathsArgument = typer.Argument(None, help="Rule files or folders (default: the built-in packs).")
PolicyOption = typer.Option(None, "--policy", "-p", help="Policy YAML (default: the built-in default policy).")


def _paths(paths: Optional[list[Path]]) -> list[str]:
    from rules import RULES_DIR

    return [str(p) for p in paths] if paths else [str(RULES_DIR)]


def _policy(policy: Optional[Path]):  # -> Policy
    from detectors.errors import RuleError
    from detectors.loader import DEFAULT_POLICY_PATH, load_policy

    try:
        return load_policy(policy or DEFAULT_POLICY_PATH)
    except RuleError as exc:
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        raise typer.Exit(2)


@app.command()
def lint(
    paths: Optional[list[Path]] = PathsArgument,
    policy: Optional[Path] = PolicyOption,
    warnings_as_errors: bool = typer.Option(False, "--warnings-as-errors", help="Exit 1 on warnings too."),
    fmt: Format = format_option(),
) -> None:
    """Check rule files: schema, regex compilation, engine compatibility, duplicate ids, policies."""
    from detectors.lint import lint_paths

    report = lint_paths(_paths(paths), str(policy) if policy else None)
    errors = sum(p.is_error for p in report.problems)
    warnings = len(report.problems) - errors
    if fmt is Format.json:
        print_json({
            "rules": report.rule_count, "files": report.file_count, "errors": errors, "warnings": warnings,
            "problems": [{"file": p.file, "line": p.line, "severity": p.severity, "message": p.message}
                         for p in report.problems],
        })  # fmt: skip
    else:
        for problem in report.problems:
            typer.echo(str(problem))
        typer.echo(f"{report.rule_count} rule(s) in {report.file_count} file(s): {errors} error(s), {warnings} warning(s)")
    if errors or (warnings_as_errors and warnings):
        raise typer.Exit(1)


@app.command()
def test(
    paths: Optional[list[Path]] = PathsArgument,
    rule: Optional[list[str]] = typer.Option(None, "--rule", "-r", help="Only these rule ids."),
    policy: Optional[Path] = PolicyOption,
    min_likelihood: Optional[str] = typer.Option(None, help="Minimum likelihood (default: the policy's)."),
    ner_model: str = typer.Option(DEFAULT_NER_MODEL, help="spaCy model for NER rules."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Print passing examples too."),
    fmt: Format = format_option(),
) -> None:
    """Run every rule's `tests:` examples; exit 1 on any failure.

    Failures print as file:line. With --format json: {"passed", "failed", "untested", "results": [...]},
    each result with rule_id, file, line, should_match, passed and message (all examples with --verbose,
    else the failures).
    """
    from detectors.engine import _with_floor
    from detectors.likelihood import Likelihood
    from detectors.loader import load_rules
    from detectors.ruletests import run_rule_tests

    ruleset = load_rules(_paths(paths))
    if ruleset.errors:
        for problem in ruleset.errors:
            typer.echo(str(problem), err=True)
        typer.echo("error: the rules do not load; fix the errors above (see `dlp rules lint`)", err=True)
        raise typer.Exit(2)
    chosen = ruleset.rules
    if rule:
        unknown = sorted(set(rule) - {r.id for r in ruleset.rules})
        if unknown:
            typer.echo(f"error: unknown rule id(s): {', '.join(unknown)}", err=True)
            raise typer.Exit(2)
        chosen = [r for r in ruleset.rules if r.id in set(rule)]
    active_policy = _policy(policy)
    if min_likelihood:
        try:
            active_policy = _with_floor(active_policy, Likelihood.parse(min_likelihood))
        except ValueError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2)
    results = run_rule_tests(chosen, ruleset.rules, active_policy, ner_model)
    failed = [r for r in results if not r.passed]
    untested = [r.id for r in chosen if not r.examples]
    if fmt is Format.json:
        print_json({
            "passed": len(results) - len(failed), "failed": len(failed), "untested": untested,
            "results": [{"rule_id": r.rule.id, "file": r.example.where.file, "line": r.example.where.line,
                         "should_match": r.example.should_match, "passed": r.passed, "message": r.message}
                        for r in results if verbose or not r.passed],
        })  # fmt: skip
        raise typer.Exit(1 if failed else 0)
    for result in results:
        if not result.passed or verbose:
            typer.echo(("FAIL " if not result.passed else "ok   ") + str(result))
    if untested:
        typer.echo(f"rules without tests: {', '.join(untested)}")
    typer.echo(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    if failed:
        raise typer.Exit(1)


@app.command("list")
def list_rules(
    paths: Optional[list[Path]] = PathsArgument,
    policy: Optional[Path] = PolicyOption,
    fmt: Format = format_option(),
    as_json: bool = typer.Option(False, "--json", hidden=True, help="The same as --format json."),
) -> None:
    """List rules with entity, severity, pack, detectors and whether the policy runs them."""
    from detectors.loader import load_rules

    ruleset = load_rules(_paths(paths))
    for problem in ruleset.errors:
        typer.echo(str(problem), err=True)
    active_policy = _policy(policy)
    rows = []
    for rule in ruleset.rules:
        rows.append({
            "id": rule.id, "entity": rule.entity, "severity": rule.severity, "pack": rule.pack,
            "detectors": ",".join(rule.detectors), "active": active_policy.selects(rule),
            "tests": len(rule.examples), "file": f"{rule.where}",
        })
    if as_json or fmt is Format.json:
        for row in rows:
            typer.echo(json.dumps(row))
    else:
        headers = ["id", "entity", "severity", "pack", "detectors", "active", "tests"]
        table = [[str(row[h]) if h != "active" else ("yes" if row[h] else "no") for h in headers] for row in rows]
        widths = [max(len(h), *(len(r[i]) for r in table)) if table else len(h) for i, h in enumerate(headers)]
        typer.echo("  ".join(h.upper().ljust(w) for h, w in zip(headers, widths)).rstrip())
        for line in table:
            typer.echo("  ".join(cell.ljust(w) for cell, w in zip(line, widths)).rstrip())
    if ruleset.errors:
        raise typer.Exit(2)


@app.command()
def explain(
    rule_id: str = typer.Argument(..., help="The rule to explain."),
    text: str = typer.Argument(..., help="The text to analyse, or - to read stdin."),
    rules: Optional[list[Path]] = typer.Option(None, "--rules", "-r", help="Rule files or folders."),
    policy: Optional[Path] = PolicyOption,
    ner_model: str = typer.Option(DEFAULT_NER_MODEL, help="spaCy model for NER rules."),
) -> None:
    """Show the decision trace for each candidate of RULE_ID in TEXT."""
    from detectors.engine import Engine, EngineSpec
    from detectors.errors import RuleError

    if text == "-":
        text = sys.stdin.read()
    spec = EngineSpec(rule_paths=tuple(str(p) for p in rules or ()), policy_path=str(policy) if policy else None,
                      ner_model=ner_model)
    try:
        engine = Engine.from_spec(spec)
        traces = engine.explain(rule_id, text)
    except RuleError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2)
    except KeyError as exc:
        typer.echo(f"error: {exc.args[0]}", err=True)
        raise typer.Exit(2)
    if not traces:
        typer.echo(f"{rule_id}: no candidate in the text (no pattern, term or entity of this rule occurs)")
        return
    for trace in traces:
        typer.echo(trace.render())


@app.command()
def catalogue(
    paths: Optional[list[Path]] = PathsArgument,
    policy: Optional[Path] = PolicyOption,
    write: Optional[Path] = typer.Option(
        None, "--write", help="Refresh the block between <!-- rules:begin --> and <!-- rules:end --> in this file."),
    docs: Optional[Path] = typer.Option(None, "--docs", help="Write the per-rule catalogue to this file."),
    check: bool = typer.Option(False, "--check", help="Change nothing; exit 1 if a --write/--docs file is stale."),
) -> None:
    """Print the per-pack rule summary as Markdown, or refresh README.md and docs/rules.md from the rule files."""
    from rules import RULES_DIR
    from rules.catalogue import pack_files, replace_block, rules_document, summary_block
    from detectors.loader import load_rules

    ruleset = load_rules(_paths(paths))
    if ruleset.errors:
        for problem in ruleset.errors:
            typer.echo(str(problem), err=True)
        raise typer.Exit(2)
    active_policy = _policy(policy)
    block = summary_block(ruleset.rules, active_policy)
    if write is None and docs is None:
        typer.echo(block, nl=False)
        return
    wanted: list[tuple[Path, str]] = []
    if write is not None:
        try:
            wanted.append((write, replace_block(write.read_text(encoding="utf-8"), block)))
        except (OSError, ValueError) as exc:
            typer.echo(f"error: {write}: {exc}", err=True)
            raise typer.Exit(2)
    if docs is not None:
        root = Path(paths[0]) if paths and Path(paths[0]).is_dir() else RULES_DIR
        wanted.append((docs, rules_document(ruleset.rules, active_policy, pack_files(ruleset.rules, root))))
    stale = [path for path, text in wanted if not path.exists() or path.read_text(encoding="utf-8") != text]
    if check:
        for path in stale:
            typer.echo(f"{path}: out of date; run `dlp rules catalogue --write README.md --docs docs/rules.md`")
        raise typer.Exit(1 if stale else 0)
    for path, text in wanted:
        if path in stale:
            path.write_text(text, encoding="utf-8")
            typer.echo(f"wrote {path}")
