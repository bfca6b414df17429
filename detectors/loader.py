"""Find rule files, parse them, check them across files, and apply a policy.

A rule file is `pack:`/`rules:` YAML, or a Presidio `recognizers:` file; a
policy file has a top-level `policy:` key. Packs are `rules/<pack>.yaml` or
`rules/<pack>/*.yaml` (or the file's own `pack:` key).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from detectors.errors import Problem, RuleError, errors_only
from detectors.model import Rule
from detectors.parser import Problems, RuleParser
from detectors.policy import Policy, is_policy_document, parse_policy
from detectors.presidio import is_presidio_document, parse_presidio
from detectors.validators import BUILTIN, ValidatorRegistry
from detectors.yamlsrc import LineDict, load_yaml_file
from rules import RULES_DIR

RULE_FILE_KEYS = ("pack", "description", "rules")
YAML_SUFFIXES = (".yaml", ".yml")
POLICY_SUFFIX = "-policy.yaml"  # built-in policies are rules/<name>-policy.yaml
DEFAULT_POLICY = "default"
DEFAULT_POLICY_PATH = RULES_DIR / f"{DEFAULT_POLICY}{POLICY_SUFFIX}"


@dataclass
class RuleSet:
    """Everything loaded from a set of paths: rules of every pack, policies found, problems."""

    rules: list[Rule] = field(default_factory=list)
    policies: list[Policy] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    # other files the rules were built from (word lists), for a cache to know when it is stale
    inputs: list[str] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return errors_only(self.problems)

    def by_id(self) -> dict[str, Rule]:
        return {rule.id: rule for rule in self.rules}


def discover(paths: Iterable[str | Path]) -> tuple[list[tuple[Path, Path]], list[Problem]]:
    """(file, root) pairs for every YAML file under `paths`, in a stable order."""
    found: list[tuple[Path, Path]] = []
    problems: list[Problem] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for file in sorted(p for p in path.rglob("*") if p.suffix in YAML_SUFFIXES and p.is_file()):
                found.append((file, path))
        elif path.is_file():
            found.append((path, path.parent))
        else:
            problems.append(Problem(str(path), 0, "no such rule file or directory"))
    return found, problems


def pack_name(file: Path, root: Path, declared: object) -> str:
    if isinstance(declared, str) and declared:
        return declared
    try:
        relative = file.relative_to(root)
    except ValueError:
        return file.stem
    return relative.parts[0] if len(relative.parts) > 1 else file.stem


def load_rules(paths: Sequence[str | Path], registry: ValidatorRegistry = BUILTIN) -> RuleSet:
    """Parse every rule and policy file under `paths`, collecting all problems (never raises)."""
    ruleset = RuleSet()
    files, problems = discover(paths)
    ruleset.problems.extend(problems)
    seen_files: set[Path] = set()
    for file, root in files:
        if file.resolve() in seen_files:
            continue
        seen_files.add(file.resolve())
        ruleset.files.append(str(file))
        data, yaml_problems = load_yaml_file(file)
        ruleset.problems.extend(yaml_problems)
        if data is None:
            if not yaml_problems:
                ruleset.problems.append(Problem(str(file), 1, "empty file", "warning"))
            continue
        if is_policy_document(data):
            policy, policy_problems = parse_policy(data, str(file))
            ruleset.problems.extend(policy_problems)
            if policy is not None:
                ruleset.policies.append(policy)
            continue
        pack = pack_name(file, root, data.get("pack") if isinstance(data, dict) else None)
        parser = RuleParser(str(file), pack, registry)
        if is_presidio_document(data):
            ruleset.rules.extend(parse_presidio(data, parser))
        elif isinstance(data, LineDict) and "rules" in data:
            parser.problems.check_keys(data, RULE_FILE_KEYS, "a rule file")
            ruleset.rules.extend(parser.parse_rules(data["rules"], data.line_of("rules")))
        else:
            parser.problems.error(1, "not a rule file: expected a top-level `rules:` list "
                                     "(or `recognizers:` for Presidio, or `policy:` for a policy)")
        ruleset.problems.extend(parser.problems.items)
        ruleset.inputs.extend(str(path) for path in parser.inputs)
    ruleset.problems.extend(cross_check(ruleset.rules))
    return ruleset


def cross_check(rules: Sequence[Rule]) -> list[Problem]:
    """Problems only visible across files: duplicate ids, compound rules naming unknown rules."""
    problems: list[Problem] = []
    first: dict[str, Rule] = {}
    for rule in rules:
        if rule.id in first:
            other = first[rule.id]
            problems.append(Problem(rule.where.file, rule.where.line,
                                    f"duplicate rule id {rule.id!r} (first defined at {other.where})"))
        else:
            first[rule.id] = rule
    for rule in rules:
        if rule.compound is None:
            continue
        for component in rule.compound.components:
            if component not in first:
                problems.append(Problem(rule.compound.where.file, rule.compound.where.line,
                                        f"compound rule {rule.id!r} refers to unknown rule {component!r}"))
            elif first[component].compound is not None:
                problems.append(Problem(rule.compound.where.file, rule.compound.where.line,
                                        f"compound rule {rule.id!r} refers to compound rule {component!r} "
                                        "(compound rules combine plain rules only)"))
    return problems


def builtin_policies() -> dict[str, Path]:
    """The policies shipped in rules/, by name (`default`, `full`, ...)."""
    return {file.name[: -len(POLICY_SUFFIX)]: file for file in sorted(RULES_DIR.glob(f"*{POLICY_SUFFIX}"))}


def policy_file(name_or_path: str | Path) -> Path:
    """A built-in policy's file by name, or the policy file at a path; RuleError when it is neither."""
    builtin = builtin_policies()
    if isinstance(name_or_path, str) and name_or_path in builtin:
        return builtin[name_or_path]
    path = Path(name_or_path)
    if path.is_file():
        return path
    raise RuleError([Problem(str(name_or_path), 0, f"no built-in policy of that name ({', '.join(builtin)}) "
                                                   "and no such policy file")])


