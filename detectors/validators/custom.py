"""Project-specific validators. Add yours here: a factory taking the YAML arguments and
returning a `str -> bool` check, registered under the name rules use.

    @BUILTIN.register("my_check", boost=0.2, description="...")
    def _my_check(args):
        return lambda value: ...
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from detectors.validators.registry import BUILTIN, Check, require_no_extra_args
from detectors.validators.tlds import TOP_LEVEL_DOMAINS


def email_domain_valid(value: str) -> bool:
    """The part after the last `@` is a dotted host name ending in a real top-level domain."""
    _, at, domain = value.rpartition("@")
    if not at or "." not in domain:
        return False
    tld = domain.rsplit(".", 1)[1].lower()
    return tld in TOP_LEVEL_DOMAINS


_NAME_TOKEN = re.compile(r"[^\W\d_][\w.'’-]*", re.UNICODE)
# a possessive or a demonstrative opens a title or a thing, not a name: "My Way", "The Office", "Our Town"
# (Faker's lists have "My" as a given name and "The" as a family name)
NOT_NAME_OPENERS = frozenset({"My", "Our", "Your", "Their", "His", "Its", "This", "These", "Those", "The"})
# lower-case particles inside a family name: "Pierre de Marca", "Anna van der Berg", "Osama bin Laden"
NAME_PARTICLES = frozenset({"van", "von", "de", "du", "da", "di", "del", "della", "der", "den", "ten", "ter", "le",
                            "la", "dos", "das", "bin", "ibn", "al", "el", "y"})

# a particle joined to a capitalised family name by a hyphen: "Ayman al-Zawahiri", "Abdel Fattah el-Sisi"
_PARTICLE_JOINED = re.compile(r"(?:%s)-[^\W\d_]*[A-ZÀ-ÖØ-Þ][\w'’-]*" % "|".join(sorted(NAME_PARTICLES)))


def person_name_plausible(value: str, min_words: int = 1) -> bool:
    """Filters statistical-NER noise: min_words..5 words, each starting with a capital letter (but a particle
    before a later word of the name: "de", "van", "bin"; "Pierre de Marca", "de Ruiter"), no digits or markup."""
    words = value.split()
    if not max(1, min_words) <= len(words) <= 5:
        return False
    if any(ch.isdigit() or ch in "@/\\#<>{}[]=_|:;" for ch in value):
        return False
    if len(words) > 1 and words[0] in NOT_NAME_OPENERS:
        return False
    for index, word in enumerate(words):
        if not _NAME_TOKEN.fullmatch(word):
            return False
        if not word[0].isupper() and not (index < len(words) - 1 and word in NAME_PARTICLES) \
                and not (index > 0 and _PARTICLE_JOINED.fullmatch(word)):
            return False
    # an all-capitals single word is usually an acronym (IBAN, SSN, AWS), not a name
    return not (len(words) == 1 and value.isupper())


BUILTIN.register_check("email_domain", email_domain_valid, boost=0.1, description="email host ends in a real top-level domain")


@BUILTIN.register(
    "person_name", boost=0.0, description="plausible personal name (filters NER noise); arg: min_words",
    short_arg="min_words",
)
def _person_name(args: Mapping[str, Any]) -> Check:
    require_no_extra_args(args, {"min_words"}, "person_name")
    try:
        min_words = int(args.get("min_words", 1))
    except (TypeError, ValueError):
        raise ValueError("person_name: `min_words` must be a whole number") from None
    return lambda value: person_name_plausible(value, min_words)


# -- identifiers whose check digits python-stdnum does not know -----------------------------
# Each check is a pure `str -> bool` over the value as written (separators allowed), so the
# rule packs can call it as a validator and tests can call it directly.

_DEA_REGISTRANT_TYPES = frozenset("ABCDEFGHJKLMPRSTUX")


def _compact(value: str, separators: str = " -./") -> str:
    return "".join(ch for ch in value if ch not in separators)


def dea_valid(value: str) -> bool:
    """US DEA registration number: registrant type letter, a letter (the registrant's
    surname initial, or 9 for some business activities), seven digits whose last is
    (d1 + d3 + d5 + 2 * (d2 + d4 + d6)) mod 10 (DEA Diversion Control Division)."""
    number = _compact(value).upper()
    if len(number) != 9 or number[0] not in _DEA_REGISTRANT_TYPES:
        return False
    if not (number[1].isascii() and (number[1].isalpha() or number[1] == "9")) or not number[2:].isdigit():
        return False
    d = [int(ch) for ch in number[2:]]
    return (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10 == d[6]


def npi_valid(value: str) -> bool:
    """US National Provider Identifier: ten digits starting 1 or 2, whose last digit is the
    Luhn check digit of the number prefixed with 80840 (CMS, NPI check digit standard)."""
    from stdnum import luhn

    number = _compact(value)
    return len(number) == 10 and number.isdigit() and number[0] in "12" and luhn.is_valid("80840" + number)


_NRIC_WEIGHTS = (2, 7, 6, 5, 4, 3, 2)
_NRIC_LETTERS = {"S": "JZIHGFEDCBA", "T": "JZIHGFEDCBA", "F": "XWUTRQPNMLK", "G": "XWUTRQPNMLK", "M": "XWUTRQPNJLK"}
_NRIC_OFFSET = {"S": 0, "T": 4, "F": 0, "G": 4, "M": 3}


def sg_nric_valid(value: str) -> bool:
    """Singapore NRIC / FIN: S, T, F, G or M, seven digits, and a check letter from the
    weighted digit sum (weights 2 7 6 5 4 3 2, offset 4 for T and G, 3 for M), mod 11."""
    number = _compact(value).upper()
    if len(number) != 9 or number[0] not in _NRIC_LETTERS or not number[1:8].isdigit():
        return False
    total = sum(int(ch) * w for ch, w in zip(number[1:8], _NRIC_WEIGHTS)) + _NRIC_OFFSET[number[0]]
    return _NRIC_LETTERS[number[0]][total % 11] == number[8]


def _day_of_year_coded(day: int) -> bool:
    """A Sri Lankan NIC's birth day: the day of the year, with 500 added for women."""
    return 1 <= day <= 366 or 501 <= day <= 866


