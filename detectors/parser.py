"""Parse rule YAML (already loaded with line numbers) into `Rule` objects.

Every problem is collected with its file and line rather than raised at the
first one, so `dlp rules lint` can show them all at once. The caller decides
whether errors are fatal (`detectors.loader` raises `RuleError`).
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any, Iterable

from detectors.errors import Problem
from detectors.likelihood import Likelihood
from detectors.model import (
    DEFAULT_CONTEXT_AFTER,
    DEFAULT_CONTEXT_BEFORE,
    DEFAULT_CONTEXT_BOOST,
    DEFAULT_SCORE,
    SEVERITIES,
    AppliesTo,
    CompoundSpec,
    ContextSpec,
    DictionarySpec,
    ExclusionSpec,
    GateSpec,
    NerSpec,
    PatternSpec,
    Rule,
    RuleExample,
    ValidatorSpec,
    Where,
)
from detectors.regexinfo import PATTERN_FLAGS, facts_of, portability_problem, python_flags
from detectors.structure import STRUCTURES
from detectors.validators import BUILTIN, ValidatorRegistry
from detectors.yamlsrc import LineDict, LineList, line_of
from dlp.records import ItemKind

RULE_KEYS = (
    "id", "name", "description", "entity", "severity", "score", "tags", "references", "enabled",
    "applies_to", "min_likelihood", "patterns", "dictionary", "ner", "validators", "context",
    "require_context", "exclusions", "compound", "decoded", "generic", "repeats", "exclusive", "tests",
)
PATTERN_KEYS = (
    "name", "regex", "group", "score", "flags", "keywords", "keyword_window", "require_context", "shrink", "validators",
    "overlapping",
)
DICTIONARY_KEYS = ("terms", "file", "files", "case_sensitive", "whole_word", "score")
NER_KEYS = ("labels", "score", "gate", "gate_window", "gate_line", "gate_through", "validators", "recase")
GATE_KEYS = ("regex", "validators")
CONTEXT_KEYS = ("words", "file", "files", "regex", "structure", "boost", "before", "after", "window", "whole_word",
                "case_sensitive")
EXCLUSION_KEYS = ("values", "regex", "file", "files", "match", "case_sensitive", "compact")
COMPOUND_KEYS = ("anchor", "near", "window")
APPLIES_KEYS = ("kinds", "roles", "file_types")
TEST_KEYS = ("match", "no_match")
EXAMPLE_KEYS = ("text", "value")
KNOWN_KINDS = frozenset(k.value for k in ItemKind)
KNOWN_ROLES = frozenset({"user", "assistant", "tool", "system", "developer"})
RULE_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_.:-]*$")
_NEVER = re.compile(r"(?!)")  # the pattern of a context entry that looks at structure, not words


class Problems:
    """Collects problems for one file."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.items: list[Problem] = []

    def error(self, line: int, message: str) -> None:
        self.items.append(Problem(self.file, line, message))

    def warn(self, line: int, message: str) -> None:
        self.items.append(Problem(self.file, line, message, "warning"))

    def check_keys(self, mapping: LineDict, allowed: Iterable[str], what: str) -> None:
        allowed = tuple(allowed)
        for key in mapping:
            if key not in allowed:
                hint = difflib.get_close_matches(str(key), allowed, n=1)
                suggestion = f" (did you mean {hint[0]!r}?)" if hint else ""
                self.error(mapping.line_of(key), f"unknown key {key!r} in {what}{suggestion}")