def load_policy(path: str | Path) -> Policy:
    """Load a policy by built-in name or file; raise RuleError naming file and line on any error."""
    path = policy_file(path)
    data, problems = load_yaml_file(path)
    if data is None and not problems:
        problems = [Problem(str(path), 1, "empty policy file")]
    policy = None
    if data is not None:
        if not is_policy_document(data):
            problems.append(Problem(str(path), 1, "not a policy file: expected a top-level `policy:` name"))
        else:
            policy, more = parse_policy(data, str(path))
            problems.extend(more)
    if errors_only(problems) or policy is None:
        raise RuleError(problems)
    return policy


def split_policy_files(rule_paths: Sequence[str]) -> tuple[list[str], list[str]]:
    """(rule paths, policy files) of paths given where rules are expected: a file whose top-level key is
    `policy:` is a policy, not an (empty) rule file. Directories stay rule paths (rules/ holds policies too)."""
    rules: list[str] = []
    policies: list[str] = []
    for raw in rule_paths:
        path = Path(raw)
        if path.is_file() and path.suffix in YAML_SUFFIXES:
            data, _ = load_yaml_file(path)
            if is_policy_document(data):
                policies.append(str(path))
                continue
        rules.append(str(raw))
    return rules, policies


def resolve_policy(rule_paths: Sequence[str], policy: str | None) -> tuple[list[str], Policy]:
    """The rule paths to load and the policy to apply, as a scan or `dlp inspect` is given them.

    - a policy (name or file) applies as it is; with no rule paths, the built-in packs;
    - a policy file among the rule paths is used as the policy (two policies are an error);
    - custom rule files without a policy: every pack in them runs, at the default policy's floor;
    - nothing: the default policy over the built-in packs.
    The policy's own `paths:` are added. Raises RuleError naming the file on any error.
    """
    paths, policy_files = split_policy_files(rule_paths)
    if policy_files:
        if policy is not None or len(policy_files) > 1:
            given = ", ".join([*([str(policy)] if policy is not None else []), *policy_files])
            raise RuleError([Problem(policy_files[-1], 1, f"more than one policy given ({given}): "
                                                          "pass one policy, and rule files or folders as rules")])
        policy = policy_files[0]
    if policy is not None:
        chosen = load_policy(policy)
    else:
        chosen = load_policy(DEFAULT_POLICY_PATH)
        if paths:  # custom rule files: every pack in them runs, with the default floor
            chosen = Policy(name="all", packs=None, min_likelihood=chosen.min_likelihood,
                            decoding=chosen.decoding, file=chosen.file)
    if not paths:
        paths = [str(RULES_DIR)]
    paths.extend(p for p in chosen.paths if p not in paths)
    return paths, chosen


def select_rules(rules: Sequence[Rule], policy: Policy) -> tuple[list[Rule], list[Problem]]:
    """The rules a policy turns on; unknown ids or packs in the policy are problems."""
    problems = Problems(policy.file or "<policy>")
    known_ids = {rule.id for rule in rules}
    known_packs = {rule.pack for rule in rules}
    for rule_id in sorted((policy.enable | policy.disable) - known_ids):
        key = "enable" if rule_id in policy.enable else "disable"
        problems.error(policy.line_of(key), f"policy {policy.name!r} names unknown rule {rule_id!r}")
    for pack in policy.packs or ():
        if pack not in known_packs:
            problems.error(policy.line_of("packs"), f"policy {policy.name!r} names unknown pack {pack!r} (known: {', '.join(sorted(known_packs))})")
    return [rule for rule in rules if policy.selects(rule)], problems.items
