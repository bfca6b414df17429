"""Byte offsets of a text's UTF-8 encoding (what Hyperscan reports) mapped back to characters."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from detectors import offsets
from detectors.offsets import OffsetMap, encode_for_scan

# ASCII runs long enough to cross the chunks the non-ASCII characters are looked for in, and characters of
# every UTF-8 width (a lone surrogate is encoded as one '?')
_PIECES = st.sampled_from(["a", "b c", "x" * (offsets.CHUNK - 1), "y" * (offsets.CHUNK + 3), "é", "’", "€", "🙂",
                           "\ud800", "\n"])


@given(st.lists(_PIECES, max_size=12).map("".join))
def test_every_character_boundary_maps_back_to_its_character(text: str) -> None:
    mapping = OffsetMap(text)
    for index in range(len(text) + 1):
        assert mapping.to_char(len(encode_for_scan(text[:index]))) == index


def test_the_non_ascii_characters_are_found_in_order_across_chunks() -> None:
    text = "é" + "a" * (3 * offsets.CHUNK) + "’b🙂" + "c" * offsets.CHUNK + "€"
    found = [(m.start(), m.group()) for m in offsets._non_ascii(text)]
    assert found == [(i, ch) for i, ch in enumerate(text) if not ch.isascii()]