class RuleParser:
    """Turns the `rules:` entries of one file into Rules, reporting problems with lines."""

    def __init__(self, file: str, pack: str, registry: ValidatorRegistry = BUILTIN) -> None:
        self.file = file
        self.base_dir = Path(file).parent
        self.pack = pack
        self.registry = registry
        self.problems = Problems(file)
        # files other than the rule file that the rules were built from (word lists): a cached rule set
        # is stale when one of them changes
        self.inputs: list[Path] = []

    # -- small typed readers -------------------------------------------------
    def _where(self, line: int) -> Where:
        return Where(self.file, line)

    def _str(self, m: LineDict, key: str, default: str | None = None, required: bool = False) -> str | None:
        if key not in m or m[key] is None:
            if required:
                self.problems.error(m.line, f"missing required key {key!r}")
            return default
        value = m[key]
        if isinstance(value, (dict, list)):
            self.problems.error(m.line_of(key), f"{key!r} must be a string")
            return default
        if isinstance(value, bool):  # YAML 1.1 reads ON, OFF, yes, no as booleans
            self.problems.error(m.line_of(key), f"{key!r} was read as {str(value).lower()}; quote the value")
            return default
        return str(value)

    def _repeats(self, m: LineDict) -> str:
        """`repeats:` as the engine reads it: "" (off), "values" (`true`) or "names"."""
        value = m.get("repeats", False)
        if value == "names":
            return "names"
        if not isinstance(value, bool):
            self.problems.error(m.line_of("repeats"), "'repeats' must be true, false or names")
            return ""
        return "values" if value else ""

    def _bool(self, m: LineDict, key: str, default: bool) -> bool:
        if key not in m:
            return default
        value = m[key]
        if not isinstance(value, bool):
            self.problems.error(m.line_of(key), f"{key!r} must be true or false")
            return default
        return value

    def _number(self, m: LineDict, key: str, default: float | None, low: float, high: float) -> float | None:
        if key not in m or m[key] is None:
            return default
        value = m[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.problems.error(m.line_of(key), f"{key!r} must be a number")
            return default
        if not low <= value <= high:
            self.problems.error(m.line_of(key), f"{key!r} must be between {low:g} and {high:g}, got {value}")
            return default
        return float(value)

    def _int(self, m: LineDict, key: str, default: int | None, low: int, high: int) -> int | None:
        if key not in m or m[key] is None:
            return default
        value = m[key]
        if isinstance(value, bool) or not isinstance(value, int):
            self.problems.error(m.line_of(key), f"{key!r} must be a whole number")
            return default
        if not low <= value <= high:
            self.problems.error(m.line_of(key), f"{key!r} must be between {low} and {high}, got {value}")
            return default
        return value

    def _strings(self, m: LineDict, key: str) -> tuple[str, ...]:
        if key not in m or m[key] is None:
            return ()
        value = m[key]
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return (str(value),)
        if not isinstance(value, list) or any(isinstance(v, (dict, list)) or v is None for v in value):
            self.problems.error(m.line_of(key), f"{key!r} must be a list of strings")
            return ()
        return tuple(str(v) for v in value)

    def _mapping(self, value: Any, line: int, what: str) -> LineDict | None:
        if not isinstance(value, LineDict):
            self.problems.error(line, f"{what} must be a mapping")
            return None
        return value

    def _list(self, m: LineDict, key: str) -> LineList:
        value = m.get(key)
        if value is None:
            return LineList(m.line_of(key))
        if isinstance(value, LineList):
            return value
        wrapped = LineList(m.line_of(key))  # a single entry written without the list dash
        wrapped.append(value)
        wrapped.item_lines.append(m.line_of(key))
        return wrapped

    def read_word_file(self, name: str, line: int) -> list[str]:
        """Read a word-list file (one term per line, `#` comments) relative to the rule file."""
        path = (self.base_dir / name).resolve()
        self.inputs.append(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self.problems.error(line, f"cannot read word list {name!r}: {exc.__class__.__name__}")
            return []
        words = []
        for raw in text.splitlines():
            word = raw.strip()
            if word and not word.startswith("#"):
                words.append(word)
        return words

    # -- the rule ------------------------------------------------------------
    def parse_rules(self, entries: Any, line: int) -> list[Rule]:
        if not isinstance(entries, LineList):
            self.problems.error(line, "'rules' must be a list of rules")
            return []
        rules = []
        for index, entry in enumerate(entries):
            mapping = self._mapping(entry, entries.line_of(index), "a rule")
            if mapping is None:
                continue
            rule = self.parse_rule(mapping)
            if rule is not None:
                rules.append(rule)
        return rules

    def parse_rule(self, m: LineDict) -> Rule | None:
        problems_before = len([p for p in self.problems.items if p.is_error])
        self.problems.check_keys(m, RULE_KEYS, "a rule")
        rule_id = self._str(m, "id", required=True)
        if rule_id is not None and not RULE_ID.match(rule_id):
            self.problems.error(m.line_of("id"), f"rule id {rule_id!r} must start with a letter and use A-Z, 0-9, _ . : -")
        entity = self._str(m, "entity", required=True)
        severity = (self._str(m, "severity", "medium") or "medium").lower()
        if severity not in SEVERITIES:
            self.problems.error(m.line_of("severity"), f"severity must be one of {', '.join(SEVERITIES)}, got {severity!r}")
        score = self._number(m, "score", DEFAULT_SCORE, 0.0, 1.0)
        min_likelihood = None
        if m.get("min_likelihood") is not None:
            try:
                min_likelihood = Likelihood.parse(str(m["min_likelihood"]))
            except ValueError as exc:
                self.problems.error(m.line_of("min_likelihood"), str(exc))

        patterns = tuple(self._patterns(m))
        dictionary = self._dictionary(m["dictionary"], m.line_of("dictionary")) if "dictionary" in m else None
        ner = self._ner(m["ner"], m.line_of("ner"), entity or "") if "ner" in m else None
        compound = self._compound(m["compound"], m.line_of("compound")) if "compound" in m else None
        if not any(key in m for key in ("patterns", "dictionary", "ner", "compound")):
            self.problems.error(m.line, "a rule needs at least one matcher: patterns, dictionary, ner or compound")
        if compound and (patterns or dictionary or ner):
            self.problems.error(m.line_of("compound"), "a compound rule cannot also have patterns, dictionary or ner")

        rule = Rule(
            id=rule_id or "",
            entity=entity or "",
            name=self._str(m, "name", rule_id or "") or "",
            description=(self._str(m, "description", "") or "").strip(),
            severity=severity,
            score=score if score is not None else DEFAULT_SCORE,
            tags=self._strings(m, "tags"),
            references=self._strings(m, "references"),
            enabled=self._bool(m, "enabled", True),
            applies_to=self._applies_to(m.get("applies_to"), m.line_of("applies_to")),
            min_likelihood=min_likelihood,
            patterns=patterns,
            dictionary=dictionary,
            ner=ner,
            validators=tuple(self._validators(m)),
            context=tuple(self._contexts(m)),
            require_context=self._bool(m, "require_context", False),
            exclusions=tuple(self._exclusions(m)),
            compound=compound,
            decoded=self._bool(m, "decoded", True),
            generic=self._bool(m, "generic", False),
            repeats=self._repeats(m),
            exclusive=self._bool(m, "exclusive", False),
            examples=tuple(self._examples(m)),
            pack=self.pack,
            where=self._where(m.line),
        )
        if rule.require_context and not any(c.positive for c in rule.context):
            self.problems.error(m.line_of("require_context"), "require_context needs a context entry with a positive boost")
        if any(p.require_context for p in patterns) and not any(c.positive for c in rule.context):
            self.problems.error(m.line_of("patterns"), "a pattern requires context but the rule has no positive context entry")
        errors_now = len([p for p in self.problems.items if p.is_error])
        return rule if errors_now == problems_before else None

    def _applies_to(self, value: Any, line: int) -> AppliesTo:
        if value is None:
            return AppliesTo()
        m = self._mapping(value, line, "'applies_to'")
        if m is None:
            return AppliesTo()
        self.problems.check_keys(m, APPLIES_KEYS, "'applies_to'")
        kinds = frozenset(k.lower() for k in self._strings(m, "kinds"))
        for kind in sorted(kinds - KNOWN_KINDS):
            self.problems.error(m.line_of("kinds"), f"unknown item kind {kind!r} (one of {', '.join(sorted(KNOWN_KINDS))})")
        roles = frozenset(r.lower() for r in self._strings(m, "roles"))
        for role in sorted(roles - KNOWN_ROLES):
            self.problems.warn(m.line_of("roles"), f"unusual message role {role!r} (known: {', '.join(sorted(KNOWN_ROLES))})")
        file_types = frozenset(t.lower().lstrip(".") for t in self._strings(m, "file_types"))
        return AppliesTo(kinds, roles, file_types)

    # -- matchers -------------------------------------------------------------
    def _patterns(self, m: LineDict) -> Iterable[PatternSpec]:
        if "patterns" not in m:
            return
        entries = self._list(m, "patterns")
        for index, entry in enumerate(entries):
            line = entries.line_of(index)
            if isinstance(entry, str):
                entry_map = LineDict(line)
                entry_map["regex"] = entry
                entry_map.key_lines["regex"] = line
            else:
                entry_map = self._mapping(entry, line, "a pattern")
                if entry_map is None:
                    continue
            pattern = self.pattern(entry_map, f"pattern {index + 1}")
            if pattern is not None:
                yield pattern

    def pattern(self, m: LineDict, default_name: str) -> PatternSpec | None:
        self.problems.check_keys(m, PATTERN_KEYS, "a pattern")
        regex = self._str(m, "regex", required=True)
        if regex is None:
            return None
        line = m.line_of("regex")
        flags = frozenset(f.lower() for f in self._strings(m, "flags"))
        for flag in sorted(flags - set(PATTERN_FLAGS)):
            self.problems.error(m.line_of("flags"), f"unknown regex flag {flag!r} (one of {', '.join(PATTERN_FLAGS)})")
            return None
        compiled = self.compile_regex(regex, python_flags(flags), line)
        if compiled is None:
            return None
        facts = facts_of(regex, python_flags(flags))
        if facts.shape.min_width == 0:
            self.problems.error(line, "regex can match the empty string")
            return None
        group: int | str = "value" if "value" in compiled.groupindex else 0
        if "group" in m:
            raw_group = m["group"]
            if isinstance(raw_group, int) and not isinstance(raw_group, bool):
                if not 0 <= raw_group <= compiled.groups:
                    self.problems.error(m.line_of("group"), f"group {raw_group} does not exist (the regex has {compiled.groups})")
                    return None
                group = raw_group
            elif isinstance(raw_group, str) and raw_group in compiled.groupindex:
                group = raw_group
            else:
                self.problems.error(m.line_of("group"), f"group {raw_group!r} is not a group of the regex")
                return None
        keywords = self._strings(m, "keywords")
        if any(not k for k in keywords):
            self.problems.error(m.line_of("keywords"), "keywords must not be empty")
        window = self._int(m, "keyword_window", None, 1, 100_000)
        if window is not None and not keywords:
            self.problems.error(m.line_of("keyword_window"), "keyword_window needs keywords")
        return PatternSpec(
            name=self._str(m, "name", default_name) or default_name,
            regex=regex,
            compiled=compiled,
            group=group,
            score=self._number(m, "score", None, 0.0, 1.0),
            flags=flags,
            keywords=keywords,
            keyword_window=window,
            require_context=self._bool(m, "require_context", False),
            shrink=self._bool(m, "shrink", False),
            validators=tuple(self._validators(m)),
            overlapping=self._bool(m, "overlapping", False),
            where=self._where(line),
            facts=facts,
        )

    def compile_regex(self, regex: str, flags: int, line: int) -> re.Pattern[str] | None:
        try:
            compiled = re.compile(regex, flags)
        except re.error as exc:
            where = f" at position {exc.pos}" if exc.pos is not None else ""
            self.problems.error(line, f"invalid regex: {exc.msg}{where}: {regex!r}")
            return None
        portability = portability_problem(regex)
        if portability:
            self.problems.error(line, portability)
            return None
        return compiled

    def _dictionary(self, value: Any, line: int) -> DictionarySpec | None:
        m = self._mapping(value, line, "'dictionary'")
        if m is None:
            return None
        self.problems.check_keys(m, DICTIONARY_KEYS, "'dictionary'")
        terms = list(self._strings(m, "terms"))
        for name in (*self._strings(m, "file"), *self._strings(m, "files")):
            terms.extend(self.read_word_file(name, m.line_of("files") if "files" in m else m.line_of("file")))
        terms = [t.strip() for t in terms if t.strip()]
        if not terms:
            self.problems.error(line, "a dictionary needs terms (inline `terms` or word-list `files`)")
            return None
        return DictionarySpec(
            terms=frozenset(terms),
            case_sensitive=self._bool(m, "case_sensitive", False),
            whole_word=self._bool(m, "whole_word", True),
            score=self._number(m, "score", None, 0.0, 1.0),
            where=self._where(line),
        )

    def _ner(self, value: Any, line: int, entity: str) -> NerSpec | None:
        m = self._mapping(value, line, "'ner'")
        if m is None:
            return None
        self.problems.check_keys(m, NER_KEYS, "'ner'")
        raw = m.get("labels")
        labels: list[tuple[str, str]] = []
        if isinstance(raw, LineDict):
            labels = [(str(k), str(v)) for k, v in raw.items()]
        elif isinstance(raw, (LineList, str)):
            labels = [(label, entity) for label in self._strings(m, "labels")]
        if not labels:
            self.problems.error(m.line_of("labels"), "'ner' needs labels: a list of spaCy labels or a label -> entity mapping")
            return None
        gate = self._gate(m)
        if gate is None:
            return None
        window = self._int(m, "gate_window", 100, 0, 100_000)
        return NerSpec(tuple(labels), self._number(m, "score", None, 0.0, 1.0), gate,
                       window if window is not None else 100, tuple(self._validators(m)), self._where(line),
                       tuple(self._validators(m, "recase")), frozenset(self._strings(m, "gate_through")),
                       gate_line=self._bool(m, "gate_line", False))

    def _gate(self, m: LineDict) -> tuple[GateSpec, ...] | None:
        """`gate:` as one regex, or a list of regexes and `{regex, validators}` entries; None on an error."""
        raw = m.get("gate")
        if raw is None:
            return ()
        entries: list[tuple[Any, int]]
        if isinstance(raw, LineList):
            entries = [(entry, raw.line_of(index)) for index, entry in enumerate(raw)]
            if not entries:
                self.problems.error(m.line_of("gate"), "'gate' needs at least one regex")
                return None
        else:
            entries = [(raw, m.line_of("gate"))]
        gates: list[GateSpec] = []
        for entry, line in entries:
            validators: tuple[ValidatorSpec, ...] = ()
            if isinstance(entry, LineDict):
                self.problems.check_keys(entry, GATE_KEYS, "a gate entry")
                regex = self._str(entry, "regex", required=True)
                line = entry.line_of("regex") if "regex" in entry else line
                validators = tuple(self._validators(entry))
            elif isinstance(entry, str):
                regex = entry
            else:
                self.problems.error(line, "a gate entry is a regex or `{regex: ..., validators: [...]}`")
                return None
            if regex is None:
                return None
            compiled = self.compile_regex(regex, 0, line)
            if compiled is None:
                return None
            gates.append(GateSpec(compiled, validators, self._where(line)))
        return tuple(gates)

    def _compound(self, value: Any, line: int) -> CompoundSpec | None:
        m = self._mapping(value, line, "'compound'")
        if m is None:
            return None
        self.problems.check_keys(m, COMPOUND_KEYS, "'compound'")
        anchor = self._str(m, "anchor", required=True)
        near = self._strings(m, "near")
        if not near:
            self.problems.error(m.line_of("near"), "'compound' needs `near`: the rule ids that must occur near the anchor")
        window = self._int(m, "window", 100, 1, 100_000)
        if anchor is None or not near:
            return None
        return CompoundSpec(anchor, near, window or 100, self._where(line))

    # -- scoring --------------------------------------------------------------
    def _validators(self, m: LineDict, key: str = "validators") -> Iterable[ValidatorSpec]:
        if key not in m:
            return
        entries = self._list(m, key)
        for index, entry in enumerate(entries):
            line = entries.line_of(index)
            name: str | None = None
            args: dict[str, Any] = {}
            boost: float | None = None
            on_fail: float | None = None
            if isinstance(entry, str):
                name = entry
            elif isinstance(entry, LineDict) and "name" in entry:
                name = str(entry["name"])
                args = {k: v for k, v in entry.items() if k not in ("name", "boost", "on_fail")}
                boost = self._number(entry, "boost", None, -1.0, 1.0)
                on_fail = self._number(entry, "on_fail", None, -1.0, 0.0)
            elif isinstance(entry, LineDict) and len(entry) == 1:
                name, raw_args = next(iter(entry.items()))
                name = str(name)
                if isinstance(raw_args, LineDict):
                    boost = self._number(raw_args, "boost", None, -1.0, 1.0)
                    on_fail = self._number(raw_args, "on_fail", None, -1.0, 0.0)
                    args = {k: v for k, v in raw_args.items() if k not in ("boost", "on_fail")}
                elif raw_args is not None:
                    kind = self.registry.kind(name)
                    if kind is None or not kind.short_arg:
                        self.problems.error(line, f"validator {name!r} takes its arguments as a mapping")
                        continue
                    args = {kind.short_arg: raw_args}
            else:
                self.problems.error(line, "a validator is a name, `{name: ..., <args>}` or `{<name>: {<args>}}`")
                continue
            args["__base_dir__"] = str(self.base_dir)
            try:
                check, default_boost = self.registry.build(name, args)
            except ValueError as exc:
                self.problems.error(line, str(exc))
                continue
            self.inputs.extend(self._files_named(name, args))
            yield ValidatorSpec(name, check, default_boost if boost is None else boost, self._where(line), on_fail,
                                args)

    def _files_named(self, validator: str, args: dict[str, Any]) -> list[Path]:
        kind = self.registry.kind(validator)
        names: list[Any] = []
        for key in kind.file_args if kind else ():
            value = args.get(key)
            names.extend(value if isinstance(value, list) else [value] if value else [])
        return [(self.base_dir / str(name)).resolve() for name in names]

    def _contexts(self, m: LineDict) -> Iterable[ContextSpec]:
        if "context" not in m:
            return
        entries = self._list(m, "context")
        loose_words: list[str] = []
        for index, entry in enumerate(entries):
            line = entries.line_of(index)
            if isinstance(entry, str):
                loose_words.append(entry)
                continue
            cm = self._mapping(entry, line, "a context entry")
            if cm is None:
                continue
            spec = self.context_entry(cm)
            if spec is not None:
                yield spec
        if loose_words:
            yield self.context_words(tuple(loose_words), DEFAULT_CONTEXT_BOOST, DEFAULT_CONTEXT_BEFORE,
                                     DEFAULT_CONTEXT_AFTER, True, False, entries.line)

    def context_entry(self, m: LineDict) -> ContextSpec | None:
        self.problems.check_keys(m, CONTEXT_KEYS, "a context entry")
        words = self._strings(m, "words")
        files = (*self._strings(m, "file"), *self._strings(m, "files"))
        for name in files:  # word lists shared by many rules, one word or phrase a line
            words = (*words, *self.read_word_file(name, m.line_of("files") if "files" in m else m.line_of("file")))
        regex = self._str(m, "regex")
        structure = self._str(m, "structure")
        boost = self._number(m, "boost", DEFAULT_CONTEXT_BOOST, -1.0, 1.0) or 0.0
        if structure:
            if regex or structure not in STRUCTURES:
                self.problems.error(m.line_of("structure"), f"`structure` is one of {', '.join(STRUCTURES)}, with "
                                                            "optional `words` (or a word `file`) its label must be")
                return None
            # the words name the whole label: "ID", "No", "Number"; compared case-folded
            compiled = re.compile(words_regex([w.casefold() for w in words], False)) if words else _NEVER
            label = f"structure: {structure}" + (f" ({', '.join(files) if files else ', '.join(words)})" if words else "")
            return ContextSpec(label, compiled, boost, 0, 0, self._where(m.line), structure, bool(words))
        if bool(words or files) == bool(regex):
            self.problems.error(m.line, "a context entry needs one of `words` (or a word `file`), `regex` or `structure`")
            return None
        window = self._int(m, "window", None, 0, 100_000)
        before = self._int(m, "before", window if window is not None else DEFAULT_CONTEXT_BEFORE, 0, 100_000)
        after = self._int(m, "after", window if window is not None else DEFAULT_CONTEXT_AFTER, 0, 100_000)
        case_sensitive = self._bool(m, "case_sensitive", False)
        if words or files:
            return self.context_words(words, boost, before or 0, after or 0, self._bool(m, "whole_word", True),
                                      case_sensitive, m.line, label=", ".join(files) if files else None)
        flags = (0 if case_sensitive else re.IGNORECASE)
        compiled = self.compile_regex(regex or "", flags, m.line_of("regex"))
        if compiled is None:
            return None
        return ContextSpec(f"/{regex}/", compiled, boost, before or 0, after or 0, self._where(m.line))

    def context_words(self, words: tuple[str, ...], boost: float, before: int, after: int,
                      whole_word: bool, case_sensitive: bool, line: int, label: str | None = None) -> ContextSpec:
        compiled = re.compile(words_regex(words, whole_word), 0 if case_sensitive else re.IGNORECASE)
        return ContextSpec(label or ", ".join(words), compiled, boost, before, after, self._where(line))

    def _exclusions(self, m: LineDict) -> Iterable[ExclusionSpec]:
        if "exclusions" not in m:
            return
        entries = self._list(m, "exclusions")
        for index, entry in enumerate(entries):
            em = self._mapping(entry, entries.line_of(index), "an exclusion")
            if em is None:
                continue
            self.problems.check_keys(em, EXCLUSION_KEYS, "an exclusion")
            match = (self._str(em, "match", "full") or "full").lower()
            if match not in ("full", "partial"):
                self.problems.error(em.line_of("match"), f"exclusion `match` must be full or partial, got {match!r}")
                continue
            case_sensitive = self._bool(em, "case_sensitive", False)
            compact = self._bool(em, "compact", False)
            values = list(self._strings(em, "values"))
            files = (*self._strings(em, "file"), *self._strings(em, "files"))
            for name in files:
                values.extend(self.read_word_file(name, em.line_of("files") if "files" in em else em.line_of("file")))
            regex = self._str(em, "regex")
            if not values and not regex and not files:
                self.problems.error(em.line, "an exclusion needs `values`, `regex` or `file`")
                continue
            compiled = None
            if regex:
                compiled = self.compile_regex(regex, 0 if case_sensitive else re.IGNORECASE, em.line_of("regex"))
                if compiled is None:
                    continue
            normalized = frozenset(normalize_value(v, case_sensitive, compact) for v in values)
            label = f"/{regex}/" if regex else (", ".join(files) if files else f"{len(values)} value(s)")
            yield ExclusionSpec(label, normalized, compiled, match, case_sensitive, compact, self._where(em.line))

    def _examples(self, m: LineDict) -> Iterable[RuleExample]:
        if "tests" not in m:
            return
        tm = self._mapping(m["tests"], m.line_of("tests"), "'tests'")
        if tm is None:
            return
        self.problems.check_keys(tm, TEST_KEYS, "'tests'")
        for key, should_match in (("match", True), ("no_match", False)):
            if key not in tm:
                continue
            entries = self._list(tm, key)
            for index, entry in enumerate(entries):
                line = entries.line_of(index)
                if isinstance(entry, (str, int, float)) and not isinstance(entry, bool):
                    yield RuleExample(str(entry), should_match, None, self._where(line))
                    continue
                em = self._mapping(entry, line, "a test example")
                if em is None:
                    continue
                self.problems.check_keys(em, EXAMPLE_KEYS, "a test example")
                text = self._str(em, "text", required=True)
                value = self._str(em, "value")
                if value is not None and not should_match:
                    self.problems.error(em.line_of("value"), "`value` only makes sense in `match` examples")
                if text is not None:
                    yield RuleExample(text, should_match, value, self._where(line))


def words_regex(words: Iterable[str], whole_word: bool) -> str:
    """One alternation for a context word list; spaces in a phrase also match `_` and `-`.

    Whole-word means "not inside a run of letters and digits": `_` counts as a
    separator, so `aws` is found in `aws_secret_access_key`.
    """
    parts = []
    for word in sorted(set(words), key=len, reverse=True):
        pieces = [re.escape(piece) for piece in word.split()]
        parts.append(r"[\s_-]+".join(pieces))
    body = "|".join(parts)
    if whole_word:
        return rf"(?<![^\W_])(?:{body})(?![^\W_])"
    return f"(?:{body})"


def normalize_value(value: str, case_sensitive: bool, compact: bool) -> str:
    if compact:
        value = "".join(ch for ch in value if not (ch.isspace() or ch in "-."))
    return value if case_sensitive else value.casefold()


def line_or(value: Any, default: int) -> int:
    return line_of(value, default)
