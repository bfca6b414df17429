"""The default policy on text with no sensitive data in it reports nothing: prose, code, config
without secrets, UUIDs, timestamps, version strings, hashes, measurements, look-alike numbers."""

from __future__ import annotations

import hashlib
import re
import random
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from detectors.engine import Engine

PROSE = """
The quarterly report is attached and the numbers look fine. Revenue grew 4.2% quarter over quarter,
while churn held at 1.8%. Two of the larger renewals moved to next quarter, and procurement asked for a
security questionnaire before signing. Please keep this confidential until the board meeting on Monday.
The definition of confidential information changed in the new NDA, and the restricted stock units vest
in May. We do not distribute the slides before the all-hands. Access is restricted to the finance team.
Our internal tooling moved to the new cluster; internal use of the beta is fine.
Print the form on A4 paper and file it under section B12. The B2B pipeline grew in Q3.
Call the vendor about the invoice before Friday. The order number is on the packing slip.
Reset your password through the self-service portal; the token expires after ten minutes.
The bearer of this letter is authorised to collect the parcel. The secret to good onboarding is a buddy.
The patient was seen twice this month; follow-up is scheduled in six weeks.
Will Price rise after the Grace Period ends? The Bill Payment is due on the first of the month.
Grace Period, Bill Payment and Will Price are ordinary words here.
Summarise the equipment request so IT can act on it. Bullet points are fine. Thanks!
The meeting is at 10:30 in room 4.12; bring the Q3 numbers and the 2025 roadmap.
We shipped 1,284 units at 12.5 kg each, 3 x 4 x 5 cm, costing $19.99 apiece, 15% off.
"""

CODE = '''
def load_settings(path: str) -> dict:
    password = os.environ["DB_PASSWORD"]
    token = request.headers.get("Authorization")
    api_key = settings.api_key
    secret = None
    if password == confirm_password:
        return {"user": user, "password": password}
    return {}

const config = { apiKey: process.env.API_KEY, token: "${TOKEN}", password: "<your-password>" };
DATABASE_URL=postgres://app:${DB_PASSWORD}@db:5432/app
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
OPENAI_API_KEY=sk-proj-REPLACE_WITH_YOUR_KEY
GITHUB_TOKEN=ghp_XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX
slack_token: xoxb-your-bot-token-here
stripe_key = "sk_live_xxxxxxxxxxxxxxxxxxxxxxxx"
for (let i = 0; i < 1000000; i++) { total += i * 0x1F; }
SELECT user_id, COUNT(*) FROM events WHERE ts > 1732300000 GROUP BY user_id;
<img src="logo@2x.png" alt="logo"> @property def name(self): ...
-----BEGIN PUBLIC KEY----- is what the server sends; never the private one.
curl -H "Authorization: Bearer $TOKEN" https://api.example.com/v1/items
'''


def _generated_lines(seed: int) -> list[str]:
    """Identifiers and numbers that look like sensitive values to a naive pattern."""
    rng = random.Random(seed)
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    lines = []
    for _ in range(40):
        moment = start + timedelta(seconds=rng.randint(0, 60_000_000))
        digest = hashlib.sha256(rng.randbytes(16)).hexdigest()
        lines += [
            f"request {uuid.UUID(int=rng.getrandbits(128))} took {rng.randint(5, 900)} ms",
            f"event at {int(moment.timestamp())} ({int(moment.timestamp() * 1000)} ms) {moment.isoformat()}",
            f"logged {moment:%Y-%m-%d %H:%M:%S} and {moment:%d/%m/%Y} and {moment:%b %d, %Y}",
            f"release v{rng.randint(0, 20)}.{rng.randint(0, 40)}.{rng.randint(0, 99)} "
            f"build {rng.randint(1, 9)}.{rng.randint(0, 9)}.{rng.randint(0, 9)}.{rng.randint(0, 9999)}",
            f"commit {digest[:40]} sha256 {digest} short {digest[:7]}",
            f"md5 {hashlib.md5(digest.encode()).hexdigest()} etag \"{digest[:32]}\"",
            f"order {rng.randint(10_000, 99_999_999)} shipped, {rng.randint(1, 40)} items, "
            f"tracking {rng.randint(10**11, 10**12 - 1)}",
            f"git checkout {digest[:12]} && pip install package=={rng.randint(1, 9)}.{rng.randint(0, 30)}",
        ]
    return lines


@pytest.mark.parametrize("name", ["prose", "code"])
def test_nothing_is_reported_on_ordinary_text(default_engine: Engine, name: str) -> None:
    text = PROSE if name == "prose" else CODE
    found = [(m.rule_id, m.value) for m in default_engine.analyze(text)]
    assert found == []


def test_nothing_is_reported_on_identifiers_timestamps_versions_and_hashes(default_engine: Engine) -> None:
    lines = _generated_lines(seed=20261122)
    results = default_engine.analyze_batch(lines)
    found = [(line, m.rule_id, m.value) for line, matches in zip(lines, results) for m in matches]
    assert found == []


