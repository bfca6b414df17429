"""Scoring one candidate: exclusions, validators, context words, likelihood.

A candidate is a span some matcher found (regex, dictionary term, NER entity).
Everything here looks only at the candidate's value and a small character
window around it, never at the whole text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from detectors.likelihood import Likelihood, clamp_score, likelihood_for
from detectors.model import ContextSpec, ExclusionSpec, PatternSpec, Rule, ValidatorSpec
from detectors.parser import normalize_value
from detectors.structure import TextTables, column_header, find_field
from detectors.trace import TraceStep
from detectors.validators.registry import BUILTIN

CONTEXT_LOOKAHEAD_SLACK = 32


@dataclass(slots=True)
class Candidate:
    rule: Rule
    start: int
    end: int
    value: str
    detector: str  # regex | dictionary | ner | compound
    base_score: float
    source: str  # what found it: the pattern name, "dictionary", "ner:PERSON"
    require_context: bool = False
    pattern: PatternSpec | None = None  # the regex that found it (shrinking re-checks it)
    validators: tuple[ValidatorSpec, ...] = ()  # the pattern's, then the rule's

    @classmethod
    def of(cls, rule: Rule, start: int, end: int, value: str, detector: str, base_score: float, source: str,
           pattern: PatternSpec | None = None, extra_validators: tuple[ValidatorSpec, ...] = ()) -> "Candidate":
        """`extra_validators`: the matcher's own checks (an NER spec's), run first, as a pattern's are."""
        validators = (pattern.validators if pattern is not None else extra_validators) + rule.validators
        require = pattern.require_context if pattern is not None else False
        return cls(rule, start, end, value, detector, base_score, source, require, pattern, validators)


@dataclass(slots=True)
class Scored:
    candidate: Candidate
    start: int
    end: int
    value: str
    score: float
    likelihood: Likelihood


@dataclass(slots=True)
class Verdict:
    scored: Scored | None
    reason: str
    final_score: float


def evaluate(candidate: Candidate, text: str, steps: list[TraceStep] | None = None,
             tables: TextTables | None = None) -> Verdict:
    """Score `candidate` within `text`. `steps`, when given, receives the decision trace; `tables`, the
    text's table lookups remembered across its candidates (see `find_context`).

    Order: exclusions, then (for a candidate that requires context and cannot shrink) a check
    for a positive context word, then validators, then context boosts. A candidate that
    requires context and has none nearby is dropped whatever its validators say, so the
    check before the validators only saves their cost; it never changes a result.
    """
    rule = candidate.rule
    score = candidate.base_score
    value, start, end = candidate.value, candidate.start, candidate.end
    tracing = steps is not None
    if tracing:
        _note(steps, "candidate", f"{candidate.detector} {candidate.source} matched {value!r} at [{start}:{end}]",
              0.0, score)

    for exclusion in rule.exclusions:
        if is_excluded(exclusion, value):
            if tracing:
                _note(steps, "exclusion",
                      f"value matches exclusion {exclusion.label} ({exclusion.match}) at {exclusion.where}", 0.0, score)
            return Verdict(None, f"excluded by {exclusion.label}", clamp_score(score))

    contexts = rule.context
    needs_context = rule.require_context or candidate.require_context
    validators = candidate.validators
    pattern = candidate.pattern
    # the header of the table column the span fills, looked up once for all context entries (see find_context)
    column: list[str | None] = []
    column_end = end
    # context hits found before the validators, by index into `contexts`; _UNSEEN where not looked up yet
    hits: list[str | None | object] | None = None
    if needs_context and validators and (pattern is None or not pattern.shrink):
        # (shrinking moves the end of the span, and with it the context window: not checked early)
        hits = [find_context(c, text, start, end, column, tables) if c.boost > 0 else _UNSEEN for c in contexts]
        if all(hit is None or hit is _UNSEEN for hit in hits):
            if tracing:
                _note(steps, "require_context",
                      "no supporting context word nearby (looked for before the validators, which did not run)",
                      0.0, score)
            return Verdict(None, "required context missing", clamp_score(score))

    if validators:
        failed = first_failing_validator(validators, value)
        if failed is not None and pattern is not None and pattern.shrink:
            shorter = shrink_to_valid(candidate, text)
            if shorter is not None:
                if tracing:
                    _note(steps, "shrink", f"validator {failed} failed on {value!r}; shorter {shorter!r} passes",
                          0.0, score)
                value = shorter
                end = start + len(shorter)
                failed = None
        if failed is not None:
            if tracing:
                _note(steps, "validator", f"{failed}: failed", 0.0, score)
            return Verdict(None, f"validator {failed} failed", clamp_score(score))
        for validator in validators:
            if validator.on_fail is not None and not _passes(validator, value):
                score += validator.on_fail
                if tracing:
                    _note(steps, "validator", f"{validator.name}: failed (weak evidence)", validator.on_fail, score)
                continue
            score += validator.boost
            if tracing:
                _note(steps, "validator", f"{validator.name}: passed", validator.boost, score)

    found_positive = False
    for index, context in enumerate(contexts):
        hit = hits[index] if hits is not None else _UNSEEN
        if hit is _UNSEEN:
            hit = find_context(context, text, start, end, column if end == column_end else None, tables)
        if hit is None:
            continue
        score += context.boost
        if context.boost > 0:
            found_positive = True
        if tracing:
            _note(steps, "context", f"{hit!r} near the match ({context.label})", context.boost, score)
    if needs_context and not found_positive:
        if tracing:
            _note(steps, "require_context", "no supporting context word nearby", 0.0, score)
        return Verdict(None, "required context missing", clamp_score(score))

    final = clamp_score(score)
    likelihood = likelihood_for(final)
    if tracing:
        _note(steps, "likelihood", f"score {final:.2f} is {likelihood.name}", 0.0, score)
    return Verdict(Scored(candidate, start, end, value, final, likelihood), "reported", final)


