"""The four places a file type lives (sniff, config groups, the extractor table, its module) cannot drift apart."""

from __future__ import annotations

import inspect

import pytest

from dlp.extract.config import DEFAULT_TYPES, IMAGE_GROUP, READABLE_TYPES
from dlp.extract.dispatch import _EXTRACTORS, extractor_for
from dlp.extract.sniff import ENCRYPTED_OFFICE, IMAGE_TYPES, UNREADABLE_TYPES

CONCRETE = sorted((READABLE_TYPES - {IMAGE_GROUP}) | IMAGE_TYPES)


@pytest.mark.parametrize("file_type", CONCRETE)
def test_every_readable_type_reaches_an_extractor_generator(file_type: str) -> None:
    extractor = extractor_for(file_type)
    assert inspect.isgeneratorfunction(extractor), file_type
    assert list(inspect.signature(extractor).parameters)[:2] == ["data", "ctx"]


def test_no_type_is_both_readable_and_unreadable() -> None:
    assert not (set(CONCRETE) & set(UNREADABLE_TYPES))
    assert ENCRYPTED_OFFICE not in _EXTRACTORS


def test_every_extractor_row_is_a_type_the_configuration_can_name() -> None:
    assert set(_EXTRACTORS) == set(CONCRETE)
    assert DEFAULT_TYPES <= READABLE_TYPES
