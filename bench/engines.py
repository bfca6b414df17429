"""The analyzers the detection section compares, each built by name so that worker processes can build their own.

- `default`: our engine with the default policy (rules/default-policy.yaml), NER included, or
  with the rule files and policy of another `EngineSpec`;
- `regex`: the same rules with NER taken out (regex, dictionary, validators, context, compound);
- `ner`: our NER path alone: the rules that use NER, with their regex patterns taken out (gate
  windows, batched `nlp.pipe`, entity trimming and validators stay);
- `spacy-full`: plain spaCy, the model's whole pipeline, `nlp.pipe` over the texts, `doc.ents`;
- `spacy-ner`: plain spaCy with only the components NER needs (what our NER path loads), `nlp.pipe`.

Rules are loaded and selected once (`select`) and each variant is built from
them; building an engine compiles its Hyperscan database, which is not free,
so nothing builds one twice.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from detectors.engine import DEFAULT_NER_MODEL, Engine, EngineSpec
from detectors.errors import RuleError, errors_only
from detectors.likelihood import Likelihood
from detectors.loader import load_rules, resolve_policy, select_rules
from detectors.model import Rule
from detectors.ner import BATCH_PIECES, load_ner_pipeline
from detectors.policy import Policy
from dlp.records import Match, ScanContext

ANALYZERS = ("default", "regex", "ner", "spacy-full", "spacy-ner")
SPACY_BATCH = BATCH_PIECES  # the batch size our NerRunner uses, so that both sides batch alike
# touches the lazily loaded parts (NER, phone metadata, IBAN and SSN tables) so that no timed round pays for them
WARM_UP_TEXT = (
    "Warm-up: Maria Garcia (phone +44 20 7946 0958, mobile 07700 900123, SSN 536-22-8714) wrote to "
    "maria@example.com about card 4111 1111 1111 1111 and IBAN DE89 3704 0044 0532 0130 00."
)

Spans = list[tuple[str, int, int]]  # (entity, start, end) per reported value
# (texts, contexts) -> one list of spans per text
Analyze = Callable[[Sequence[str], Sequence[ScanContext | None]], list[Spans]]


@dataclass(frozen=True)
class RuleSelection:
    """The rules and policy an `EngineSpec` selects, loaded as `Engine.from_spec` loads them, not compiled."""

    spec: EngineSpec
    active: tuple[Rule, ...]
    catalog: tuple[Rule, ...]
    policy: Policy

    @property
    def entities(self) -> frozenset[str]:
        """Every entity name the active rules can report (NER rules may map several labels)."""
        names = {rule.entity for rule in self.active}
        for rule in self.active:
            if rule.ner is not None:
                names.update(entity for _, entity in rule.ner.labels)
        return frozenset(names)


def select(spec: EngineSpec) -> RuleSelection:
    """Load and select rules without building an engine (building compiles the Hyperscan database)."""
    paths, policy = resolve_policy(spec.rule_paths, spec.policy_path)
    if spec.min_likelihood is not None:
        policy = dataclasses.replace(policy, min_likelihood=Likelihood.parse(spec.min_likelihood))
    ruleset = load_rules(paths)
    active, problems = select_rules(ruleset.rules, policy)
    errors = errors_only([*ruleset.problems, *problems])
    if errors:
        raise RuleError(errors)
    return RuleSelection(spec, tuple(active), tuple(ruleset.rules), policy)


def build_engine(name: str, rules: RuleSelection) -> Engine:
    """Our engine as variant `default`, `regex` or `ner`."""
    model = rules.spec.ner_model
    if name == "default":
        return Engine(rules.active, rules.policy, catalog=rules.catalog, ner_model=model)
    if name == "regex":
        stripped = [dataclasses.replace(rule, ner=None) for rule in rules.active]
        return Engine(stripped, rules.policy, ner_model=model)
    if name == "ner":
        ner_only = [dataclasses.replace(rule, patterns=(), dictionary=None) for rule in rules.active if rule.ner]
        if not ner_only:
            raise ValueError("the selected rules have no NER rule")
        return Engine(ner_only, rules.policy, ner_model=model)
    raise ValueError(f"unknown engine variant {name!r}")


def spacy_pipeline(full: bool, model: str = DEFAULT_NER_MODEL) -> Any:
    if not full:
        return load_ner_pipeline(model)
    import spacy

    return spacy.load(model)


def engine_analyze(engine: Engine) -> Analyze:
    def analyze(texts: Sequence[str], contexts: Sequence[ScanContext | None]) -> list[Spans]:
        # every call starts cold: rounds repeat one corpus, and answers remembered from an earlier
        # round (NER windows, validator results) would flatter us
        engine.clear_caches()
        return [_spans(found) for found in engine.analyze_batch(texts, contexts)]

    return analyze


def _spans(found: list[Match]) -> Spans:
    return [(m.entity, m.start, m.end) for m in found]


def spacy_analyze(nlp: Any) -> Analyze:
    def analyze(texts: Sequence[str], contexts: Sequence[ScanContext | None]) -> list[Spans]:
        return [
            [(ent.label_, ent.start_char, ent.end_char) for ent in doc.ents]
            for doc in nlp.pipe(texts, batch_size=SPACY_BATCH)
        ]

    return analyze


def build_analyzer(name: str, rules: RuleSelection) -> Analyze:
    """One of `ANALYZERS`, loaded and warmed up (the NER model is loaded before any timing)."""
    if name in ("default", "regex", "ner"):
        engine = build_engine(name, rules)
        # the warm-up text's name is on the word lists, so it need not reach NER: load the model anyway
        engine.load_models()
        analyze = engine_analyze(engine)
    elif name in ("spacy-full", "spacy-ner"):
        analyze = spacy_analyze(spacy_pipeline(name == "spacy-full", rules.spec.ner_model))
    else:
        raise ValueError(f"unknown analyzer {name!r}; choose one of {', '.join(ANALYZERS)}")
    analyze([WARM_UP_TEXT], [None])
    return analyze
