"""Credentials of many providers, shaped like the real ones (entity SECRET, subtype = provider)."""

from __future__ import annotations

import base64
import random
import string
import zlib

from dlp.emulator.synth.value import SynthValue

_B62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
_URLSAFE = string.ascii_letters + string.digits + "-_"
_ALNUM = string.ascii_letters + string.digits


def _draw(rng: random.Random, alphabet: str, count: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(count))


def openai_key(rng: random.Random) -> SynthValue:
    # Project keys embed the base64 of "OpenAI" ("T3BlbkFJ") between two random halves.
    text = "sk-proj-" + _draw(rng, _URLSAFE, 74) + "T3BlbkFJ" + _draw(rng, _URLSAFE, 74)
    return SynthValue("SECRET", text, True, "openai")


def aws_access_key(rng: random.Random) -> SynthValue:
    return SynthValue("SECRET", "AKIA" + _draw(rng, string.ascii_uppercase + "234567", 16), True, "aws_access_key")


def aws_secret_key(rng: random.Random) -> SynthValue:
    return SynthValue("SECRET", _draw(rng, _ALNUM + "/+", 40), True, "aws_secret_key")


def _base62(number: int, width: int) -> str:
    out = ""
    while number:
        number, digit = divmod(number, 62)
        out = _B62[digit] + out
    return out.rjust(width, "0")


def github_token(rng: random.Random) -> SynthValue:
    # GitHub tokens end in a base62 CRC32 of their random part.
    body = _draw(rng, _ALNUM, 30)
    return SynthValue("SECRET", "ghp_" + body + _base62(zlib.crc32(body.encode()), 6), True, "github_token")


def gitlab_token(rng: random.Random) -> SynthValue:
    return SynthValue("SECRET", "glpat-" + _draw(rng, _URLSAFE, 20), True, "gitlab_token")


def slack_token(rng: random.Random) -> SynthValue:
    text = (f"xoxb-{_draw(rng, string.digits, 12)}-{_draw(rng, string.digits, 13)}-"
            f"{_draw(rng, _ALNUM, 24)}")
    return SynthValue("SECRET", text, True, "slack_token")


def stripe_key(rng: random.Random) -> SynthValue:
    return SynthValue("SECRET", "sk_live_51" + _draw(rng, _ALNUM, 97), True, "stripe_key")


def google_api_key(rng: random.Random) -> SynthValue:
    return SynthValue("SECRET", "AIza" + _draw(rng, _URLSAFE, 35), True, "google_api_key")


def anthropic_key(rng: random.Random) -> SynthValue:
    return SynthValue("SECRET", "sk-ant-api03-" + _draw(rng, _URLSAFE, 93) + "AA", True, "anthropic")


def private_key(rng: random.Random) -> SynthValue:
    body = base64.b64encode(rng.randbytes(rng.choice((609, 1190)))).decode()
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    text = "-----BEGIN RSA PRIVATE KEY-----\n" + "\n".join(lines) + "\n-----END RSA PRIVATE KEY-----"
    return SynthValue("SECRET", text, True, "private_key")


def database_url(rng: random.Random) -> SynthValue:
    user = rng.choice(("svc_billing", "app_rw", "etl_loader", "reporting", "admin"))
    password = _draw(rng, _ALNUM, rng.randint(14, 22))
    host = rng.choice(("db-prod-01.internal", "pg.core.svc.cluster.local", "10.20.4.17",
                       "analytics-replica.corp.lan"))
    scheme, port = rng.choice((("postgresql", 5432), ("mysql", 3306), ("mongodb", 27017)))
    database = rng.choice(("billing", "customers", "warehouse", "orders"))
    return SynthValue("SECRET", f"{scheme}://{user}:{password}@{host}:{port}/{database}", True, "database_url")


PROVIDERS = {
    "openai": openai_key,
    "github_token": github_token,
    "gitlab_token": gitlab_token,
    "slack_token": slack_token,
    "stripe_key": stripe_key,
    "google_api_key": google_api_key,
    "anthropic": anthropic_key,
    "database_url": database_url,
}

# Documentation placeholders and published examples: they look like keys and must not be reported.
_PLACEHOLDERS = (
    ("openai", "sk-proj-REPLACE_WITH_YOUR_KEY"),
    ("openai", "sk-proj-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"),
    ("aws_access_key", "AKIAIOSFODNN7EXAMPLE"),
    ("aws_secret_key", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
    ("slack_token", "xoxb-your-bot-token-here"),
    ("stripe_key", "sk_live_xxxxxxxxxxxxxxxxxxxxxxxx"),
    ("github_token", "ghp_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"),
)


def placeholder_key(rng: random.Random) -> SynthValue:
    provider, text = rng.choice(_PLACEHOLDERS)
    return SynthValue("SECRET", text, False, provider)
