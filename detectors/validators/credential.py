"""Is the value assigned to a credential-named variable a real credential, or code, a placeholder
or a word? The generic secret rules (`rules/secrets/generic.yaml`) find `name = value` pairs by
their names; this decides by the value.

Two kinds:
- `password`: any literal will do (people choose `team10` or `whiteduke`), unless it is a
  placeholder (`changeme`, `<password>`, `${DB_PASS}`, `****`), a reference to where the secret
  is kept (`arn:...`, `vault:...`), code (`self.password`, `getenv("PW")`, `$_POST["pw"]`), a
  path, a URL or a host name; with `words: false` also not a bare identifier (where a value is
  not quoted, `password = user_password` names a variable far more often than a password).
- `token` (the default): additionally machine-made: not an identifier made of words
  (`getAccessToken`, `MY_API_KEY`), not a typed sequence (`abcdef123456`, `a1b2c3d4`), and with
  the entropy and the character mix of a random string of its length.
"""

from __future__ import annotations

import math
import re
from typing import Any, Mapping

from detectors.validators.registry import BUILTIN, Check, require_no_extra_args
from detectors.validators.text_shape import character_classes, shannon_entropy

KINDS = ("password", "token")

# Values that are the name of the thing, a type, a literal of some language, or a stand-in.
PLACEHOLDER_WORDS = frozenset("""
password passwd passphrase pass pwd secret secrets token tokens key apikey api_key api-key credential credentials
changeme change_me changeit letmein example sample dummy placeholder redacted removed hidden masked secured
none null nil undefined true false yes no on off empty blank default required optional unknown unset notset
string str text char varchar bytes int integer number bool boolean object any value values env environment
todo tbd fixme replace replaceme insert fill me here mine mysecret mypassword yourpassword yoursecret yourtoken
test testing foo bar baz foobar qwerty abc123 admin root user username login guest private public auth
""".split())

# a whole value standing for another: ${X}, {{ x }}, <x>, &lt;x&gt;, %X%, $X, #{x}, @X@, __X__, {x}, :x, #anchor
_TEMPLATE = re.compile(
    r"""^(?:\$\{[^}]*\}|\$\{\{.*\}\}|\{\{.*\}\}|\{%.*%\}|<%.*%>|<[^<>]*>|&lt;.*&gt;|\[[^\[\]]*\]|%[\w.-]+%
    |%\([\w.-]+\)s|\$[A-Za-z_]\w*|\$\([^)]*\)|\#\{[^}]*\}|@[\w.-]+@|__[\w-]+__|\{[A-Za-z_][\w.-]*\}|:[a-z_]+
    |\#[A-Za-z][\w-]*|[a-z]+(?:[_-][a-z]+)*[=:])$""",
    re.VERBOSE | re.DOTALL)
# an unquoted value cut at its first `}` or `)`
_TEMPLATE_START = re.compile(r"^(?:\$\{|\{\{|\{%|<%|\$\(|%\(|#\{)")
# written as substrings of the lower-cased value: checked on every candidate, `in` is fast
_STANDIN_PARTS = ("xxxx", "***", "...", "••", "####", "____", "----", "changeme", "change_me", "change-me",
                  "replaceme", "replace_me", "replace-me", "placeholder", "redacted", "your_", "your-", "<your",
                  "example", "dummy", "insert_", "insert-")
# at the start of the value or of a part of it: `fake_token`, `x-fake`, not `...4FAKE5...` by chance
_STANDIN_START = re.compile(r"(?:my|your|the)[_-]?(?:pass|secret|token|api|key)|(?:^|.*[^A-Za-z0-9])fake", re.I)
_REPEATED = re.compile(r"(.)\1{5}")
# code rather than a literal: a call, an index, an environment lookup, a variable, an operator
_CODE = re.compile(
    r"""^(?:[A-Za-z_$][\w$.]*\(                           # getenv(...), str(x)
    |[A-Za-z_$][\w$.]*\[                                 # request.form["pw"], ENV['X']
    |(?:process\.env|os\.environ|import\.meta\.env)\b
    |!?[A-Za-z_$][\w$]*\s*(?:&&|\|\||\?\?)
    |\\?\.?\$[A-Za-z_{]                                  # $_POST[...], .$p, $VAR/suffix (PHP, shell)
    |\$\(|\^.*\$$)                                       # $(cat file), a regular expression""",
    re.VERBOSE)