def lk_nic_valid(value: str, this_year: int | None = None) -> bool:
    """Sri Lankan national identity card number (Department for Registration of Persons): the old form is
    nine digits and V or X (two digits of the birth year, the coded birth day, a serial and a check
    digit); the new form (2016) twelve digits (the full birth year, the coded day, a four-digit serial
    and a check digit). The check digit's rule is not published, so the year and the day are what is checked."""
    from datetime import date

    number = _compact(value).upper()
    if len(number) == 10 and number[:9].isdigit() and number[9] in "VX":
        return _day_of_year_coded(int(number[2:5]))
    if len(number) == 12 and number.isdigit():
        return 1900 <= int(number[:4]) <= (this_year or date.today().year) and _day_of_year_coded(int(number[4:7]))
    return False


_MEDICARE_WEIGHTS = (1, 3, 7, 9, 1, 3, 7, 9)


def au_medicare_valid(value: str) -> bool:
    """Australian Medicare card number: ten digits (an eleventh, the individual reference,
    may follow); the first is 2-6, the ninth is the weighted sum of the first eight
    (weights 1 3 7 9 1 3 7 9) mod 10, the tenth (issue number) is not 0."""
    number = _compact(value)
    if len(number) not in (10, 11) or not number.isdigit() or number[0] not in "23456":
        return False
    if number[9] == "0" or (len(number) == 11 and number[10] == "0"):
        return False
    total = sum(int(ch) * w for ch, w in zip(number[:8], _MEDICARE_WEIGHTS))
    return total % 10 == int(number[8])


