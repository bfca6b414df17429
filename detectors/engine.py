"""The detection engine: applies the active rules to texts and returns matches.

Per text, in order:
1. one Hyperscan pass finds candidate regions for every regex pattern, one
   Aho-Corasick pass finds every dictionary term (`scanner`, `dictionary`);
2. Python `re` confirms the candidates and extracts the values; exclusions,
   validators and context words score them (`evaluate`);
3. NER runs only when an active rule needs it for this kind of segment (and
   for compound rules only on windows around the other components), batched
   over all texts of a call with `nlp.pipe` (`ner`);
4. compound rules combine component matches within a window;
5. base64 / hex / url-encoded runs are decoded and scanned again (`decoding`);
6. overlapping matches of one rule are resolved, and matches below the rule's
   or the scan's minimum likelihood are dropped.

An Engine is built once per process (from a picklable `EngineSpec` in a
worker) and is not thread-safe (Hyperscan scratch space is per engine).
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field, replace
from typing import Sequence

from detectors.casing import list_separator, recase
from detectors.decoding import RunFinder, gate_patterns, located_gate_patterns
from detectors.dictionary import DictionaryMatcher
from detectors.errors import Problem, RuleError, errors_only
from detectors.evaluate import Candidate, Scored, dropping_checks, evaluate, passes_all
from detectors.likelihood import Likelihood, likelihood_for
from detectors.loader import resolve_policy, select_rules
from detectors.rulecache import load_rules_cached
from detectors.model import GateSpec, Rule
from detectors.ner import DEFAULT_NER_MODEL, NerRunner
from detectors.policy import Policy
from detectors.scanner import PatternScanner
from detectors.structure import TextTables
from detectors.trace import Trace, TraceStep
from detectors.validators.registry import clear_memos
from dlp.records import Match, ScanContext

NER_WINDOW_SNAP = 40  # how far a compound NER window may grow to reach a word boundary
# a capitalised word right after a reported nationality or date: a name may go on ("German Air Force")
_NAME_GOES_ON = re.compile(r"[ \t]+[A-ZÀ-ÖØ-Þ]")
RECASE_MEMO_WORDS = 50_000  # words whose recase answer is remembered
GATE_MEMO_VALUES = 50_000  # gate matches whose validators' answer is remembered


@dataclass(frozen=True)
class EngineSpec:
    """Picklable recipe for an Engine; process-pool workers build their own Engine from it once."""

    rule_paths: tuple[str, ...] = ()  # files or directories; empty => the built-in packs
    policy_path: str | None = None  # a policy name (`default`, `full`) or YAML file: which packs/rules run, floor
    min_likelihood: str | None = None  # overrides the policy's
    ner_model: str = DEFAULT_NER_MODEL  # configurable spaCy model name


@dataclass
class _Tracer:
    """Collects the decision trace of one rule's candidates during an analysis."""

    rule_id: str
    records: list[tuple[Candidate, list[TraceStep], Scored | None, str, float]] = field(default_factory=list)


@dataclass
class _TextState:
    text: str
    applicable: frozenset[int]
    scored: dict[int, list[Scored]] = field(default_factory=dict)
    decoded: list[Match] = field(default_factory=list)
    gates: set[str] = field(default_factory=set)  # decoding gates the Hyperscan pass fired
    gate_ends: dict[str, list[int]] = field(default_factory=dict)  # ...and where their matches end (located gates)
    ner_text: str = ""  # what the NER gate and model read: the text, names recased where a rule asks (same offsets)
    tables: TextTables = field(init=False)  # its tables written as text, looked up once for all its candidates

    def __post_init__(self) -> None:
        self.tables = TextTables(self.text)