_IDENTIFIER = re.compile(r"^[A-Za-z_$][\w$]*$")
# where a secret is kept rather than the secret (a secret manager reference), an e-mail address,
# a host name, a date, a time, a version or an address
_REFERENCE = re.compile(
    r"""^(?:(?:arn|vault|secretsmanager|ssm|sm|gsm|kms|azurekeyvault|keyvault|op|env|file|ref|secret)(?::|://)
    |[^@\s]+@[\w-]+(?:\.[\w-]+)+$
    |(?:[A-Za-z0-9-]+\.)+(?:com|net|org|io|dev|app|cloud|co|ai|us|eu|de|uk|local|internal|corp|lan)$
    |[\d\s:./+TZ-]+$)""",
    re.I | re.VERBOSE)
_URL_OR_FILE = re.compile(
    r"^(?:[a-z][a-z0-9+.-]{1,15}://|/|\.{1,2}/|~/|[A-Za-z]:\\)|\.(?:pem|key|json|ya?ml|txt|crt|p12|pfx|env)$", re.I)
_PATH_PART = re.compile(r"^(?:[A-Za-z][a-z]+|[a-z]+|[A-Z]+|\d+|[\w-]+\.[a-z]{1,5}|[a-z]+(?:[_-][a-z0-9]+)+)$")
# the parts of an identifier: Capitalised or lower-case words, ACRONYMS, numbers
_CAMEL_PART = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_NAMES_A_CREDENTIAL = re.compile(r"(?i)pass(?:word|wd)?|pwd|secret|token|api[_-]?key|credential")
_MULTIPART = re.compile(r"[_.-]|[a-z][A-Z]")
_VOWELS = frozenset("aeiouy")
_CONSONANT_CLUSTER = re.compile(r"[b-df-hj-np-tv-xz]{5}")


def is_placeholder(value: str) -> bool:
    """A stand-in for a value rather than the value: a template, a mask, a name of the field, a type."""
    if not value:
        return True
    lowered = value.lower()
    if any(part in lowered for part in _STANDIN_PARTS) or lowered.endswith("here") or _STANDIN_START.match(value):
        return True
    if _TEMPLATE.match(value) or _TEMPLATE_START.match(value) or _REPEATED.search(value):
        return True
    bare = value.strip("'\"`").lower()
    return bare in PLACEHOLDER_WORDS or bare.rstrip("0123456789!") in PLACEHOLDER_WORDS


def is_code(value: str) -> bool:
    """An expression of a programming language (a dotted name, a call, a variable, an environment lookup)."""
    if _CODE.match(value):
        return True
    # self.password, config.db.pwd, settings.SECRET_KEY: each part a word (a random token may have dots too)
    parts = value.removesuffix("()").replace("?.", ".").split(".")
    return len(parts) >= 2 and all(_IDENTIFIER.match(p) and (len(p) <= 4 or is_word_identifier(p)) for p in parts)


def is_path_or_url(value: str) -> bool:
    """A URL, a file name, or a path of word-like parts (`config/keys/prod`, not base64 with slashes)."""
    if _URL_OR_FILE.search(value):
        return True
    parts = [p for p in value.split("/") if p]
    if len(parts) < 3:
        return False
    return all(_PATH_PART.match(p) for p in parts) or not any(ch.isdigit() or ch.isupper() for ch in value)


def _is_word(part: str) -> bool:
    """A run of letters that reads as a word: enough vowels and no long consonant clusters."""
    low = part.lower()
    if len(low) < 8:
        return True
    vowels = sum(ch in _VOWELS for ch in low)
    return vowels / len(low) >= 0.2 and not _CONSONANT_CLUSTER.search(low)


def is_word_identifier(value: str) -> bool:
    """An identifier made of words: `user_password`, `getAccessToken`, `MY_API_KEY`, `whiteduke`,
    `brandfetchAPIKey`, `ConnectionString_B2B` (each part a word or a short acronym, digits only
    at the end of a part)."""
    chunks = [c for c in re.split(r"[_.-]", value) if c]
    if not chunks or len(chunks) > 8:
        return False
    odd = 0  # parts of one or two letters: common in random strings (`yvxpthLIcYpZwe`), rare in names
    total = 0
    for position, chunk in enumerate(chunks):
        if not chunk.isalnum() or not chunk.isascii():
            return False
        if 0 < position == len(chunks) - 1 and len(chunk) <= 4:  # a short suffix: _v2, -B2B, _prod
            continue
        parts = _CAMEL_PART.findall(chunk)
        if "".join(parts) != chunk:
            return False
        total += len(parts)
        odd += sum(1 for part in parts if len(part) <= 2 and not part.isdigit())
        for index, part in enumerate(parts):
            if part.isdigit():
                if index != len(parts) - 1 or len(part) > 4:
                    return False
            elif part.isupper():
                if len(part) > 6 and not (len(parts) == 1 and _is_word(part)):
                    return False
            elif len(part) < 2 or not _is_word(part):
                return False
    return odd <= 1 or odd * 3 <= total