def test_nothing_is_reported_on_the_emulators_filler_prose(default_engine: Engine) -> None:
    """Every benign sentence the emulator writes around planted values (topics, openers, replies)."""
    prose = pytest.importorskip("dlp.emulator.prose")
    sentences = [s for s in (*prose.OPENERS, *prose.CLOSERS, *prose.FOLLOW_UPS, *prose.REPLY_OPENERS,
                             *prose.REPLY_CLOSERS, *prose.BROWSER_RESULTS, *prose.PYTHON_RESULTS) if s]
    for topic in prose.TOPICS:
        sentences += [*topic.titles, *topic.asks, *topic.details, *topic.replies]
    results = default_engine.analyze_batch(sentences)
    found = [(s, m.rule_id, m.value) for s, matches in zip(sentences, results) for m in matches]
    assert found == []


# Words that name what a number is when it is not a person's identifier; an identifier rule must stay quiet
# on a number right after one of them, whatever its digits pass.
LABELS = ("Order", "Invoice", "Tracking", "Ticket", "Reference", "Ref.", "SKU", "Serial", "Batch", "Lot", "PO",
          "Job", "Build", "Request", "Transaction", "EAN", "ISBN", "Rechnung", "Pedido", "Commande")
IDENTIFIER_ENTITIES_ARE_ALL_BUT = {"PERSON", "LOCATION", "ORGANIZATION", "SECRET", "EMAIL_ADDRESS", "URL",
                                   "CONFIDENTIAL_DOCUMENT", "DATE_OF_BIRTH", "IDENTITY_RECORD"}


def _digits(rng: random.Random, length: int) -> str:
    return str(rng.randint(1, 9)) + "".join(rng.choice("0123456789") for _ in range(length - 1))


def _labelled_numbers(seed: int) -> list[str]:
    """Order, invoice, tracking and other numbers of every length an identifier has (8 to 18 digits),
    written plain, grouped in threes or fours, or dashed, each right after a word that says what it is."""
    rng = random.Random(seed)
    lines = []
    for _ in range(300):
        digits = _digits(rng, rng.randint(8, 18))
        written = rng.choice([digits, " ".join(digits[i:i + 3] for i in range(0, len(digits), 3)),
                              "-".join(digits[i:i + 4] for i in range(0, len(digits), 4))])
        lines.append(f"{rng.choice(LABELS)} {rng.choice(['', 'no. ', '#', 'number '])}{written} "
                     f"{rng.choice(['shipped today.', 'was paid.', 'is attached.', 'closed on Monday.'])}")
    return lines


def _log_lines(seed: int) -> list[str]:
    """Invoices, logs and reports full of long numbers with no label: timestamps in seconds and milliseconds,
    process sizes, byte counts, amounts, populations, compact date-times, build stamps."""
    rng = random.Random(seed)
    start = datetime(2023, 6, 1, tzinfo=timezone.utc)
    lines = []
    for _ in range(200):
        moment = start + timedelta(seconds=rng.randint(0, 80_000_000))
        stamp = int(moment.timestamp())
        lines += [
            f"{moment.isoformat()} INFO worker[{rng.randint(100, 65535)}] done in {rng.randint(1, 9999)} ms, "
            f"{rng.randint(10**6, 10**11)} bytes, ts={stamp} ts_ms={stamp * 1000 + rng.randint(0, 999)}",
            f"pid {rng.randint(1000, 4194304)} rss {rng.randint(10**6, 10**10)} vsz {rng.randint(10**8, 10**12)} "
            f"uptime {rng.randint(1, 10**7)}s",
            f"Total EUR {rng.randint(1, 9_999_999):,}.{rng.randint(0, 99):02d} for {rng.randint(1, 999)} items, "
            f"{rng.randint(1, 60)} days net; balance {rng.randint(10**6, 10**12):,}",
            f"Population {rng.randint(10**6, 10**10)} in {rng.randint(1900, 2024)}; GDP {_digits(rng, 11)} USD; "
            f"area {rng.randint(1000, 9_999_999)} km2",
            f"deployed {moment:%Y%m%d%H%M%S} as build {moment:%Y%m%d}.{rng.randint(1, 99)} on "
            f"{rng.randint(2, 64)} nodes",
        ]
    return lines


def _identifier_findings(engine: Engine, lines: list[str]) -> list[tuple[str, str, str]]:
    results = engine.analyze_batch(lines)
    return [(line, m.entity, m.value) for line, matches in zip(lines, results) for m in matches
            if m.entity not in IDENTIFIER_ENTITIES_ARE_ALL_BUT]


def test_no_identifier_is_reported_on_labelled_order_invoice_and_tracking_numbers(default_engine: Engine) -> None:
    assert _identifier_findings(default_engine, _labelled_numbers(seed=20261205)) == []


def test_long_numbers_in_logs_and_reports_are_almost_never_identifiers(default_engine: Engine) -> None:
    """Eleven to thirteen plain digits may pass a national id's birth date and check digits; a number with
    no birth date (a Turkish, Argentine or Australian business number) is only POSSIBLE without a word
    that names it. Out of the long digit runs here, at most one in 200 may be reported."""
    lines = _log_lines(seed=20261206)
    runs = sum(len(re.findall(r"(?<!\d)\d{9,}(?!\d)", line)) for line in lines)
    found = _identifier_findings(default_engine, lines)
    assert runs > 1500
    assert len(found) * 200 <= runs, found
