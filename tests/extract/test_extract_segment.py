"""Segmenting long texts: windows overlap so a value on a border is found, once, at its true offset."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlp.extract import TextPart, segment_parts

SSN = re.compile(r"\d{3}-\d{2}-\d{4}")


def _found_once(item_id: str, parts: list[TextPart], max_chars: int, overlap: int) -> set[tuple[str, int, int]]:
    """What a detector run over the segments stores: (location, absolute start, absolute end), deduplicated."""
    found = set()
    for segment in segment_parts(item_id, parts, max_chars, overlap):
        for match in SSN.finditer(segment.text):
            found.add((segment.location, segment.offset + match.start(), segment.offset + match.end()))
    return found


def test_short_parts_become_one_segment_each_with_location_and_context() -> None:
    parts = [TextPart("hello", "page 1"), TextPart("", "page 2"), TextPart("123", "Sheet!B2", "SSN")]
    segments = list(segment_parts("file-1", parts))
    assert [(s.item_id, s.text, s.location, s.offset, s.context) for s in segments] == [
        ("file-1", "hello", "page 1", 0, ""),
        ("file-1", "123", "Sheet!B2", 0, "SSN"),
    ]


def test_windows_overlap_and_cover_the_whole_text() -> None:
    text = "".join(chr(65 + n % 26) for n in range(250))
    segments = list(segment_parts("i", [TextPart(text, "page 1")], max_chars=100, overlap=20))
    assert [s.offset for s in segments] == [0, 80, 160]
    assert all(s.text == text[s.offset : s.offset + 100] for s in segments)
    assert segments[-1].offset + len(segments[-1].text) == len(text)


def test_a_value_across_a_window_border_is_found_once_at_its_true_offset() -> None:
    text = "x" * 95 + "123-45-6789" + "y" * 200
    assert _found_once("i", [TextPart(text, "page 1")], 100, 20) == {("page 1", 95, 106)}


def test_bad_window_settings_are_refused() -> None:
    with pytest.raises(ValueError):
        list(segment_parts("i", [TextPart("x", "")], max_chars=10, overlap=10))
    with pytest.raises(ValueError):
        list(segment_parts("i", [TextPart("x", "")], max_chars=0))


@settings(max_examples=200, deadline=None)
@given(
    prefix=st.integers(min_value=0, max_value=400),
    suffix=st.integers(min_value=0, max_value=400),
    max_chars=st.integers(min_value=30, max_value=120),
    overlap=st.integers(min_value=11, max_value=29),
)
def test_any_value_shorter_than_the_overlap_is_found_exactly_once(
    prefix: int, suffix: int, max_chars: int, overlap: int
) -> None:
    text = "a" * prefix + "123-45-6789" + "b" * suffix
    assert _found_once("i", [TextPart(text, "")], max_chars, overlap) == {("", prefix, prefix + 11)}


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=600), max_chars=st.integers(1, 80), data=st.data())
def test_segments_always_reassemble_the_text(text: str, max_chars: int, data: st.DataObject) -> None:
    overlap = data.draw(st.integers(0, max_chars - 1))
    rebuilt = [""] * len(text)
    for segment in segment_parts("i", [TextPart(text, "")], max_chars, overlap):
        assert len(segment.text) <= max_chars
        for i, ch in enumerate(segment.text):
            rebuilt[segment.offset + i] = ch
    assert "".join(rebuilt) == text