class Engine:
    """Applies a set of rules to texts. Build it with `Engine.from_spec` or `Engine.from_rules`."""

    def __init__(
        self,
        rules: Sequence[Rule],
        policy: Policy | None = None,
        *,
        catalog: Sequence[Rule] | None = None,
        ner_model: str = DEFAULT_NER_MODEL,
        problems: Sequence[Problem] = (),
        ner_runner: NerRunner | None = None,
    ) -> None:
        self.policy = policy or Policy()
        self.min_likelihood: Likelihood = self.policy.min_likelihood
        self.rules: list[Rule] = list(rules)  # the rules whose matches are reported
        self.problems: list[Problem] = list(problems)  # warnings from loading
        self.ner_model = ner_model
        self._catalog: dict[str, Rule] = {rule.id: rule for rule in (catalog if catalog is not None else rules)}
        self._catalog.update({rule.id: rule for rule in self.rules})
        self._internal: list[Rule] = self._with_dependencies(self.rules)
        self._index = {rule.id: i for i, rule in enumerate(self._internal)}
        self._reported = frozenset(self._index[rule.id] for rule in self.rules)
        self._generic = frozenset(rule.id for rule in self._internal if rule.generic)
        self._exclusive = frozenset(rule.id for rule in self._internal if rule.exclusive)

        pattern_owner: list[int] = []
        patterns = []
        dictionaries = []
        for index, rule in enumerate(self._internal):
            for pattern in rule.patterns:
                pattern_owner.append(index)
                patterns.append(pattern)
            if rule.dictionary is not None:
                dictionaries.append((index, rule.dictionary))
        self._pattern_owner = pattern_owner
        # per pattern: the word-list checks whose failure drops a candidate, run on each match before a
        # candidate is built (most capitalised pairs a name pattern matches fail its lists)
        self._dropping = [dropping_checks(p, self._internal[o]) for p, o in zip(patterns, pattern_owner)]
        decoding = self.policy.decoding
        self._ner_rules = [i for i, rule in enumerate(self._internal) if rule.ner is not None]
        self._ner_gate_names = self._ner_gate_prefilters()
        gates = {**gate_patterns(decoding), **dict(self._ner_gate_names.values())}
        self.scanner = PatternScanner(patterns, gates, located_gate_patterns(decoding))
        self._dictionaries = DictionaryMatcher(dictionaries)
        self._run_finder = RunFinder(decoding) if decoding.enabled else None
        self._ner_labels = frozenset(label for i in self._ner_rules for label, _ in self._internal[i].ner.labels)  # type: ignore[union-attr]
        self._recase_checks = {i: tuple(v.check for v in self._internal[i].ner.recase)  # type: ignore[union-attr]
                               for i in self._ner_rules if self._internal[i].ner.recase}  # type: ignore[union-attr]
        self._recase_memo: dict[str, bool] = {}  # each word's recase answer (words repeat across texts)
        self._gate_memo: dict[tuple[int, str], bool] = {}  # (gate entry, matched text) -> passes its validators
        self._compound_rules = [i for i, rule in enumerate(self._internal) if rule.compound is not None]
        # engines may share one runner (the rule tester builds an engine per rule)
        self._ner: NerRunner | None = (ner_runner or NerRunner(ner_model)) if self._ner_rules else None
        self._applicable_cache: dict[tuple[str | None, str | None, str | None], frozenset[int]] = {}

    # -- construction ---------------------------------------------------------
    @classmethod
    def from_spec(cls, spec: EngineSpec) -> "Engine":
        """Load rules and policy as the spec says; raise RuleError naming file and line on any error."""
        problems: list[Problem] = []
        paths, policy = resolve_policy(spec.rule_paths, spec.policy_path)
        ruleset = load_rules_cached(paths)
        problems.extend(ruleset.problems)
        if not ruleset.rules and not errors_only(problems):
            problems.append(Problem(", ".join(paths), 0, "no rules found: give rule files or folders "
                                                         "(`pack:`/`rules:` YAML), or a policy with --policy"))
        active, selection_problems = select_rules(ruleset.rules, policy)
        problems.extend(selection_problems)
        if errors_only(problems):
            raise RuleError(errors_only(problems))
        if spec.min_likelihood is not None:
            try:
                floor = Likelihood.parse(spec.min_likelihood)
            except ValueError as exc:
                raise RuleError([Problem("<scan>", 0, str(exc))]) from None
            policy = _with_floor(policy, floor)
        return cls(active, policy, catalog=ruleset.rules, ner_model=spec.ner_model, problems=problems)

    @classmethod
    def from_rules(
        cls, rules: Sequence[Rule], policy: Policy | None = None, ner_model: str = DEFAULT_NER_MODEL
    ) -> "Engine":
        """An engine reporting exactly `rules` (those with `enabled: false` included)."""
        return cls(rules, policy, ner_model=ner_model)

    def _with_dependencies(self, rules: Sequence[Rule]) -> list[Rule]:
        ordered = list(rules)
        seen = {rule.id for rule in ordered}
        for rule in rules:
            if rule.compound is None:
                continue
            for component in rule.compound.components:
                if component in seen:
                    continue
                if component not in self._catalog:
                    raise RuleError([Problem(rule.where.file, rule.compound.where.line,
                                             f"compound rule {rule.id!r} refers to unknown rule {component!r}")])
                ordered.append(self._catalog[component])
                seen.add(component)
        return ordered

    # -- public API -----------------------------------------------------------
    @property
    def needs_ner(self) -> bool:
        return self._ner is not None

    def load_models(self) -> None:
        """Load the NER model now rather than on the first text that needs it (timing, worker start-up)."""
        if self._ner is not None:
            self._ner.entities(["Loaded for Maria Garcia."])  # the first document also pays one-off set-up

    def clear_caches(self) -> None:
        """Forget every answer remembered across calls: this engine's NER windows, and the validator memos,
        which every engine in the process shares (they are keyed by value alone). A cold start."""
        if self._ner is not None:
            self._ner.clear_cache()
        self._recase_memo.clear()
        self._gate_memo.clear()
        clear_memos()

    def rule(self, rule_id: str) -> Rule:
        try:
            return self._catalog[rule_id]
        except KeyError:
            raise KeyError(f"unknown rule {rule_id!r}") from None

    def analyze(self, text: str, context: ScanContext | None = None) -> list[Match]:
        """Matches of the active rules in `text`, offsets in characters, sorted by position."""
        return self.analyze_batch([text], [context])[0]

    def analyze_batch(
        self, texts: Sequence[str], contexts: Sequence[ScanContext | None] | None = None
    ) -> list[list[Match]]:
        """`analyze` for many texts at once; NER is batched across them with `nlp.pipe`."""
        if contexts is not None and len(contexts) != len(texts):
            raise ValueError("contexts must be as long as texts")
        applicable = [self._applicable(contexts[i] if contexts is not None else None) for i in range(len(texts))]
        return self._analyze(list(texts), applicable, depth=0, tracer=None)

    def explain(self, rule_id: str, text: str) -> list[Trace]:
        """The decision trace of every candidate of `rule_id` in `text` (the rule need not be active)."""
        rule = self.rule(rule_id)
        engine = self
        if rule_id not in self._index:
            engine = Engine([rule], self.policy, catalog=list(self._catalog.values()), ner_model=self.ner_model,
                            ner_runner=self._ner)
        tracer = _Tracer(rule_id)
        everything = frozenset(range(len(engine._internal)))
        engine._analyze([text], [everything], depth=0, tracer=tracer, explain_reported=frozenset({engine._index[rule_id]}))
        return engine._traces(tracer)

    # -- the pipeline ---------------------------------------------------------
    def _applicable(self, context: ScanContext | None) -> frozenset[int]:
        key = (None, None, None) if context is None else (
            str(getattr(context.kind, "value", context.kind)) if context.kind is not None else None,
            context.role, context.file_type)
        cached = self._applicable_cache.get(key)
        if cached is None:
            cached = frozenset(i for i, rule in enumerate(self._internal) if rule.applies_to.allows(context))
            self._applicable_cache[key] = cached
        return cached

    def _analyze(
        self,
        texts: list[str],
        applicable: list[frozenset[int]],
        depth: int,
        tracer: _Tracer | None,
        explain_reported: frozenset[int] | None = None,
    ) -> list[list[Match]]:
        reported = explain_reported if explain_reported is not None else self._reported
        states = [_TextState(text, applicable[i]) for i, text in enumerate(texts)]
        for state in states:
            self._match_patterns_and_dictionaries(state, tracer)
        if self._ner is not None and depth == 0:
            self._run_ner(states, reported, tracer)
        for state in states:
            self._match_compounds(state, tracer)
            if self._run_finder is not None and depth < self.policy.decoding.max_depth:
                self._match_decoded(state, depth, tracer, explain_reported)
        return [self._finish(state, reported, tracer) for state in states]

    def _candidates_scored(self, state: _TextState, candidates: list[Candidate], tracer: _Tracer | None) -> None:
        if self._generic and tracer is None:
            candidates = self._without_covered_generic(state, candidates)
        for candidate in candidates:
            traced = tracer is not None and candidate.rule.id == tracer.rule_id
            steps: list[TraceStep] | None = [] if traced else None
            verdict = evaluate(candidate, state.text, steps, state.tables)
            if traced:
                tracer.records.append((candidate, steps, verdict.scored, verdict.reason, verdict.final_score))  # type: ignore[union-attr,arg-type]
            if verdict.scored is not None:
                state.scored.setdefault(self._index[candidate.rule.id], []).append(verdict.scored)

    def _without_covered_generic(self, state: _TextState, candidates: list[Candidate]) -> list[Candidate]:
        """Score the specific rules' candidates first and skip the generic ones they already cover:
        `_finish` would drop those anyway, and a generic value check is the dearest step of a
        candidate (`generic` in `detectors/model.py`)."""
        generic = [c for c in candidates if c.rule.generic]
        if not generic:
            return candidates
        self._candidates_scored(state, [c for c in candidates if not c.rule.generic], None)
        covered: dict[str, list[tuple[int, int]]] = {}
        for index, scored_list in state.scored.items():
            rule = self._internal[index]
            if rule.generic or index not in self._reported:
                continue
            floor = max(self.min_likelihood, rule.min_likelihood or self.min_likelihood)
            covered.setdefault(rule.entity, []).extend((s.start, s.end) for s in scored_list if s.likelihood >= floor)
        for spans in covered.values():
            spans[:] = _merge_windows(spans)
        return [c for c in generic if not _overlaps_any(covered.get(c.rule.entity, []), c.start, c.end)]

    def _match_patterns_and_dictionaries(self, state: _TextState, tracer: _Tracer | None) -> None:
        text = state.text
        candidates: list[Candidate] = []
        hits = self.scanner.scan(text, state.tables)
        for key, regions in hits.regions.items():
            owner = self._pattern_owner[key]
            if owner not in state.applicable:
                continue
            rule = self._internal[owner]
            pattern = self.scanner.patterns[key]
            base = pattern.score if pattern.score is not None else rule.score
            # (a traced rule keeps every candidate: the trace shows why each was dropped)
            dropping = self._dropping[key] if tracer is None or tracer.rule_id != rule.id else ()
            for match in self.scanner.find(key, text, regions):
                start, end = match.span(pattern.group)
                if start < 0 or end <= start:
                    continue
                value = text[start:end]
                if dropping and not passes_all(dropping, value):
                    continue
                candidates.append(Candidate.of(rule, start, end, value, "regex", base,
                                               f"pattern {pattern.name!r}", pattern))
        state.gates = hits.gates
        state.gate_ends = hits.ends
        if not self._dictionaries.empty:
            for owner, spans in self._dictionaries.find(text, state.applicable).items():
                rule = self._internal[owner]
                spec = rule.dictionary
                base = spec.score if spec is not None and spec.score is not None else rule.score
                for start, end in spans:
                    candidates.append(Candidate.of(rule, start, end, text[start:end], "dictionary", base, "dictionary"))
        self._candidates_scored(state, candidates, tracer)

    def _run_ner(self, states: list[_TextState], reported: frozenset[int], tracer: _Tracer | None) -> None:
        assert self._ner is not None
        jobs: list[tuple[int, int, str]] = []  # (state index, offset, text)
        for index, state in enumerate(states):
            ner_rules = [i for i in self._ner_rules if i in state.applicable]
            if not ner_rules:
                continue
            state.ner_text = recase(state.text, [self._recase_checks[i] for i in ner_rules if i in self._recase_checks],
                                    self._recase_memo if len(self._recase_memo) < RECASE_MEMO_WORDS else None)
            full = [i for i in ner_rules if i in reported]
            if full:
                for start, end in self._gated_ner_windows(state, full):
                    jobs.append((index, start, state.ner_text[start:end]))
                continue
            for start, end in self._compound_ner_windows(state, set(ner_rules)):
                jobs.append((index, start, state.ner_text[start:end]))
        if not jobs:
            return
        spans = self._ner.entities([piece for _, _, piece in jobs], self._ner_labels)
        per_state: dict[int, list[Candidate]] = {}
        for (index, offset, _), entities in zip(jobs, spans):
            state = states[index]
            for start, end, label in entities:
                for rule_index in self._ner_rules:
                    if rule_index not in state.applicable:
                        continue
                    rule = self._internal[rule_index]
                    entity = rule.ner.entity_for(label)  # type: ignore[union-attr]
                    if entity is None:
                        continue
                    base = rule.ner.score if rule.ner.score is not None else rule.score  # type: ignore[union-attr]
                    for s, e in _entity_lines(state.text, offset + start, offset + end):
                        s, e = _trim_entity(state.text, s, e)
                        if e > s:
                            per_state.setdefault(index, []).append(
                                Candidate.of(rule, s, e, state.ner_text[s:e], "ner", base, f"ner:{label}",
                                             extra_validators=rule.ner.validators))  # type: ignore[union-attr]
        for index, candidates in per_state.items():
            self._candidates_scored(states[index], _dedupe(candidates), tracer)

    def _ner_gate_prefilters(self) -> dict[int, tuple[str, str]]:
        """A Hyperscan gate for each NER gate entry, by the entry's id: the entry's Python regex then runs only
        on texts where Hyperscan's prefilter (a superset of its matches) fired. Entries with flags other than
        Unicode keep running on every text (Hyperscan's gates are compiled case-sensitive)."""
        prefilters: dict[int, tuple[str, str]] = {}
        for index in self._ner_rules:
            for gate in self._internal[index].ner.gate:  # type: ignore[union-attr]
                if id(gate) not in prefilters and gate.pattern.flags & ~re.UNICODE == 0:
                    prefilters[id(gate)] = (f"ner-gate-{len(prefilters)}", gate.pattern.pattern)
        return prefilters

    def _gated_ner_windows(self, state: _TextState, rule_indexes: list[int]) -> list[tuple[int, int]]:
        """The whole text, or, when every rule gates its NER, windows around the gate matches that do not
        touch a match some rule's patterns or dictionary already report: the rule's own (NER would only find
        it again), or another rule's (a name is not part of a secret, an IBAN or a "STRICTLY CONFIDENTIAL").
        A match of an entity the rule's `gate_through` names shuts a gate match that ends inside it only when
        no capitalised word follows it: a name may go on after a weekday or a nationality ("Sunday Telegraph",
        "German Air Force"), while "by Sunday." or "Plain English please" opens no window."""
        text = state.ner_text or state.text
        # the Hyperscan pass read the text as written; recasing makes new capitals for the gates to match
        prefiltered = text is state.text
        windows: list[tuple[int, int]] = []
        found_through: dict[frozenset[str], list[tuple[int, int]]] = {}  # per set of entities a gate passes
        everything: list[tuple[int, int]] | None = None
        seen: set[tuple[int, int, bool, frozenset[str]]] = set()  # rules often share their gate entries
        for index in rule_indexes:
            spec = self._internal[index].ner
            assert spec is not None
            if not spec.gate:
                return [(0, len(text))] if text else []
            found = found_through.get(spec.gate_through)
            if found is None:
                found = found_through[spec.gate_through] = self._reportable_spans(state, spec.gate_through)
            if spec.gate_through and everything is None:
                everything = self._reportable_spans(state)
            for gate in spec.gate:
                if (id(gate), spec.gate_window, spec.gate_line, spec.gate_through) in seen:
                    continue
                seen.add((id(gate), spec.gate_window, spec.gate_line, spec.gate_through))
                prefilter = self._ner_gate_names.get(id(gate))
                if prefiltered and prefilter is not None and prefilter[0] not in state.gates:
                    continue
                for match in gate.pattern.finditer(text):
                    start, end = match.span()
                    if found and _overlaps_any(found, start, end):
                        continue
                    if spec.gate_through and everything:
                        reaches = _span_reaching(everything, start, end)
                        if reaches is not None and not _NAME_GOES_ON.match(text, reaches):
                            continue
                    if gate.validators and not self._gate_accepts(gate, match.group()):
                        continue
                    window = _snap(text, max(0, start - spec.gate_window), min(len(text), end + spec.gate_window))
                    windows.append(_within_line(text, window, start, end) if spec.gate_line else window)
        return _merge_windows(windows)

    def _gate_accepts(self, gate: GateSpec, value: str) -> bool:
        """Whether a gate match passes the entry's validators (word lists: pure), remembered: names and
        capitalised words repeat across texts."""
        key = (id(gate), value)
        passes = self._gate_memo.get(key)
        if passes is None:
            passes = gate.accepts(value)
            if len(self._gate_memo) < GATE_MEMO_VALUES:
                self._gate_memo[key] = passes
        return passes

    def _reportable_spans(self, state: _TextState, through: frozenset[str] = frozenset()) -> list[tuple[int, int]]:
        """Spans of the matches found so far (patterns and dictionaries, every rule but those of the entities
        `through`) at or above their rule's minimum likelihood, sorted, overlaps merged."""
        spans = []
        for index, scored in state.scored.items():
            if self._internal[index].entity in through:
                continue
            floor = max(self.min_likelihood, self._internal[index].min_likelihood or self.min_likelihood)
            spans.extend((s.start, s.end) for s in scored if s.likelihood >= floor)
        return _merge_windows(spans)

    def _compound_ner_windows(self, state: _TextState, ner_rules: set[int]) -> list[tuple[int, int]]:
        """Windows where a compound rule's non-NER components already matched."""
        windows: list[tuple[int, int]] = []
        length = len(state.text)
        for compound_index in self._compound_rules:
            if compound_index not in state.applicable:
                continue
            spec = self._internal[compound_index].compound
            assert spec is not None
            indexes = [self._index[c] for c in spec.components]
            if not any(i in ner_rules for i in indexes):
                continue
            others = [i for i in indexes if i not in ner_rules]
            if not others:
                return [(0, length)]
            # every non-NER component must be present for the compound to be possible
            if not all(state.scored.get(i) for i in others):
                continue
            for i in others:
                for scored in state.scored[i]:
                    start = max(0, scored.start - spec.window)
                    end = min(length, scored.end + spec.window)
                    windows.append(_snap(state.text, start, end))
        return _merge_windows(windows)

    def _match_compounds(self, state: _TextState, tracer: _Tracer | None) -> None:
        candidates: list[Candidate] = []
        for compound_index in self._compound_rules:
            if compound_index not in state.applicable:
                continue
            rule = self._internal[compound_index]
            spec = rule.compound
            assert spec is not None
            anchors = self._component_matches(state, spec.anchor)
            if not anchors:
                continue
            nears = [_ByStart(self._component_matches(state, near)) for near in spec.near]
            for anchor in anchors:
                parts = [anchor]
                for options in nears:
                    closest = options.closest(anchor, spec.window)
                    if closest is None:
                        break
                    parts.append(closest)
                else:
                    start = min(p.start for p in parts)
                    end = max(p.end for p in parts)
                    base = max(rule.score, min(p.score for p in parts))
                    names = " + ".join(f"{p.candidate.rule.id}[{p.start}:{p.end}]" for p in parts)
                    candidates.append(Candidate.of(rule, start, end, state.text[start:end], "compound", base, names))
        if candidates:
            self._candidates_scored(state, candidates, tracer)

    def _component_matches(self, state: _TextState, rule_id: str) -> list[Scored]:
        index = self._index[rule_id]
        floor = self._internal[index].min_likelihood
        return [s for s in state.scored.get(index, []) if floor is None or s.likelihood >= floor]

    def _match_decoded(self, state: _TextState, depth: int, tracer: _Tracer | None,
                       explain_reported: frozenset[int] | None) -> None:
        assert self._run_finder is not None
        runs = self._run_finder.runs(state.text, state.gates, state.gate_ends)
        if not runs:
            return
        allowed = frozenset(i for i in state.applicable if self._internal[i].decoded)
        if tracer is None:
            results = self._analyze([run.decoded for run in runs], [allowed] * len(runs), depth + 1, None)
        else:  # one run at a time, so each trace record knows its run
            results = []
            for run in runs:
                inner = _Tracer(tracer.rule_id)
                results.extend(self._analyze([run.decoded], [allowed], depth + 1, inner, explain_reported))
                for candidate, steps, scored, reason, score in inner.records:
                    steps.insert(0, TraceStep("decoded", f"inside a {run.encoding} run at [{run.start}:{run.end}]"))
                    tracer.records.append((candidate, steps, scored, reason, score))
        for run, matches in zip(runs, results):
            for match in matches:
                tags = match.tags
                if not match.decoded:
                    tags = (*tags, f"decoded:{run.encoding}", f"decoded_span:{match.start}-{match.end}")
                state.decoded.append(Match(
                    rule_id=match.rule_id, entity=match.entity, start=run.start, end=run.end, score=match.score,
                    likelihood=match.likelihood, severity=match.severity, detector=match.detector,
                    value=match.value, decoded=True, tags=tags))

    def _finish(self, state: _TextState, reported: frozenset[int], tracer: _Tracer | None) -> list[Match]:
        matches: list[Match] = []
        for index, scored_list in state.scored.items():
            if index not in reported:
                continue
            rule = self._internal[index]
            floor = max(self.min_likelihood, rule.min_likelihood or self.min_likelihood)
            kept = _resolve_overlaps(scored_list)
            if tracer is not None and rule.id == tracer.rule_id:
                self._note_outcomes(tracer, scored_list, kept, floor)
            for scored in kept:
                if scored.likelihood < floor:
                    continue
                candidate = scored.candidate
                entity = rule.entity
                if candidate.detector == "ner" and rule.ner is not None:
                    entity = rule.ner.entity_for(candidate.source.split(":", 1)[1]) or rule.entity
                matches.append(Match(
                    rule_id=rule.id, entity=entity, start=scored.start, end=scored.end, score=scored.score,
                    likelihood=scored.likelihood.name, severity=rule.severity, detector=candidate.detector,
                    value=scored.value, decoded=False, tags=rule.tags))
            if rule.repeats == "names":
                own = [m for m in matches if m.rule_id == rule.id]
                listed = _listed_names(state.text, own, [s for s in kept if s.likelihood < floor
                                                         and s.candidate.detector == "ner" and " " not in s.value])
                if listed and tracer is not None and rule.id == tracer.rule_id:
                    _note_listed(tracer, listed)
                matches.extend(match for _, match in listed)
                matches.extend(_name_repeats(state.text, own + [match for _, match in listed]))
            elif rule.repeats:
                matches.extend(_repeats(state.text, [m for m in matches if m.rule_id == rule.id]))
        matches = _best_of_exclusive(matches, self._exclusive)
        matches.extend(m for m in state.decoded if self._index.get(m.rule_id) in reported)
        if self._generic and len(matches) > 1:
            matches = _without_generic_overlaps(matches, self._generic)
        matches.sort(key=lambda m: (m.start, m.end, m.rule_id))
        return matches

    @staticmethod
    def _note_outcomes(tracer: _Tracer, scored_list: list[Scored], kept: list[Scored], floor: Likelihood) -> None:
        kept_ids = {id(s) for s in kept}
        for position, (candidate, steps, scored, reason, score) in enumerate(tracer.records):
            if scored is None or not any(scored is s for s in scored_list):
                continue
            if id(scored) not in kept_ids:
                steps.append(TraceStep("overlap", "a higher-scoring match of this rule overlaps it", 0.0, scored.score))
                tracer.records[position] = (candidate, steps, None, "overlapped by a better match", score)
            elif scored.likelihood < floor:
                steps.append(TraceStep("likelihood", f"{scored.likelihood.name} is below the minimum {floor.name}",
                                       0.0, scored.score))
                tracer.records[position] = (candidate, steps, None, f"below minimum likelihood {floor.name}", score)

    def _traces(self, tracer: _Tracer) -> list[Trace]:
        traces = []
        for candidate, steps, scored, reason, score in tracer.records:
            likelihood = scored.likelihood.name if scored is not None else _likelihood_name(score)
            traces.append(Trace(
                rule_id=candidate.rule.id, detector=candidate.detector,
                start=scored.start if scored is not None else candidate.start,
                end=scored.end if scored is not None else candidate.end,
                value=scored.value if scored is not None else candidate.value,
                steps=tuple(steps), score=score, likelihood=likelihood,
                reported=scored is not None, reason=reason))
        traces.sort(key=lambda t: (t.start, t.end))
        return traces


