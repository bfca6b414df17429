"""Long documents built from the detection corpus, at a chosen density of sensitive values.

The corpus (`bench.corpus`) is 1,600-odd short texts of about 130 bytes holding
a planted value every ~160 bytes: timing it measures per-text and per-value
work, not how fast the engine reads a document. Here the same texts are joined
with a blank line ("\\n\\n") into documents of about `document_chars`
characters, mixing texts without labelled values (`not text.gold`) and texts
with valid labelled values so that the documents hold `per_kb` valid values
per KB (1 KB = 1,000 UTF-8 bytes, as 1 MB = 10^6 bytes in the MB/s figures).

How the texts are drawn (a seeded `random.Random`, so one seed gives the same
documents):

- each pool is walked in a shuffled order, reshuffled when used up, so a text
  comes back only after every other text of its pool has been used;
- the labelled pool holds the texts with at least one valid value and at most
  `value_cap` of them (1/8 of the values one document should hold, at least 1):
  at 1 value per 8 KB the values come one at a time, as in real documents,
  not as one table of 40 values; look-alikes in those texts come along (they
  are recorded), texts holding look-alikes only are left out;
- before each text, the next labelled text is placed when the values planted so
  far plus half of its own stay within the target at the bytes written so far
  plus half of its own; otherwise the next text without values goes in. Over
  the whole set of documents the count ends within about half a labelled text's
  values of the target.

`corpus_documents` is the other kind of point: every corpus text in corpus
order, cut into documents of the same size: the corpus's own density.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bench.corpus import Corpus, LabelledText

SEPARATOR = "\n\n"
DOCUMENT_CHARS = 64_000
DOCUMENTS_MB = 0.4  # the total size of the documents of one density
DENSITIES_PER_KB = (0.0, 0.125, 0.5, 2.0)
CORPUS_POINT = "corpus"  # the label of the corpus-order point
KB = 1000  # bytes


@dataclass(frozen=True)
class Document:
    text: str
    parts: tuple[int, ...]  # indices into corpus.texts, joined with SEPARATOR in this order
    valid_values: int
    lookalikes: int

    @property
    def utf8_bytes(self) -> int:
        return len(self.text.encode("utf-8"))


@dataclass(frozen=True)
class DocumentSet:
    label: str  # "0", "0.125", ... or CORPUS_POINT
    target_per_kb: float | None  # None: the corpus's own density
    documents: tuple[Document, ...]

    @property
    def utf8_bytes(self) -> int:
        return sum(d.utf8_bytes for d in self.documents)

    @property
    def valid_values(self) -> int:
        return sum(d.valid_values for d in self.documents)

    @property
    def lookalikes(self) -> int:
        return sum(d.lookalikes for d in self.documents)

    @property
    def per_kb(self) -> float:
        return self.valid_values / (self.utf8_bytes / KB) if self.documents else 0.0

    def texts(self) -> list[str]:
        return [d.text for d in self.documents]

    def describe(self) -> dict[str, object]:
        return {
            "label": self.label, "target_per_kb": self.target_per_kb, "documents": len(self.documents),
            "chars": sum(len(d.text) for d in self.documents), "mb": round(self.utf8_bytes / 1e6, 4),
            "valid_values": self.valid_values, "lookalikes": self.lookalikes, "values_per_kb": round(self.per_kb, 4),
        }  # fmt: skip


def density_label(per_kb: float) -> str:
    return f"{per_kb:g}"


def _valid(text: LabelledText) -> int:
    return sum(1 for g in text.gold if g.valid)


def _lookalikes(text: LabelledText) -> int:
    return sum(1 for g in text.gold if not g.valid)


def _nbytes(text: str) -> int:
    return len(text.encode("utf-8"))


class _Cycle:
    """A pool's indices in shuffled order, reshuffled each time it is used up."""

    def __init__(self, indices: Sequence[int], rng: random.Random) -> None:
        self._indices, self._rng = list(indices), rng
        self._order: list[int] = []

    def __bool__(self) -> bool:
        return bool(self._indices)

    def peek(self) -> int:
        if not self._order:
            self._order = self._indices[:]
            self._rng.shuffle(self._order)
            self._order.reverse()  # pop() from the end takes them in shuffled order
        return self._order[-1]

    def take(self) -> int:
        index = self.peek()
        self._order.pop()
        return index


def value_cap(per_kb: float, document_chars: int = DOCUMENT_CHARS) -> int:
    """The most valid values one drawn text may hold: 1/8 of a document's share, at least 1."""
    return max(1, math.floor(per_kb * document_chars / KB / 8))