_PART_SEPARATORS = re.compile(rb"[_.:-]")
_LETTERS = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_NOT_LETTERS = bytes(code for code in range(256) if code not in _LETTERS)  # bytes.translate deletes these
_NOT_DIGITS = bytes(code for code in range(256) if not 48 <= code <= 57)


def is_typed_sequence(value: str) -> bool:
    """Most neighbouring characters step by one (`abcdef`, `654321`), over the whole value or its
    neighbouring letters (more than 60%), or over the letters or the digits of a `_.:-`-separated
    part taken apart (more than 75% and four steps, or six over both: `a1b2c3d4`; the digits scattered through a random
    token step by one by chance more often). Letters compare regardless of case (`aBcDeF`). It runs on every candidate token, so it stays in C-level operations."""
    codes = value.lower().encode("ascii", "replace")
    whole = [b - a for a, b in zip(codes, codes[1:])]
    letter_pairs = [b - a for a, b in zip(codes, codes[1:]) if a in _LETTERS and b in _LETTERS]
    part_letters: list[int] = []  # steps between consecutive letters (digits) of one part
    part_digits: list[int] = []
    for part in _PART_SEPARATORS.split(codes):
        for run, out in ((part.translate(None, _NOT_LETTERS), part_letters), (part.translate(None, _NOT_DIGITS), part_digits)):
            out.extend(b - a for a, b in zip(run, run[1:]))
    groups = ((whole, 3, 0.6), (letter_pairs, 3, 0.6), (part_letters, 4, 0.75), (part_digits, 4, 0.75),
              (part_letters + [0] + part_digits, 6, 0.75))  # letters and digits interleaved: a1b2c3d4
    for deltas, least, share in groups:
        steps = max(deltas.count(1), deltas.count(-1))
        if steps >= least and steps > share * len(deltas):  # a few steps happen by chance (`8923`)
            return True
    return False


def looks_random(value: str) -> bool:
    """Machine-made: the entropy and the character mix of a random string of this length, not a
    sequence typed on a keyboard and not an identifier made of words."""
    length = len(value)
    if length < 8:
        return False
    # a random string over an alphabet of k symbols has entropy near log2(min(k, length)); ask
    # for most of it (hex: 4 bits; alphanumeric: up to 5.95)
    needed = min(3.0, math.log2(length) - 1.0) if length < 24 else 3.3
    if shannon_entropy(value) < needed:
        return False
    classes = character_classes(value)
    if len(classes) < 2:
        # one class: long random letters are fine; digits only when longer than ids and
        # timestamps (snowflake ids have 19 digits, millisecond timestamps 13)
        if not (length >= 20 if classes == {"digit"} else length >= 24 and classes in ({"lower"}, {"upper"})):
            return False
    return not is_word_identifier(value) and not is_typed_sequence(value)


def credential_value(value: str, kind: str = "token", words: bool = True, min_length: int = 8) -> bool:
    """Whether `value`, assigned to a credential name, is itself a credential (see the module doc)."""
    if (len(value) < min_length or is_placeholder(value) or is_code(value) or is_path_or_url(value)
            or _REFERENCE.match(value)):
        return False
    if _NAMES_A_CREDENTIAL.search(value) and is_word_identifier(value) and _MULTIPART.search(value):
        return False  # registry-password, db_secret, authToken: the name of a credential
    if kind == "password":
        return words or not is_word_identifier(value)
    return looks_random(value)


@BUILTIN.register(
    "credential_value", boost=0.2, memo=True,
    description="a literal credential, not code, a placeholder or a word; args: kind (password|token), "
                "words (password: accept bare words), min_length",
)
def _credential_value(args: Mapping[str, Any]) -> Check:
    require_no_extra_args(args, {"kind", "words", "min_length"}, "credential_value")
    kind = str(args.get("kind", "token"))
    if kind not in KINDS:
        raise ValueError(f"credential_value: `kind` must be one of {', '.join(KINDS)}, got {kind!r}")
    words = args.get("words", True)
    if not isinstance(words, bool):
        raise ValueError("credential_value: `words` must be true or false")
    try:
        min_length = int(args.get("min_length", 8 if kind == "token" else 4))
    except (TypeError, ValueError):
        raise ValueError("credential_value: `min_length` must be a whole number") from None
    return lambda value: credential_value(value, kind, words, min_length)