def _likelihood_name(score: float) -> str:
    return likelihood_for(score).name


def _with_floor(policy: Policy, floor: Likelihood) -> Policy:
    return Policy(name=policy.name, packs=policy.packs, enable=policy.enable, disable=policy.disable,
                  paths=policy.paths, min_likelihood=floor, decoding=policy.decoding, file=policy.file,
                  key_lines=policy.key_lines)


def _gap(a: Scored, b: Scored) -> int:
    return max(0, b.start - a.end, a.start - b.end)


class _ByStart:
    """One compound component's matches, sorted by start, for nearest-match lookups without a full scan."""

    __slots__ = ("matches", "starts", "longest")

    def __init__(self, matches: list[Scored]) -> None:
        self.matches = sorted(matches, key=lambda m: m.start)  # stable: ties keep their order
        self.starts = [m.start for m in self.matches]
        self.longest = max((m.end - m.start for m in self.matches), default=0)

    def closest(self, anchor: Scored, window: int) -> Scored | None:
        """The match nearest to `anchor` within `window` characters (the earlier one on a tie), not itself."""
        low = bisect.bisect_left(self.starts, anchor.start - window - self.longest)
        high = bisect.bisect_right(self.starts, anchor.end + window)
        best: Scored | None = None
        best_key = (0, 0)
        for match in self.matches[low:high]:
            if match is anchor:
                continue
            gap = _gap(anchor, match)
            if gap > window:
                continue
            key = (gap, match.start)
            if best is None or key < best_key:
                best, best_key = match, key
        return best