def build_documents(
    corpus: Corpus,
    per_kb: float,
    seed: int,
    document_chars: int = DOCUMENT_CHARS,
    total_mb: float = DOCUMENTS_MB,
) -> DocumentSet:
    """Documents of about `document_chars` characters and `total_mb` MB in all, at `per_kb` valid values per KB."""
    if per_kb < 0:
        raise ValueError("the density must not be negative")
    if document_chars < 1 or total_mb <= 0:
        raise ValueError("documents need a positive size")
    rng = random.Random(f"bench.documents:{seed}:{per_kb!r}")
    texts = corpus.texts
    cap = value_cap(per_kb, document_chars)
    clean = _Cycle([i for i, t in enumerate(texts) if not t.gold], rng)
    labelled = _Cycle([i for i, t in enumerate(texts) if 0 < _valid(t) <= cap], rng)
    if per_kb > 0 and not labelled:
        raise ValueError(f"the corpus has no text with 1 to {cap} valid values to plant")
    if not clean and not labelled:
        raise ValueError("the corpus has no text without labelled values")
    sizes = [_nbytes(t.text) for t in texts]
    separator_bytes = _nbytes(SEPARATOR)
    count = max(1, round(total_mb * 1e6 / document_chars))
    written = planted = 0  # bytes and valid values of every document so far
    documents = []
    for _ in range(count):
        parts: list[int] = []
        chars = 0
        while chars < document_chars:
            joint = separator_bytes if parts else 0
            pick = clean
            if per_kb > 0 and labelled:
                candidate = labelled.peek()
                half_values, half_bytes = _valid(texts[candidate]) / 2, (joint + sizes[candidate]) / 2
                if not clean or planted + half_values <= per_kb * (written + half_bytes) / KB:
                    pick = labelled
            index = pick.take()
            parts.append(index)
            chars += (len(SEPARATOR) if len(parts) > 1 else 0) + len(texts[index].text)
            written += joint + sizes[index]
            planted += _valid(texts[index])
        documents.append(_document(corpus, parts))
    return DocumentSet(density_label(per_kb), per_kb, tuple(documents))


def corpus_documents(corpus: Corpus, document_chars: int = DOCUMENT_CHARS) -> DocumentSet:
    """Every corpus text in corpus order, joined and cut (between texts) into documents of about `document_chars`."""
    documents, parts, chars = [], [], 0
    for index, text in enumerate(corpus.texts):
        parts.append(index)
        chars += (len(SEPARATOR) if len(parts) > 1 else 0) + len(text.text)
        if chars >= document_chars:
            documents.append(_document(corpus, parts))
            parts, chars = [], 0
    if parts:
        documents.append(_document(corpus, parts))
    return DocumentSet(CORPUS_POINT, None, tuple(documents))


def density_points(
    corpus: Corpus,
    seed: int,
    densities: Sequence[float] = DENSITIES_PER_KB,
    document_chars: int = DOCUMENT_CHARS,
    total_mb: float = DOCUMENTS_MB,
) -> list[DocumentSet]:
    """One document set per density, then the corpus's own density as the last point."""
    points = [build_documents(corpus, d, seed, document_chars, total_mb) for d in densities]
    return [*points, corpus_documents(corpus, document_chars)]


def _document(corpus: Corpus, parts: Sequence[int]) -> Document:
    chosen = [corpus.texts[i] for i in parts]
    return Document(
        SEPARATOR.join(t.text for t in chosen),
        tuple(parts),
        sum(_valid(t) for t in chosen),
        sum(_lookalikes(t) for t in chosen),
    )


def table_rows(
    documents: dict[str, Any], spread: Callable[[dict[str, float]], str]
) -> tuple[list[str], list[list[str]]]:
    """The "Documents: throughput by density" table of a results dict: one row per density, a column per engine."""
    points = documents["points"]
    engines = list(dict.fromkeys(label for point in points.values() for label in point["throughput"]))
    header = ["values per KB (target)", "documents", "MB", "valid values", "values per KB"]
    header += [f"{label} MB/s" for label in engines]
    rows = []
    for point in points.values():
        target = point["target_per_kb"]
        row = [
            "corpus order" if target is None else f"{target:g}" + (" (clean)" if target == 0 else ""),
            str(point["documents"]),
            f"{point['mb']:.3f}",
            f"{point['valid_values']:,}",
            f"{point['values_per_kb']:.3f}",
        ]
        timed = point["throughput"]
        row += [spread(timed[label]["mb_per_s"]) if label in timed else "-" for label in engines]
        rows.append(row)
    return header, rows


def describe_line(documents: dict[str, Any]) -> str:
    return (
        f"documents of about {documents['document_chars']:,} characters joined from the corpus texts with a blank "
        f"line, about {documents['documents_mb']:g} MB per density, one document per call, seed {documents['seed']}; "
        "MB/s min / median / max over the rounds"
    )
