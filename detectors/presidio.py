"""Load Presidio recognizer YAML (`recognizers:` with patterns, context, deny lists) as rules.

This reads the YAML itself and never imports Presidio, so nothing reaches the
network (Presidio's email recognizer would fetch the public-suffix list).
Predefined recognizers (`type: predefined`) are Python classes in Presidio and
cannot be carried over; they are reported as warnings and skipped.
"""

from __future__ import annotations

import re
from typing import Any

from detectors.model import ContextSpec, DictionarySpec, Rule
from detectors.parser import RuleParser, words_regex
from detectors.yamlsrc import LineDict, LineList

PRESIDIO_CONTEXT_BOOST = 0.35  # Presidio's context_similarity_factor
PRESIDIO_CONTEXT_BEFORE = 48  # ~5 words before the match (context_prefix_count)
PRESIDIO_DEFAULT_FLAGS = re.DOTALL | re.MULTILINE | re.IGNORECASE
RECOGNIZER_KEYS = (
    "name", "supported_language", "supported_languages", "supported_entity", "supported_entities",
    "patterns", "context", "deny_list", "deny_list_score", "type", "enabled", "class_name",
    "global_regex_flags", "supported_countries",
)


def is_presidio_document(data: Any) -> bool:
    return isinstance(data, dict) and "recognizers" in data and "rules" not in data


def rule_id_from_name(name: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_").upper()
    return cleaned if cleaned[:1].isalpha() else f"R_{cleaned}"


def _flag_names(flags: int) -> list[str]:
    names = []
    if flags & re.IGNORECASE:
        names.append("ignore_case")
    if flags & re.MULTILINE:
        names.append("multiline")
    if flags & re.DOTALL:
        names.append("dotall")
    return names


def parse_presidio(data: LineDict, parser: RuleParser) -> list[Rule]:
    problems = parser.problems
    flags = data.get("global_regex_flags", PRESIDIO_DEFAULT_FLAGS)
    if not isinstance(flags, int) or isinstance(flags, bool):
        problems.error(data.line_of("global_regex_flags"), "global_regex_flags must be an integer of re flags")
        flags = PRESIDIO_DEFAULT_FLAGS
    entries = data.get("recognizers")
    if not isinstance(entries, LineList):
        problems.error(data.line_of("recognizers"), "'recognizers' must be a list")
        return []
    rules = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, LineDict):
            if isinstance(entry, str):  # a bare name = a predefined recognizer
                problems.warn(entries.line_of(index), f"predefined Presidio recognizer {entry!r} skipped (Python class)")
            else:
                problems.error(entries.line_of(index), "a recognizer must be a mapping")
            continue
        rule = _recognizer(entry, parser, int(entry.get("global_regex_flags", flags)))
        if rule is not None:
            rules.append(rule)
    return rules


def _recognizer(m: LineDict, parser: RuleParser, flags: int) -> Rule | None:
    problems = parser.problems
    errors_before = sum(p.is_error for p in problems.items)
    problems.check_keys(m, RECOGNIZER_KEYS, "a Presidio recognizer")
    name = str(m.get("name") or "")
    if m.get("type") == "predefined" or ("patterns" not in m and "deny_list" not in m):
        problems.warn(m.line, f"Presidio recognizer {name or '?'!r} has no patterns or deny_list (predefined?); skipped")
        return None
    if not name:
        problems.error(m.line, "a Presidio recognizer needs a name")
        return None
    entity = m.get("supported_entity")
    if entity is None and isinstance(m.get("supported_entities"), list) and m["supported_entities"]:
        entity = m["supported_entities"][0]
    if not entity:
        problems.error(m.line, f"recognizer {name!r} needs supported_entity")
        return None

    patterns = []
    raw_patterns = m.get("patterns") or LineList(m.line_of("patterns"))
    if not isinstance(raw_patterns, LineList):
        problems.error(m.line_of("patterns"), "'patterns' must be a list")
        raw_patterns = LineList()
    for index, raw in enumerate(raw_patterns):
        if not isinstance(raw, LineDict):
            problems.error(raw_patterns.line_of(index), "a Presidio pattern must be a mapping with name, regex, score")
            continue
        converted = LineDict(raw.line)
        for key in ("name", "regex", "score"):
            if key in raw:
                converted[key] = raw[key]
                converted.key_lines[key] = raw.line_of(key)
        extra = [k for k in raw if k not in ("name", "regex", "score")]
        for key in extra:
            problems.error(raw.line_of(key), f"unknown key {key!r} in a Presidio pattern")
        flag_list = LineList(raw.line)
        flag_list.extend(_flag_names(flags))
        converted["flags"] = flag_list
        converted.key_lines["flags"] = raw.line
        pattern = parser.pattern(converted, f"pattern {index + 1}")
        if pattern is not None:
            patterns.append(pattern)

    dictionary = None
    if m.get("deny_list"):
        terms = parser._strings(m, "deny_list")
        score = m.get("deny_list_score", 1.0)
        dictionary = DictionarySpec(
            terms=frozenset(t.strip() for t in terms if t.strip()),
            case_sensitive=not (flags & re.IGNORECASE),
            whole_word=True,
            score=float(score) if isinstance(score, (int, float)) else 1.0,
            where=parser._where(m.line_of("deny_list")),
        )

    words = list(parser._strings(m, "context")) if "context" in m else []
    languages = m.get("supported_languages")
    if isinstance(languages, LineList):
        for language in languages:
            if isinstance(language, LineDict) and isinstance(language.get("context"), list):
                words.extend(str(w) for w in language["context"])
    context: tuple[ContextSpec, ...] = ()
    if words:
        compiled = re.compile(words_regex(words, True), re.IGNORECASE)
        context = (ContextSpec(", ".join(words), compiled, PRESIDIO_CONTEXT_BOOST, PRESIDIO_CONTEXT_BEFORE, 0,
                               parser._where(m.line_of("context"))),)

    if sum(p.is_error for p in problems.items) != errors_before:
        return None
    if not patterns and dictionary is None:
        problems.error(m.line, f"recognizer {name!r} has no usable pattern or deny_list")
        return None
    base_score = max((p.score or 0.0 for p in patterns), default=1.0)
    return Rule(
        id=rule_id_from_name(name),
        entity=str(entity),
        name=name,
        description=f"Imported from Presidio recognizer {name!r}",
        severity="medium",
        score=base_score,
        tags=("presidio",),
        enabled=bool(m.get("enabled", True)),
        patterns=tuple(patterns),
        dictionary=dictionary,
        context=context,
        pack=parser.pack,
        where=parser._where(m.line),
    )