def _snap(text: str, start: int, end: int) -> tuple[int, int]:
    """Grow a window to whitespace so NER never sees half a word."""
    floor = max(0, start - NER_WINDOW_SNAP)
    while start > floor and not text[start - 1].isspace():
        start -= 1
    ceiling = min(len(text), end + NER_WINDOW_SNAP)
    while end < ceiling and not text[end].isspace():
        end += 1
    return start, end


def _within_line(text: str, window: tuple[int, int], start: int, end: int) -> tuple[int, int]:
    """A window around the gate match `start:end` cut at the line breaks before and after the match."""
    ws, we = window
    ws = max(ws, text.rfind("\n", ws, start) + 1)
    cut = text.find("\n", end, we)
    return ws, we if cut < 0 else cut


_ENTITY_BREAK = re.compile(r"\n|[ \t]\|[ \t]")


def _entity_lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """An entity cut at line breaks and at a bar between spaces: the model sometimes runs a name into the
    next line of a list or a signature ("Maisha Hassani\nInternal Audit") or past a title's bar ("Awkward
    George | the blog"), and no name spans either. (A dash between spaces may join two parts of one name.)"""
    pieces = []
    for cut in _ENTITY_BREAK.finditer(text, start, end):
        pieces.append((start, cut.start()))
        start = cut.end()
    pieces.append((start, end))
    return pieces


