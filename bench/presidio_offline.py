"""Presidio's `AnalyzerEngine`, offline: the local spaCy model package, and no public-suffix-list download.

Presidio's email recognizer validates domains with tldextract, whose module-level
extractor fetches the public-suffix list from the network on first use (and
falls back to its bundled snapshot when that fails, silently). While a
`PresidioAnalyzer` is open, that extractor is swapped for one that reads the
bundled snapshot only (`suffix_list_urls=()`, no cache directory); the swap is
undone on close. The spaCy model is the installed package named in
`PresidioSettings` (Presidio downloads a model only when it is not installed).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from detectors.ner import DEFAULT_NER_MODEL

# Presidio's entity names where they differ from the ground truth's; every other name is the same.
PRESIDIO_TO_TRUTH = {"EMAIL": "EMAIL_ADDRESS"}
PRESIDIO_NER_RECOGNIZER = "SpacyRecognizer"


@dataclass(frozen=True)
class PresidioSettings:
    model: str = DEFAULT_NER_MODEL
    ner: bool = True  # False: no SpacyRecognizer and no "ner" component in the spaCy pipeline
    language: str = "en"


@dataclass(frozen=True, slots=True)
class PresidioSpan:
    entity: str  # already mapped to the ground truth's name
    start: int
    end: int
    score: float


def truth_entity(presidio_entity: str) -> str:
    return PRESIDIO_TO_TRUTH.get(presidio_entity, presidio_entity)


class PresidioAnalyzer:
    """`with PresidioAnalyzer(settings) as presidio: presidio.analyze_all(texts)`."""

    def __init__(self, settings: PresidioSettings | None = None) -> None:
        self.settings = settings or PresidioSettings()
        self._engine: Any = None
        self._saved_extractor: Any = None

    def __enter__(self) -> PresidioAnalyzer:
        import tldextract
        import tldextract.tldextract as tld_module

        self._saved_extractor = tld_module.TLD_EXTRACTOR
        tld_module.TLD_EXTRACTOR = tldextract.TLDExtract(cache_dir=None, suffix_list_urls=(), fallback_to_snapshot=True)
        try:
            self._engine = _build_engine(self.settings)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        import tldextract.tldextract as tld_module

        if self._saved_extractor is not None:
            tld_module.TLD_EXTRACTOR = self._saved_extractor
            self._saved_extractor = None
        self._engine = None

    @property
    def engine(self) -> Any:
        if self._engine is None:
            raise RuntimeError("open the PresidioAnalyzer with `with` first")
        return self._engine

    def supported_entities(self) -> frozenset[str]:
        return frozenset(truth_entity(e) for e in self.engine.get_supported_entities(self.settings.language))

    def analyze(self, text: str) -> list[PresidioSpan]:
        """Presidio's own defaults: every recognizer, no score threshold."""
        results = self.engine.analyze(text=text, language=self.settings.language)
        return [PresidioSpan(truth_entity(r.entity_type), r.start, r.end, r.score) for r in results]

    def analyze_all(self, texts: Sequence[str]) -> list[list[PresidioSpan]]:
        return [self.analyze(text) for text in texts]


def _build_engine(settings: PresidioSettings) -> Any:
    from presidio_analyzer import AnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider

    configuration = {
        "nlp_engine_name": "spacy",
        "models": [{"lang_code": settings.language, "model_name": settings.model}],
    }
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"\[W095\]")  # the default model is spaCy 3.7's md: see detectors/ner.py
        nlp_engine = NlpEngineProvider(nlp_configuration=configuration).create_engine()
    engine = AnalyzerEngine(nlp_engine=nlp_engine, supported_languages=[settings.language])
    if not settings.ner:
        # Presidio still runs spaCy for the tokens and lemmas its context words need; only NER goes.
        engine.registry.remove_recognizer(PRESIDIO_NER_RECOGNIZER)
        nlp = nlp_engine.nlp[settings.language]
        if "ner" in nlp.pipe_names:
            nlp.remove_pipe("ner")
    return engine