def eip55_valid(value: str) -> bool:
    """An Ethereum address (0x and 40 hex digits). A mixed-case address must carry a correct
    EIP-55 checksum (the case of each letter follows the Keccak-256 of the lower-case hex);
    an all-lower or all-upper address has no checksum to check and passes."""
    from Crypto.Hash import keccak

    if len(value) != 42 or value[:2] not in ("0x", "0X"):
        return False
    body = value[2:]
    if any(ch not in "0123456789abcdefABCDEF" for ch in body):
        return False
    if body == body.lower() or body == body.upper():
        return True
    digest = keccak.new(digest_bits=256, data=body.lower().encode("ascii")).hexdigest()
    for ch, nibble in zip(body, digest):
        if ch.isalpha() and ch.isupper() != (int(nibble, 16) >= 8):
            return False
    return True


def _b64url_json(part: str) -> object:
    import base64
    import json

    padded = part + "=" * (-len(part) % 4)
    return json.loads(base64.urlsafe_b64decode(padded.encode("ascii")).decode("utf-8"))


def jwt_valid(value: str) -> bool:
    """A JSON Web Token (RFC 7519, compact JWS): three base64url parts whose first decodes to
    a JSON object naming an `alg`, whose second decodes to a JSON object, and whose
    signature is not empty unless the algorithm is `none`."""
    parts = value.split(".")
    if len(parts) != 3:
        return False
    try:
        header, payload = _b64url_json(parts[0]), _b64url_json(parts[1])
    except (ValueError, UnicodeDecodeError):
        return False
    if not isinstance(header, dict) or not isinstance(payload, dict) or "alg" not in header:
        return False
    return bool(parts[2]) or str(header.get("alg")).lower() == "none"


_DATE_SHAPES = ("%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%d.%m.%Y", "%d-%m-%Y", "%m-%d-%Y", "%Y/%m/%d",
                "%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y", "%B %d %Y", "%b %d %Y", "%d %b. %Y")


def calendar_date_valid(value: str, min_year: int = 1900, max_year: int = 2100) -> bool:
    """A real calendar date (2024-02-30 is not) in a common written form, within the years."""
    from datetime import datetime

    text = " ".join(value.replace(",", ", ").split()).replace(" ,", ",")
    for shape in _DATE_SHAPES:
        try:
            parsed = datetime.strptime(text, shape)
        except ValueError:
            continue
        return min_year <= parsed.year <= max_year
    return False


BUILTIN.register_check("dea", dea_valid, boost=0.3, description="US DEA registration number check digit",
                       memo=True)


BUILTIN.register_check("npi", npi_valid, boost=0.3, description="US National Provider Identifier (Luhn with the 80840 prefix)",
                       memo=True)


BUILTIN.register_check("sg_nric", sg_nric_valid, boost=0.3, description="Singapore NRIC/FIN check letter",
                       memo=True)


BUILTIN.register_check("lk_nic", lk_nic_valid, boost=0.3,
                       description="Sri Lankan NIC: old (nine digits and V/X) or new (twelve digits) form, birth year and day",
                       memo=True)


BUILTIN.register_check("au_medicare", au_medicare_valid, boost=0.3, description="Australian Medicare card number check digit",
                       memo=True)


BUILTIN.register_check("eip55", eip55_valid, boost=0.3, description="Ethereum address; mixed case must carry the EIP-55 checksum")


BUILTIN.register_check("jwt", jwt_valid, boost=0.2, description="JSON Web Token: base64url JSON header with `alg`, JSON payload")


@BUILTIN.register("calendar_date", boost=0.1, description="a real calendar date; args: min_year, max_year", memo=True)
def _calendar_date(args: Mapping[str, Any]) -> Check:
    require_no_extra_args(args, {"min_year", "max_year"}, "calendar_date")
    try:
        low, high = int(args.get("min_year", 1900)), int(args.get("max_year", 2100))
    except (TypeError, ValueError):
        raise ValueError("calendar_date: `min_year` and `max_year` must be whole numbers") from None
    return lambda value: calendar_date_valid(value, low, high)
