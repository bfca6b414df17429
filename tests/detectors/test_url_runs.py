"""URL-encoded runs are looked for only in the stretches that hold a %XX escape (`decoding.url_stretches`):
the runs found are those the run regex finds over the whole text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from detectors.decoding import URL_GATE, RunFinder, url_stretches
from detectors.policy import DecodingConfig

FINDER = RunFinder(DecodingConfig(min_length=4))
_PIECES = st.sampled_from(["%20", "%2", "%zz", "%41%42", "%", "a", "path/x", "?q=", " ", "\n", "\u00a0", "\u2003",
                           '"', "'", "<", ">", "é", "%E2%82%AC", "%C3%A9t%C3%A9", "ab" * 40])


@given(st.lists(_PIECES, max_size=30).map("".join))
def test_the_stretches_give_the_matches_of_the_whole_text(text: str) -> None:
    whole = [match.span() for match in FINDER._url.finditer(text)]
    local = [match.span() for low, high in url_stretches(text) for match in FINDER._url.finditer(text, low, high)]
    assert local == whole


def test_a_run_in_a_long_document_is_decoded_and_its_stretch_bounded() -> None:
    text = "word " * 2000 + '<a href="https://example.org/a%20b%C3%A9?q=%41">x</a> and 100%25 sure'
    runs = FINDER.runs(text, {URL_GATE})
    assert [(text[r.start:r.end], r.decoded) for r in runs] == [
        ("https://example.org/a%20b%C3%A9?q=%41", "https://example.org/a bé?q=A"), ("100%25", "100%")]
    assert [text[low:high] for low, high in url_stretches(text)] == ["https://example.org/a%20b%C3%A9?q=%41",
                                                                    "100%25"]
