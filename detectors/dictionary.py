"""Dictionary matching: every term of every dictionary rule in one Aho-Corasick pass.

Tens of thousands of terms cost one linear pass over the text (never a giant
regex alternation). Case-insensitive terms are matched on a case-folded copy
of the text that keeps character offsets.
"""

from __future__ import annotations

from collections.abc import Set
from typing import Sequence

import ahocorasick

from detectors.model import DictionarySpec


def fold(text: str) -> str:
    """Lower-case `text` without changing its length (characters whose lower case is longer stay as they are)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(low if len(low := ch.lower()) == 1 else ch for ch in text)


class DictionaryMatcher:
    """Finds dictionary terms for many rules at once; results are keyed by the caller's rule key."""

    def __init__(self, dictionaries: Sequence[tuple[int, DictionarySpec]]) -> None:
        self._exact = ahocorasick.Automaton()
        self._folded = ahocorasick.Automaton()
        payloads: dict[tuple[bool, str], list[tuple[int, bool]]] = {}
        for key, spec in dictionaries:
            for term in spec.terms:
                stored = term if spec.case_sensitive else fold(term)
                payloads.setdefault((spec.case_sensitive, stored), []).append((key, spec.whole_word))
        for (case_sensitive, stored), entries in payloads.items():
            automaton = self._exact if case_sensitive else self._folded
            automaton.add_word(stored, (len(stored), tuple(entries)))
        self._has_exact = len(self._exact) > 0
        self._has_folded = len(self._folded) > 0
        if self._has_exact:
            self._exact.make_automaton()
        if self._has_folded:
            self._folded.make_automaton()

    @property
    def empty(self) -> bool:
        return not (self._has_exact or self._has_folded)

    def find(self, text: str, keys: Set[int] | None = None) -> dict[int, list[tuple[int, int]]]:
        """Non-overlapping (leftmost, then longest) term spans per rule key."""
        found: dict[int, list[tuple[int, int]]] = {}
        if self._has_exact:
            self._collect(self._exact, text, text, keys, found)
        if self._has_folded:
            self._collect(self._folded, fold(text), text, keys, found)
        return {key: _leftmost_longest(spans) for key, spans in found.items()}

    @staticmethod
    def _collect(automaton: ahocorasick.Automaton, haystack: str, text: str, keys: Set[int] | None,
                 found: dict[int, list[tuple[int, int]]]) -> None:
        length = len(text)
        for last, (size, entries) in automaton.iter(haystack):
            start, end = last - size + 1, last + 1
            for key, whole_word in entries:
                if keys is not None and key not in keys:
                    continue
                if whole_word and not _on_word_boundaries(text, start, end, length):
                    continue
                found.setdefault(key, []).append((start, end))


def _on_word_boundaries(text: str, start: int, end: int, length: int) -> bool:
    # a term edge that is itself punctuation ("Mr.") needs no boundary there
    if text[start].isalnum() and start > 0 and text[start - 1].isalnum():
        return False
    if text[end - 1].isalnum() and end < length and text[end].isalnum():
        return False
    return True


def _leftmost_longest(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    spans.sort(key=lambda span: (span[0], -span[1]))
    chosen: list[tuple[int, int]] = []
    last_end = -1
    for start, end in spans:
        if start >= last_end:
            chosen.append((start, end))
            last_end = end
    return chosen
