"""Regenerate first-names.txt and last-names.txt from Faker's person-name lists.

Run from the repository root with Faker installed: `python rules/data/make_name_lists.py`.
The lists feed the PERSON rule's `wordlist` validators (a full name is a known
given name followed by a known family name).
"""

from __future__ import annotations

import importlib
import unicodedata
from pathlib import Path

LOCALES = ["en", "en_US", "en_GB", "en_IE", "en_NZ", "en_IN", "en_KE", "en_NG", "en_PK", "de_DE", "de_AT", "de_CH",
           "fr_FR", "fr_BE", "fr_CA", "fr_CH", "es_ES", "es_MX", "es_AR", "es_CO", "es_CL", "it_IT", "nl_NL", "nl_BE",
           "pt_PT", "pt_BR", "pl_PL", "sv_SE", "da_DK", "no_NO", "fi_FI", "cs_CZ", "sk_SK", "sl_SI", "hr_HR",
           "hu_HU", "ro_RO", "et_EE", "lt_LT", "lv_LV", "is_IS", "ga_IE", "tr_TR", "id_ID", "fil_PH", "tl_PH"]

# Title-case words that are names but far more often ordinary words in business text. They stay in
# the name lists (June Hewitt is a name); common-words.txt lets the PERSON rule reject a pair made
# only of such words ("Will Price", "Grace Period", "Plain English").
COMMON_WORDS = set("""
May Will Mark Bill Grace Hope Joy Faith Art Guy Chance Chase Hunter Page Case Dawn Eve Summer June April August
Major Miles Rich Sterling Prince Duke Earl Baker Cash Price Young King Brown Green White Black Long Short Little
Bell Hall Wood Hill Park Lane Street Field Banks Bond Cost Day March Love West East North South Winter Spring
Rose Gross Best Good Law Money Bank Sale Sales Service Office Team Group Total Summary Report Date Time Note Notes
Key Code Card Number Account Order Invoice New Old Data Read Said Says See Let Can Did Does Just Dear Hello Hi
Thanks Thank Please Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February July September
October November December Christmas Easter Royal Church Temple Castle Ford Chase Wells Fargo Golden Silver Stone
Rock River Lake Sea Ocean Sky Star Sun Moon Snow Storm Rain Wind Fair Free Noble Wise Strong Swift Quick Sharp
Bright Clear Cross Fields Woods Hills Parks Brooks Marsh Moss Gray Grey Salt Sage Shell Small Smart Steel Sweet
Tall Trim Walks Wall Waters Worth Via Van Von Del Della Des Le La Los Las San Santa Saint St Mac Mc Bin Ben Abu
Al El Di Da De Du Do Dos Das Der Den Het Ter Ten Op Am Im Plain English French German Spanish Italian Dutch
Polish Swedish Danish British American Irish Scottish Welsh Manager Director Holiday Period Power Press Post Glass
Fisher Hunt Joiner Mason Miller Potter Taylor Turner Carter Cook Porter Judge Sergeant Bishop Pope Knight Marshal
Dean Deacon Chancellor Sheriff Angel Royal Patience Prudence Charity Mercy Honor Honour Justice Liberty Destiny
Harmony Melody Trinity Unity Serenity Heaven Paradise Journey Echo Sunny Happy Lucky Goody Penny Ginger Candy
Cherry Olive Hazel Ivy Holly Lily Daisy Violet Ruby Pearl Crystal Amber Jade Coral Iris Jasmine Poppy Heather
Autumn Reign Blaze Cloud Forest Meadow Brook Dale Glen Cliff Heath Moor Shore Bay Cove Ridge Rocky Sandy Dusty
""".split())
# Family names among COMMON_WORDS that, after a given name, make a person's name rather than a phrase
# ("Chase Miller", "Mark Banks", "Will Turner"): occupational and place surnames that are rare as
# capitalised nouns in business text. Prices, periods, colours and streets are not among them ("Will Price",
# "Grace Period", "Rich Brown", "Penny Lane" stay ordinary words); the NER model's context decides the rest.
SURNAME_WORDS = set("""
Baker Banks Bishop Brooks Carter Cook Fisher Fields Ford Hunter Joiner Knight Marsh Mason Miller Moss Parks
Porter Potter Taylor Turner Waters Wells Woods
""".split())
HEADER = ("# {what}, one per line: Latin-script names from the person-name lists of the Faker project\n"
          "# (MIT licence), locales: {locales}.\n"
          "# Regenerate with rules/data/make_name_lists.py.\n")


def _names(locale: str, attr: str) -> list[str]:
    try:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
    except ImportError:
        return []
    for klass in provider.__mro__:
        raw = klass.__dict__.get(attr)
        if raw is not None and not isinstance(raw, property):
            return list(raw.keys() if isinstance(raw, dict) else raw)
    return []


def _latin(word: str) -> bool:
    return all(ch.isascii() or unicodedata.name(ch, "").startswith("LATIN") for ch in word)


def _good(word: str) -> bool:
    return word.isalpha() and len(word) >= 2 and word[0].isupper() and not word.isupper() and _latin(word)


def main() -> None:
    firsts: set[str] = set()
    lasts: set[str] = set()
    for locale in LOCALES:
        for attr in ("first_names", "first_names_male", "first_names_female", "first_names_nonbinary"):
            firsts |= {w for w in _names(locale, attr) if _good(w)}
        for name in _names(locale, "last_names"):
            if _good(name):
                lasts.add(name)
            # compound surnames ("García-López", "van Dijk") also contribute their parts
            lasts |= {part for part in name.replace(" ", "-").split("-") if _good(part)}
    here = Path(__file__).resolve().parent
    common = ("# Ordinary words that are also given or family names; a two-word name made only of these\n"
              "# is rejected by the PERSON rule. Regenerate with rules/data/make_name_lists.py.\n")
    (here / "common-words.txt").write_text(common + "\n".join(sorted(COMMON_WORDS)) + "\n", encoding="utf-8")
    surnames = ("# Family names among common-words.txt that make a person's name after a given name (\"Chase Miller\").\n"
                "# Regenerate with rules/data/make_name_lists.py.\n")
    assert SURNAME_WORDS <= COMMON_WORDS
    (here / "surname-words.txt").write_text(surnames + "\n".join(sorted(SURNAME_WORDS)) + "\n", encoding="utf-8")
    for file, what, data in (("first-names.txt", "Given names", firsts), ("last-names.txt", "Family names", lasts)):
        text = HEADER.format(what=what, locales=", ".join(LOCALES)) + "\n".join(sorted(data)) + "\n"
        (here / file).write_text(text, encoding="utf-8")
        print(f"{file}: {len(data)} names")


if __name__ == "__main__":
    main()