def _trim_entity(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop a possessive, a leading article and edge punctuation or symbols NER sometimes includes ("Maria
    Garcia's" -> "Maria Garcia", "the Labour Party" -> "Labour Party", "- Maria Garcia" -> "Maria Garcia",
    "Maria ♥" -> "Maria", "Maria Garcia &" -> "Maria Garcia": the model stopped inside a list of names)."""
    if text.endswith(("'s", "’s"), start, end):
        end -= 2
    if text.startswith(("the ", "The "), start) and end - start > 4:  # "the Labour Party": the article is no part
        start += 4
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:!?)]\"'’&" or unicodedata.category(text[end - 1]) == "So"):
        end -= 1
    while start < end and (text[start].isspace() or text[start] in "(\"'‘"
                           or text[start] in "-–—•*·" and text[start + 1:start + 2].isspace()):  # a list bullet
        start += 1
    return start, end


def _overlaps_any(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Whether [start, end) overlaps one of `spans` (sorted, non-overlapping)."""
    position = bisect.bisect_left(spans, (end,))  # the spans starting before `end`
    return position > 0 and spans[position - 1][1] > start


def _span_reaching(spans: list[tuple[int, int]], start: int, end: int) -> int | None:
    """The end of the span of `spans` (sorted, non-overlapping) that overlaps [start, end) and reaches its
    end, if one does."""
    position = bisect.bisect_left(spans, (end,))  # the spans starting before `end`
    if position > 0 and spans[position - 1][1] > start and spans[position - 1][1] >= end:
        return spans[position - 1][1]
    return None


def _merge_windows(windows: list[tuple[int, int]]) -> list[tuple[int, int]]:
    windows.sort()
    merged: list[tuple[int, int]] = []
    for start, end in windows:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


MIN_REPEAT_LENGTH = 8  # shorter values (a PIN, a short password) recur in text by chance


_TOKEN_PUNCTUATION = frozenset("_-+/=.$@%~")


def _is_token_char(ch: str) -> bool:
    """Part of the same token: a repeat must stand alone, not sit inside a longer value."""
    return ch.isalnum() or ch in _TOKEN_PUNCTUATION


def _repeats(text: str, found: list[Match]) -> list[Match]:
    """Every other whole-token occurrence of the values in `found` (one rule's matches in `text`):
    a value that is a secret in one place is the same secret wherever else it is written."""
    taken = sorted((m.start, m.end) for m in found)
    extra: list[Match] = []
    for match in found:
        value = text[match.start:match.end]
        if len(value) < MIN_REPEAT_LENGTH:
            continue
        at = text.find(value)
        while at >= 0:
            end = at + len(value)
            whole = (at == 0 or not _is_token_char(text[at - 1])) and (end == len(text) or not _is_token_char(text[end]))
            if whole and not _overlaps_any(taken, at, end):
                bisect.insort(taken, (at, end))
                extra.append(replace(match, start=at, end=end))
            at = text.find(value, at + 1)
    return extra


MIN_NAME_REPEAT_LENGTH = 3  # "Al", "Li" recur inside other words and names
# a repeat of a name stands alone: no letter, digit, joiner or handle sign next to it, nor another capitalised word
# ("Tom Ferguson", "Ferguson Holdings" are other names)
_NAME_REPEAT_BEFORE = re.compile(r"[\w@#&'’-]")
_NAME_REPEAT_AFTER = re.compile(r"[\w@#&-]|['’](?![sS](?!\w))")  # a possessive may follow: "Ferguson's"
_CAPITALISED_NEIGHBOUR_BEFORE = re.compile(r"[A-ZÀ-ÖØ-Þ][\w'’-]*[ \t]+$")
_CAPITALISED_NEIGHBOUR_AFTER = re.compile(r"[ \t]+[A-ZÀ-ÖØ-Þ]")


_LIST_SEPARATOR = list_separator("and|or|&")


def _listed_names(text: str, found: list[Match], weak: list[Scored]) -> list[tuple[Scored, Match]]:
    """The one-word names of `weak` (the model's, scored too low to report alone) that stand in a list with a
    name of `found` (one rule's matches in `text`), or with one so added: next to it, with a comma, "and" or "or"
    between ("Okafor, Brennan, or Ruiz"). Each is reported as its neighbour in the list is: (the weak match, what
    is reported)."""
    if not found or not weak:
        return []
    listed: list[tuple[Scored, Match]] = []
    pending = list(weak)
    queue = list(found)
    while queue and pending:
        name = queue.pop()
        for scored in list(pending):
            left, right = (name.end, scored.start) if name.end <= scored.start else (scored.end, name.start)
            if 0 < right - left <= 6 and _LIST_SEPARATOR.fullmatch(text, left, right):
                pending.remove(scored)
                match = replace(name, start=scored.start, end=scored.end, value=scored.value, detector="ner")
                listed.append((scored, match))
                queue.append(match)
    return listed


def _note_listed(tracer: _Tracer, listed: list[tuple[Scored, Match]]) -> None:
    """Mark the traces of the names `_listed_names` reported."""
    by_candidate = {id(scored.candidate): (scored, match) for scored, match in listed}
    for position, (candidate, steps, _, _, _) in enumerate(tracer.records):
        if id(candidate) in by_candidate:
            scored, match = by_candidate[id(candidate)]
            steps.append(TraceStep("listed", "in a list with a reported name", match.score - scored.score, match.score))
            tracer.records[position] = (candidate, steps, replace(scored, score=match.score,
                                        likelihood=Likelihood[match.likelihood]), "reported", match.score)


def _name_repeats(text: str, found: list[Match]) -> list[Match]:
    """Every other occurrence, written the same way, of the names in `found` (one rule's matches in `text`) and of
    the family name (the last word, capitalised, 3 letters or more) of each name of several words: the person
    named "Alex Ferguson" once is "Ferguson" further on."""
    taken = sorted((m.start, m.end) for m in found)
    extra: list[Match] = []
    for match in found:
        value = text[match.start:match.end]
        forms = [value]
        words = value.split()
        if len(words) > 1 and words[-1][:1].isupper() and len(words[-1]) >= MIN_NAME_REPEAT_LENGTH:
            forms.append(words[-1])
        for form in forms:
            # a name in the case names are written in: the model's lower-case or odd-case guesses are not repeated
            if len(form) < MIN_NAME_REPEAT_LENGTH or not all(word.istitle() for word in form.split()):
                continue
            at = text.find(form)
            while at >= 0:
                end = at + len(form)
                if (not (at and _NAME_REPEAT_BEFORE.match(text, at - 1)) and not _NAME_REPEAT_AFTER.match(text, end)
                        and not _CAPITALISED_NEIGHBOUR_BEFORE.search(text, max(0, at - 32), at)
                        and not _CAPITALISED_NEIGHBOUR_AFTER.match(text, end)
                        and not _overlaps_any(taken, at, end)):
                    bisect.insort(taken, (at, end))
                    extra.append(replace(match, start=at, end=end, value=form))
                at = text.find(form, at + 1)
    return extra


def _without_generic_overlaps(matches: list[Match], generic: frozenset[str]) -> list[Match]:
    """Drop a generic rule's match where a non-generic rule reports an overlapping match of the
    same entity: one secret is reported once, by the rule that knows what it is."""
    if not any(match.rule_id in generic for match in matches):
        return matches
    specific: dict[str, list[tuple[int, int]]] = {}
    for match in matches:
        if match.rule_id not in generic:
            specific.setdefault(match.entity, []).append((match.start, match.end))
    if not specific:
        return matches
    for spans in specific.values():
        spans[:] = _merge_windows(spans)
    return [m for m in matches
            if m.rule_id not in generic or not _overlaps_any(specific.get(m.entity, []), m.start, m.end)]


def _dedupe(candidates: list[Candidate]) -> list[Candidate]:
    seen: set[tuple[str, int, int]] = set()
    unique = []
    for candidate in candidates:
        key = (candidate.rule.id, candidate.start, candidate.end)
        if key not in seen:
            seen.add(key)
            unique.append(candidate)
    return unique


EXCLUSIVE_MARGIN = 0.15  # how much higher a score must be to overrule another reading of the same value


def _best_of_exclusive(matches: list[Match], exclusive: frozenset[str] | set[str]) -> list[Match]:
    """Where matches of different `exclusive` rules overlap, keep one reading of the value: a match whose
    span holds the other's whole and more (a Thai id of which a phone rule read only a prefix) wins, else
    a clearly higher score (a check digit and a word that names it, against a bare parse as a phone
    number). Scores closer than EXCLUSIVE_MARGIN keep both: eight digits and a letter that pass both a
    Spanish DNI's and a Singapore UEN's check are as likely the one as the other."""
    candidates = sorted((m for m in matches if m.rule_id in exclusive), key=lambda m: m.start)
    if len(candidates) < 2:
        return matches
    beaten: set[int] = set()
    for i, match in enumerate(candidates):
        for other in candidates[i + 1:]:
            if other.start >= match.end:
                break
            if other.rule_id != match.rule_id:
                loser = _weaker_reading(match, other)
                if loser is not None:
                    beaten.add(id(loser))
    return [m for m in matches if id(m) not in beaten] if beaten else matches


def _weaker_reading(a: Match, b: Match) -> Match | None:
    """Of two overlapping matches, the one to drop (None: keep both)."""
    if (a.start, a.end) != (b.start, b.end):
        if a.start <= b.start and b.end <= a.end:
            return b
        if b.start <= a.start and a.end <= b.end:
            return a
    elif a.entity == b.entity:
        # two rules of one entity (a phone number's national and digits-only forms) read the value alike; at
        # equal scores the rule whose id sorts first stays, so the outcome never depends on the order in which
        # the pattern database reports hits
        if a.score != b.score:
            return a if a.score < b.score else b
        return a if a.rule_id > b.rule_id else b
    if abs(a.score - b.score) < EXCLUSIVE_MARGIN - 1e-9:
        return None
    return a if a.score < b.score else b


def _resolve_overlaps(scored: list[Scored]) -> list[Scored]:
    """One rule never reports two overlapping spans: the higher score wins, then the longer span."""
    if len(scored) < 2:
        return list(scored)
    ranked = sorted(scored, key=lambda s: (-s.score, -(s.end - s.start), s.start))
    starts: list[int] = []  # kept spans, sorted by start (they never overlap each other)
    kept: list[Scored] = []
    for candidate in ranked:
        index = bisect.bisect_right(starts, candidate.start)
        if index > 0 and kept[index - 1].end > candidate.start:
            continue
        if index < len(kept) and kept[index].start < candidate.end:
            continue
        starts.insert(index, candidate.start)
        kept.insert(index, candidate)
    return kept
