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


def person_name_plausible(value: str, min_words: int = 1) -> bool:
    """Filters statistical-NER noise: min_words..5 words, each starting with a capital letter, no digits or markup."""
    words = value.split()
    if not max(1, min_words) <= len(words) <= 5:
        return False
    if any(ch.isdigit() or ch in "@/\\#<>{}[]=_|:;" for ch in value):
        return False
    for word in words:
        if not _NAME_TOKEN.fullmatch(word) or not word[0].isupper():
            return False
    # an all-capitals single word is usually an acronym (IBAN, SSN, AWS), not a name
    return not (len(words) == 1 and value.isupper())


@BUILTIN.register("email_domain", boost=0.1, description="email host ends in a real top-level domain")
def _email_domain(args: Mapping[str, Any]) -> Check:
    require_no_extra_args(args, set(), "email_domain")
    return email_domain_valid


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
