"""The rule model: what a parsed YAML rule is. Plain frozen dataclasses, built by `detectors.parser`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from detectors.likelihood import Likelihood
from detectors.regexinfo import RegexFacts
from dlp.records import ScanContext

SEVERITIES = ("low", "medium", "high", "critical")
DEFAULT_SCORE = 0.5
DEFAULT_CONTEXT_BOOST = 0.35
DEFAULT_CONTEXT_BEFORE = 64
DEFAULT_CONTEXT_AFTER = 32


@dataclass(frozen=True, slots=True)
class Where:
    """Where something was written: file and line, for `file:line: message` reports."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True, slots=True)
class AppliesTo:
    """Which segments a rule inspects. An empty set means "any"; an unknown origin always qualifies."""

    kinds: frozenset[str] = frozenset()
    roles: frozenset[str] = frozenset()
    file_types: frozenset[str] = frozenset()

    def allows(self, context: ScanContext | None) -> bool:
        if context is None:
            return True
        if self.kinds and context.kind is not None and _kind_name(context.kind) not in self.kinds:
            return False
        if self.roles and context.role is not None and context.role.lower() not in self.roles:
            return False
        if self.file_types and context.file_type is not None:
            if context.file_type.lower().lstrip(".") not in self.file_types:
                return False
        return True

    @property
    def unrestricted(self) -> bool:
        return not (self.kinds or self.roles or self.file_types)


def _kind_name(kind: object) -> str:
    return str(getattr(kind, "value", kind)).lower()


@dataclass(frozen=True, slots=True)
class PatternSpec:
    """A regular expression matcher. `group` names the capture group holding the value (0 = whole match)."""

    name: str
    regex: str
    compiled: re.Pattern[str] = field(compare=False, repr=False)
    group: int | str = 0
    score: float | None = None
    flags: frozenset[str] = frozenset()  # ignore_case, multiline, dotall, unicode
    keywords: tuple[str, ...] = ()  # literal prefilter: the regex runs only where one occurs
    keyword_window: int | None = None  # characters around a keyword; None = anywhere in the text
    require_context: bool = False  # only counts with positive context nearby
    shrink: bool = False  # on validator failure, retry shorter prefixes ending before a space
    validators: tuple["ValidatorSpec", ...] = ()  # apply to this pattern's candidates only
    overlapping: bool = False  # also try matches starting inside an earlier match
    where: Where = Where("", 0)
    facts: RegexFacts | None = field(default=None, compare=False, repr=False)  # set by the parser


@dataclass(frozen=True, slots=True)
class DictionarySpec:
    """Literal terms (inline and from word-list files), matched with Aho-Corasick."""

    terms: frozenset[str]
    case_sensitive: bool = False
    whole_word: bool = True
    score: float | None = None
    where: Where = Where("", 0)


@dataclass(frozen=True, slots=True)
class GateSpec:
    """One place NER may find something: a regex match whose text passes every validator
    (a single capitalised word counts only when it is a known name, say)."""

    pattern: re.Pattern[str] = field(compare=False, repr=False)
    validators: tuple["ValidatorSpec", ...] = ()
    where: Where = Where("", 0)

    def accepts(self, value: str) -> bool:
        return all(v.check(value) for v in self.validators)


@dataclass(frozen=True, slots=True)
class NerSpec:
    """spaCy entity labels mapped to this rule's entity (label -> entity)."""

    labels: tuple[tuple[str, str], ...]
    score: float | None = None
    # NER runs only in windows of `gate_window` characters around the matches of the `gate` entries
    # (shapes every wanted entity has, such as two capitalised words); none = the whole text
    gate: tuple[GateSpec, ...] = ()
    gate_window: int = 100
    # checks of what the model reports, before the rule's own validators (which every matcher's
    # candidates pass): the model's noise need not constrain a pattern that has better evidence
    validators: tuple["ValidatorSpec", ...] = ()
    where: Where = Where("", 0)
    # words of a text written in one case (or all-capitals words) that the gate and the model read with a
    # capital first letter when they pass these checks ("david", "BREYER"); none = the text as it is
    recase: tuple["ValidatorSpec", ...] = ()
    # entities whose matches a gate match may touch: a nationality or a weekday can be part of an
    # organisation's name ("the German Air Force", "The Sunday Times"), a secret or an IBAN cannot
    gate_through: frozenset[str] = frozenset()
    # a window stops at the line breaks around its gate match: no entity spans two lines, and the model
    # reads a name by the words of its own line (a list's or a form's other lines only add text to read)
    gate_line: bool = False

    def entity_for(self, label: str) -> str | None:
        for spacy_label, entity in self.labels:
            if spacy_label == label:
                return entity
        return None


