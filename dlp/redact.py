"""Keep credentials and capability URLs out of everything we print or log."""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit, urlunsplit

# A signed download URL is a bearer capability: its query string is the secret.
_URL = re.compile(r"https?://[^\s\"'<>]+")
_BEARER = re.compile(r"(?i)(bearer\s+)[^\s\"']+")
_KEY_LIKE = re.compile(r"\bsk-[A-Za-z0-9_\-]{8,}")


def mask_api_key(key: str | None) -> str:
    """`sk-proj-abc...wxyz` -> `sk-...wxyz`: enough to tell keys apart, never enough to use one."""
    if not key:
        return "<none>"
    tail = key[-4:] if len(key) >= 12 else ""
    prefix = "sk-" if key.startswith("sk-") else ""
    return f"{prefix}...{tail}"


def _netloc_without_password(netloc: str) -> str:
    userinfo, at, host = netloc.rpartition("@")
    if not at or ":" not in userinfo:
        return netloc
    return f"{userinfo.split(':', 1)[0]}:***@{host}"


def display_url(url: str) -> str:
    """A URL as it may be shown: a password inside it (`https://user:pw@host`) replaced by `***`."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<url>"
    return urlunsplit(parts._replace(netloc=_netloc_without_password(parts.netloc)))


def strip_url(url: str) -> str:
    """Drop the query and fragment (signatures, tokens) and any password of a URL."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<url>"
    if not parts.scheme:
        return url
    return urlunsplit((parts.scheme, _netloc_without_password(parts.netloc), parts.path, "", ""))


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    """Scrub a message before it is shown: known secrets, bearer tokens, key-like strings, URL queries."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, mask_api_key(secret))
    text = _BEARER.sub(lambda m: m.group(1) + "<redacted>", text)
    text = _KEY_LIKE.sub(lambda m: mask_api_key(m.group(0)), text)
    return _URL.sub(lambda m: strip_url(m.group(0)), text)


class RedactingFilter(logging.Filter):
    """A logging filter that scrubs every record (message and arguments) before any handler sees it."""

    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        super().__init__()
        self._secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage(), self._secrets)
        record.args = None
        return True