_UNSEEN = object()  # a context entry not looked up yet


def _note(steps: list[TraceStep] | None, action: str, detail: str, delta: float, score: float) -> None:
    assert steps is not None
    steps.append(TraceStep(action, detail, delta, clamp_score(score)))


def is_excluded(exclusion: ExclusionSpec, value: str) -> bool:
    if exclusion.values:
        normalized = normalize_value(value, exclusion.case_sensitive, exclusion.compact)
        if exclusion.match == "full":
            if normalized in exclusion.values:
                return True
        elif any(listed in normalized for listed in exclusion.values):
            return True
    if exclusion.compiled is not None:
        # normalize_value(value, True, False) is the value itself
        subject = normalize_value(value, True, True) if exclusion.compact else value
        if exclusion.match == "full":
            return exclusion.compiled.fullmatch(subject) is not None
        return exclusion.compiled.search(subject) is not None
    return False


def first_failing_validator(validators: tuple[ValidatorSpec, ...], value: str) -> str | None:
    """The first validator whose failure drops the candidate (one with `on_fail` only lowers the score)."""
    for validator in validators:
        if validator.on_fail is None and not _passes(validator, value):
            return validator.name
    return None


def dropping_checks(pattern: PatternSpec, rule: Rule) -> tuple[ValidatorSpec, ...]:
    """The cheap validators (word lists) of `pattern`'s candidates whose failure drops a candidate whatever
    else `evaluate` would find: no `on_fail`, and a pattern that does not shrink (a shorter value may pass).
    A matcher may run them on a match before it builds the candidate: `evaluate` would report nothing
    for a value that fails one, so skipping it changes no result (only a trace would show the candidate)."""
    if pattern.shrink:
        return ()
    checks = []
    for validator in pattern.validators + rule.validators:
        kind = BUILTIN.kind(validator.name)
        if validator.on_fail is None and kind is not None and kind.cheap:
            checks.append(validator)
    return tuple(checks)


def passes_all(validators: tuple[ValidatorSpec, ...], value: str) -> bool:
    """Whether `value` passes every one of `validators` (as `evaluate` runs them: an exception fails)."""
    try:
        for validator in validators:
            if not validator.check(value):
                return False
    except Exception:  # as in `_passes`: a validator must never crash a scan on odd input
        return False
    return True


def _passes(validator: ValidatorSpec, value: str) -> bool:
    try:
        return bool(validator.check(value))
    except Exception:  # a validator must never crash a scan on odd input
        return False


def shrink_to_valid(candidate: Candidate, text: str) -> str | None:
    """The longest prefix ending before a space that is still a whole match of the pattern and
    passes every validator (a greedy pattern may have swallowed a following word)."""
    pattern = candidate.pattern
    assert pattern is not None
    value, start = candidate.value, candidate.start
    cut = len(value)
    while True:
        cut = value.rfind(" ", 0, cut)
        if cut <= 0:
            return None
        shorter = value[:cut].rstrip()
        end = start + len(shorter)
        match = pattern.compiled.fullmatch(text, start, end)
        if match is None or match.span(pattern.group) != (start, end):
            continue
        if first_failing_validator(candidate.validators, shorter) is None:
            return shorter


def find_context(context: ContextSpec, text: str, start: int, end: int,
                 column: list[str | None] | None = None, tables: TextTables | None = None) -> str | None:
    """The first context word within `before` characters before or `after` characters after the span;
    for a `structure` entry, what makes the span a field ("field", "field 'ID'").

    In a table written as text, a supporting word counts for a cell when it stands in the cell's own row
    or in the header of its column (`| Name | SIN | Amount |` names the SIN column, not the amounts).
    `column`: where the header is kept once looked up, for the next entry of the same span; `tables`: the
    text's table lookups, kept for its other spans (a table's cells all ask for the same header line)."""
    if context.structure is not None:
        found = find_field(text, start, end)
        if found is None:
            return None
        if context.structure == "label" and (not found.label or found.keyed):
            return None
        if context.words_only_labels and context.compiled.fullmatch(found.label.casefold()) is None:
            return None
        return found.describe()
    match = _word_near(context, text, start, end, 0, len(text))
    if context.boost <= 0:
        return None if match is None else match.group()
    if match is not None and (text.find("\n", match.end(), start) if match.end() <= start
                              else text.find("\n", end, match.start())) < 0:
        return match.group()  # a word on the value's own line
    if column:
        header = column[0]
    else:
        header = column_header(text, start, end, tables)
        if column is not None:
            column.append(header)
    if header is None:
        return None if match is None else match.group()
    in_header = context.compiled.search(header)
    if in_header is not None:
        return f"column {header!r}"
    row_start = text.rfind("\n", 0, start) + 1
    row_end = text.find("\n", end)
    in_row = _word_near(context, text, start, end, row_start, len(text) if row_end < 0 else row_end)
    return None if in_row is None else in_row.group()


def _word_near(context: ContextSpec, text: str, start: int, end: int, low: int, high: int) -> re.Match[str] | None:
    """The first context word within the entry's window before or after the span, inside [low, high)."""
    if context.before:
        match = context.compiled.search(text, max(low, start - context.before), start)
        if match is not None:
            return match
    if context.after:
        limit = min(high, end + context.after)
        match = context.compiled.search(text, end, min(high, limit + CONTEXT_LOOKAHEAD_SLACK))
        if match is not None and match.start() < limit:
            return match
    return None