@dataclass(frozen=True, slots=True)
class ValidatorSpec:
    name: str
    check: Callable[[str], bool] = field(compare=False, repr=False)
    boost: float = 0.0
    where: Where = Where("", 0)
    # a failed check drops the candidate; with `on_fail` it changes the score by this much instead
    # (weak evidence against, which context words can outweigh)
    on_fail: float | None = None
    # the arguments it was built from (a cached rule set rebuilds the check from them)
    args: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True, slots=True)
class ContextSpec:
    """Words or a regex near a match, or where the match stands (`structure`), that raise (boost > 0) or
    lower (boost < 0) its score."""

    label: str  # what the trace shows: the words, the regex or the structure
    compiled: re.Pattern[str] = field(compare=False, repr=False)
    boost: float = DEFAULT_CONTEXT_BOOST
    before: int = DEFAULT_CONTEXT_BEFORE
    after: int = DEFAULT_CONTEXT_AFTER
    where: Where = Where("", 0)
    # `field`: the match fills its field (a cell, a line, a JSON value, the rest of a `Label:` line);
    # `label`: the rest of a `Label: value` line. `before` and `after` are then unused, and `compiled`,
    # when `words_only_labels`, must match the whole (case-folded) label (see `detectors.structure`)
    structure: str | None = None
    words_only_labels: bool = False

    @property
    def positive(self) -> bool:
        return self.boost > 0


@dataclass(frozen=True, slots=True)
class ExclusionSpec:
    """Drops a match whose value equals (full) or contains (partial) a listed value, or matches a regex."""

    label: str
    values: frozenset[str] = frozenset()
    compiled: re.Pattern[str] | None = field(default=None, compare=False, repr=False)
    match: str = "full"  # full | partial
    case_sensitive: bool = False
    compact: bool = False  # compare without spaces, dashes and dots
    where: Where = Where("", 0)


@dataclass(frozen=True, slots=True)
class CompoundSpec:
    """Report only when every `near` rule matches within `window` characters of an `anchor` match."""

    anchor: str
    near: tuple[str, ...]
    window: int = 100
    where: Where = Where("", 0)

    @property
    def components(self) -> tuple[str, ...]:
        return (self.anchor, *self.near)


@dataclass(frozen=True, slots=True)
class RuleExample:
    """One `tests:` example: `text` must (or must not) produce a match, optionally with this exact value."""

    text: str
    should_match: bool
    value: str | None = None
    where: Where = Where("", 0)


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    entity: str
    name: str = ""
    description: str = ""
    severity: str = "medium"
    score: float = DEFAULT_SCORE
    tags: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    enabled: bool = True
    applies_to: AppliesTo = AppliesTo()
    min_likelihood: Likelihood | None = None
    patterns: tuple[PatternSpec, ...] = ()
    dictionary: DictionarySpec | None = None
    ner: NerSpec | None = None
    validators: tuple[ValidatorSpec, ...] = ()
    context: tuple[ContextSpec, ...] = ()
    require_context: bool = False
    exclusions: tuple[ExclusionSpec, ...] = ()
    compound: CompoundSpec | None = None
    decoded: bool = True  # also look inside base64/hex/url-encoded runs
    # provider-agnostic: a match gives way to an overlapping match of a non-generic rule of the same entity
    generic: bool = False
    # every other whole-token occurrence of a reported value in the same text is reported too ("values"); for
    # "names", also the family name (the last word) of a name of several words, written the same way
    repeats: str = ""
    exclusive: bool = False  # one value, one identifier: overlapping exclusive matches keep only the best
    examples: tuple[RuleExample, ...] = ()
    pack: str = ""
    where: Where = Where("", 0)

    @property
    def detectors(self) -> tuple[str, ...]:
        kinds = []
        if self.patterns:
            kinds.append("regex")
        if self.dictionary is not None:
            kinds.append("dictionary")
        if self.ner is not None:
            kinds.append("ner")
        if self.compound is not None:
            kinds.append("compound")
        return tuple(kinds)

    @property
    def needs_ner(self) -> bool:
        return self.ner is not None
