"""Regenerate companies.txt: the names of listed companies by which people write them, lower case.

Run from rules/data with the build-time packages installed:
`pip install pytickersymbols english-words spacy-lookups-data && python make_company_list.py`.

pytickersymbols (MIT) ships the members of twenty stock indices (S&P 500 and 600, NASDAQ 100, FTSE 100,
DAX, CAC 40, EURO STOXX 50, NIKKEI 225, ...): about 1,800 companies with their registered names. People
write a company without its legal form ("Starbucks", not "Starbucks Corporation") and often by its first
word ("Verizon" for Verizon Communications), in chat in lower case too ("booked it on airbnb"). So each
name is kept without its legal form and head words of a group ("Inc.", "plc", "Holdings", "Group"), and
its first word alone when that word is no frequent English word (english-words.txt: "american" of
American Express is not kept).

A name is left out when it could as well be an ordinary word, a person or a place: when every word of it
is a word Webster's Second International Dictionary (1934, public domain; english-words package, MIT)
writes in lower case ("Target", "Apple", "Next"), a known given or family name ("Ford", "Dell"), a place, a
nationality, or a word of not-organizations.txt or organization-words.txt. A one-word name is left out too
when it is a common noun of a newer dictionary: a lemma of WordNet 3.0 (Princeton, WordNet licence) that
English text writes more often in lower case than with a capital (spaCy's lexeme probabilities; both as
shipped by spacy-lookups-data, MIT): "disco" and "cactus", which Webster's lacks or has only as a genus,
but not "amazon" or "nike", written with a capital far more often. Written with its legal form ("Cactus
Inc."), such a company is still found by the rule's legal-form pattern. The ORGANIZATION rule reports
the names of this list without the NER model, in any case ("walmart", "VERIZON").
"""

from __future__ import annotations

import gzip
import json
import re
from importlib import resources
from pathlib import Path

from make_dictionary_words import lower_case_entries, stems, words_of  # run as a script from rules/data (see above)

HEADER = """# Listed companies by the names people write them, lower case: the members of twenty stock indices (S&P 500,
# NASDAQ 100, FTSE 100, DAX, CAC 40, NIKKEI 225, ...) as shipped by pytickersymbols (MIT), without their legal
# form, and their first word alone when it is no frequent English word; not a name that could as well be a
# word, a person or a place ("Target", "Ford", "disco"). Regenerate with rules/data/make_company_list.py.
"""
# a legal form or a group's head word at the end of a registered name ("Verizon Communications Inc.")
SUFFIX = re.compile(
    r"(?:,?\s+(?:Inc\.?|Incorporated|Corporation|Corp\.?|Company|Co\.?|Ltd\.?|Limited|plc|PLC|AG|SE|S\.A\.|SA|"
    r"N\.V\.|NV|S\.p\.A\.|SpA|ASA|AB|Oyj|A/S|KGaA|Holdings?|Group|Gruppe|& Co\.?|L\.P\.|LP))+$")
NOT_NAMES = ("first-names.txt", "last-names.txt", "census-names.txt", "places.txt", "nrp.txt",
             "not-organizations.txt", "organization-words.txt", "common-words.txt")
MIN_LETTERS = 4  # "U.S." of U.S. Bancorp, "ABM": too short to tell from an abbreviation


def short_name(registered: str) -> str:
    """The name without brackets, a leading "The" and its legal form: "The Coca-Cola Company" -> "Coca-Cola"."""
    name = re.sub(r"\s*\(.*?\)", "", registered).strip()
    name = re.sub(r"^The\s+", "", name)
    previous = None
    while previous != name:
        previous = name
        name = SUFFIX.sub("", name).strip(" ,")
    return name


def company_names(registered: list[str], ordinary: set[str], frequent: set[str],
                  common_nouns: frozenset[str] = frozenset()) -> set[str]:
    """The written forms of the registered names that are no ordinary word, person or place; `common_nouns`
    are words that name no company when written alone."""
    names: set[str] = set()
    for full in registered:
        name = short_name(full).lower()
        words = [word.removesuffix("'s").removesuffix("’s") for word in re.findall(r"[\w'’&.-]+", name)]
        if not words or sum(ch.isalpha() for ch in name) < MIN_LETTERS:
            continue
        if all(len(word) <= 2 or _listed(word, ordinary, frequent) for word in words):
            continue
        written = {name}
        first = words[0]
        if (len(words) > 1 and re.fullmatch(r"[a-z][a-z-]{%d,}" % (MIN_LETTERS - 1), first)
                and not _listed(first, ordinary, frequent) and first not in frequent):
            written.add(first)
        written -= {form for form in written if form in common_nouns
                    or any(stem in common_nouns for stem in stems(form))}  # "diodes"
        names.update(written)
        names.update(form.replace("-", "") for form in written if "-" in form)  # "t-mobile" is written "tmobile" too
    return names


def _listed(word: str, ordinary: set[str], frequent: set[str]) -> bool:
    """An ordinary word, or a regular inflection of a frequent one ("employers"; not "starbucks")."""
    return word in ordinary or any(stem in ordinary and stem in frequent for stem in stems(word))


def lower_case_lemmas() -> frozenset[str]:
    """WordNet's lemmas that English text writes more often in lower case than capitalised ("disco",
    "cactus"; not "amazon"), from spacy-lookups-data's English tables."""
    try:
        data = resources.files("spacy_lookups_data") / "data"
    except ModuleNotFoundError:
        raise SystemExit("install spacy-lookups-data first: pip install spacy-lookups-data") from None
    with (data / "en_lemma_index.json.gz").open("rb") as handle:
        lemmas = {word for words in json.loads(gzip.decompress(handle.read())).values() for word in words}
    with (data / "en_lexeme_prob.json.gz").open("rb") as handle:
        prob: dict[str, float] = json.loads(gzip.decompress(handle.read()))
    unseen = min(prob.values()) - 1.0
    return frozenset(word for word in lemmas if word.isalpha() and word.islower()
                     and prob.get(word, unseen) > prob.get(word.capitalize(), unseen))


def main() -> None:
    try:
        from pytickersymbols import PyTickerSymbols
    except ImportError:
        raise SystemExit("install pytickersymbols first: pip install pytickersymbols") from None
    here = Path(__file__).resolve().parent
    ordinary = lower_case_entries() | {word for file in NOT_NAMES for word in words_of(here / file)}
    frequent = set(words_of(here / "english-words.txt"))
    registered = sorted({stock["name"] for stock in PyTickerSymbols().get_all_stocks() if stock.get("name")})
    names = sorted(company_names(registered, ordinary, frequent, lower_case_lemmas()))
    (here / "companies.txt").write_text(HEADER + "\n".join(names) + "\n", encoding="utf-8")
    print(f"wrote {len(names)} names of {len(registered)} companies")


if __name__ == "__main__":
    main()
