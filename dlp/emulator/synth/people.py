"""Names, email addresses and phone numbers of people from several countries."""

from __future__ import annotations

import importlib
import random
from dataclasses import dataclass
from functools import cache

import phonenumbers

from dlp.emulator.synth.value import SynthValue

# Faker ships curated name lists per locale; we read them as static data and
# draw with our own seeded streams, so output does not depend on Faker's RNG.
LOCALES = ("en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL")
REGION_OF_LOCALE = {"en_US": "US", "en_GB": "GB", "de_DE": "DE", "fr_FR": "FR", "es_ES": "ES",
                    "it_IT": "IT", "nl_NL": "NL"}
COMPANY_DOMAINS = ("northwindtraders.com", "bluefinlogistics.co.uk", "kestrel-health.com",
                   "alpenrose-gmbh.de", "solvane.fr", "mareazul.es", "tessaro.it", "dijkstra-bouw.nl",
                   "harbourpoint.io", "quillfield.com", "orchardlane-capital.com", "veridian-labs.com")
PERSONAL_DOMAINS = ("gmail.com", "outlook.com", "yahoo.com", "proton.me", "gmx.de", "orange.fr")


@dataclass(frozen=True, slots=True)
class Person:
    first: str
    last: str
    locale: str

    @property
    def full_name(self) -> str:
        return f"{self.first} {self.last}"


@cache
def _names(locale: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
    firsts = _clean(provider.first_names)
    lasts = _clean(provider.last_names)
    return firsts, lasts


def _clean(names: object) -> tuple[str, ...]:
    # Plain alphabetic names that survive Latin-1 (the PDF core fonts) and an email local part.
    keep = []
    for name in names:  # type: ignore[attr-defined]
        if name.isalpha() and len(name) > 2:
            try:
                name.encode("latin-1")
            except UnicodeEncodeError:
                continue
            keep.append(name)
    return tuple(sorted(set(keep)))


def person(rng: random.Random, locale: str | None = None) -> Person:
    locale = locale or rng.choice(LOCALES)
    firsts, lasts = _names(locale)
    return Person(rng.choice(firsts), rng.choice(lasts), locale)


def person_name(rng: random.Random, who: Person | None = None) -> SynthValue:
    who = who or person(rng)
    return SynthValue("PERSON", who.full_name, True, REGION_OF_LOCALE[who.locale])


def _ascii(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def email(rng: random.Random, who: Person | None = None, personal: bool = False) -> SynthValue:
    who = who or person(rng)
    first, last = _ascii(who.first), _ascii(who.last)
    local = rng.choice((f"{first}.{last}", f"{first[0]}{last}", f"{first}{rng.randint(1, 99)}",
                        f"{first}_{last}", f"{last}.{first[0]}"))
    domain = rng.choice(PERSONAL_DOMAINS if personal else COMPANY_DOMAINS)
    return SynthValue("EMAIL_ADDRESS", f"{local}@{domain}", True, "personal" if personal else "work")


_PHONE_SHAPES = {
    # region: (national significant number length, leading digits to try)
    "US": (10, ("212", "312", "415", "617", "646", "720", "857", "206")),
    "GB": (10, ("7700", "7911", "7456", "20", "161", "131")),
    "DE": (11, ("151", "160", "171", "30", "89", "40")),
    "FR": (9, ("6", "7", "1", "4")),
    "ES": (9, ("6", "91", "93")),
    "IT": (10, ("3", "06")),
    "NL": (9, ("6", "20")),
}


def phone_number(rng: random.Random, region: str | None = None) -> SynthValue:
    """A number that `phonenumbers` considers valid for the region, formatted as people write it."""
    region = region or rng.choice(tuple(_PHONE_SHAPES))
    length, leads = _PHONE_SHAPES[region]
    for _ in range(200):
        lead = rng.choice(leads)
        national = lead + "".join(rng.choice("0123456789") for _ in range(length - len(lead)))
        if region == "US" and national[3] in "01":  # exchange code may not start with 0 or 1
            continue
        if region == "US" and national[3:6] == "555":  # avoid the fictional 555 range look-alikes
            continue
        parsed = phonenumbers.parse(national if region != "IT" else national, region)
        if phonenumbers.is_valid_number(parsed):
            style = rng.choice((phonenumbers.PhoneNumberFormat.INTERNATIONAL,
                                phonenumbers.PhoneNumberFormat.NATIONAL))
            return SynthValue("PHONE_NUMBER", phonenumbers.format_number(parsed, style), True, region)
    raise RuntimeError(f"could not draw a valid phone number for {region}")
