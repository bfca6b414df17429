"""PERSON accuracy on held-out names: names the PERSON rule's word lists do not know.

    python -m bench.heldout                          # P/R/F1 of ours (default, regex) and Presidio
    python -m bench.heldout --engines default,ner    # any of bench.engines.ANALYZERS, and `presidio`
    python -m bench --only person_heldout            # the same as a section of the benchmark report
    python -c "from bench.heldout import measure; measure(['default', 'regex'])"

The emulator draws its people from Faker's per-locale name lists, and the PERSON
rule's word lists (rules/data/first-names.txt, last-names.txt) are built from
the same lists, so the main accuracy table never asks whether the NER path
finds a name the word lists do not know. This corpus does. Its names come from
Faker locales that are not in the word lists' header (`HELDOUT_LOCALES`), and a
name is kept only when none of its parts, case-folded (and with accents
stripped), is in first-names.txt, last-names.txt, common-words.txt or
not-surnames.txt. The texts are short chat messages built from templates
(`POSITIVE_TEMPLATES`): requests to forward a document, meeting notes, HR
records with an email and phone, names at sentence start, after titles, in
lists, possessives, signatures, lower-case chat; some surnames are hyphenated
and many names carry diacritics. A share of the texts (`NEGATIVE_SHARE`) holds
no name at all, only capitalised pairs that are not names (Travel Policy,
Directory API, Revenue Operations, Cape Town...), and the name texts hold such
pairs too: that is what precision is measured on.

The ground truth is the exact span of each full name (titles and "'s" left
out); engines are scored with `bench.accuracy.score`, the convention of the main
accuracy table (a reported PERSON span overlapping an unmatched name is a true
positive, any other PERSON span a false positive). Besides that, it records how
many names were reported with their exact boundaries, and recall per template,
per source locale and per name form.

The corpus depends only on the seed, the size and the installed Faker's name
lists (its version is recorded); it is generated in memory and nothing is
downloaded.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import random
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from bench.accuracy import Span, score
from bench.corpus import Corpus, GoldSpan, LabelledText
from dlp.records import ScanContext
from rules import RULES_DIR

ENTITY = "PERSON"
DEFAULT_SEED = 7
DEFAULT_TEXTS = 300
DEFAULT_ENGINES = ("default", "regex", "presidio")
NEGATIVE_SHARE = 0.35  # texts with no name, only capitalised non-name pairs
HYPHEN_SHARE = 0.15  # names whose surname is double-barrelled ("Adebisi-Adeleke")
EXAMPLES = 12  # missed names and false positives kept per engine in the results

# Latin-script Faker locales whose person lists are not among the word lists' sources
# (rules/data/make_name_lists.py LOCALES); es_CA, fr_QC, el_GR and the like add no held-out name.
HELDOUT_LOCALES = ("az_AZ", "vi_VN", "zu_ZA", "yo_NG", "ha_NG", "ig_NG", "sw", "tw_GH", "uz_UZ", "en_TH",
                   "de_LI", "de_LU", "fr_DZ")  # fmt: skip
WORD_LIST_FILES = ("first-names.txt", "last-names.txt", "common-words.txt", "not-surnames.txt")
_FIRST_NAME_ATTRS = ("first_names", "first_names_male", "first_names_female", "first_names_nonbinary")
MIN_POOL = 3  # a locale needs this many held-out given and family names to be used

# ---- the templates --------------------------------------------------------------------------
# {P} is a new person (a labelled span); {EMAIL} the e-mail address of the latest person (a role
# address when there is none); the other slots draw from the lists below. Every slot but {P} is
# unlabelled: the capitalised ones (TEAM, PRODUCT, DOC, PLACE, COMPANY, HEADING) are the pairs a
# name finder must leave alone.
POSITIVE_TEMPLATES: dict[str, tuple[str, ...]] = {
    "forward": (
        "Can you forward the signed contract to {P} before {DAY}?",
        "Please send the {DOC} to {P} in {TEAM}; they asked for it twice.",
        "Forward the NDA to {P} ({EMAIL}) and copy {TEAM}.",
        "Could you share the redlined {DOC} with {P} by end of day?",
        "Write a short email handing the {PRODUCT} licences over to {P}.",
    ),
    "meeting": (
        "Meeting notes {DATE}: {P} presented the {PRODUCT} rollout; {P} will follow up with {TEAM}.",
        "{HEADING}\nAction items: {P} to update the {DOC}, {P} to book the venue in {PLACE}.",
        "Summarise this call: {P} from {COMPANY} wants a discount and {P} said no.",
        "Turn these notes into minutes. Present: {P} (chair), {P}, someone from {TEAM}.",
    ),
    "hr": (
        "Employee record: {P}, email {EMAIL}, phone {PHONE}, start date {DATE}, team {TEAM}.",
        "New hire: {P} <{EMAIL}>, mobile {PHONE}. Please set up {PRODUCT} access.",
        "Emergency contact for {P}: call {PHONE} or write to {EMAIL}.",
        "Name: {P}\nEmail: {EMAIL}\nPhone: {PHONE}\nDepartment: {TEAM}",
        "Draft an offer letter for {P} ({EMAIL}), joining {TEAM} in {PLACE} on {DATE}.",
    ),
    "sentence_start": (
        "{P} asked whether the {DOC} is final.",
        "{P} is out until {DAY}, so ping {TEAM} instead.",
        "{P} will present the {HEADING} next week. Can you prepare three slides?",
        "Thanks for the update. {P} confirmed the {PRODUCT} budget this morning.",
    ),
    "title": (
        "{HON} {P} approved the referral; the report goes to {TEAM}.",
        "Please book a slot with {HON} {P} on {DAY} morning.",
        "Dear {HON} {P}, thank you for your patience with the {PRODUCT} migration.",
        "The patient was seen by {HON} {P} at the {PLACE} clinic on {DATE}.",
    ),
    "list": (
        "Attendees: {P}, {P}, {P} and {P}.",
        "Reviewers for the {DOC}:\n- {P}\n- {P}\n- {P}",
        "On the shortlist are {P}, {P} and {P}; interviews in {PLACE}.",
        "1. {P} ({TEAM})\n2. {P} ({COMPANY})\n3. {P}",
    ),
    "lowercase": (
        "pls loop in {P} on the vendor thread, thx",
        "can u check if {P} signed the nda? legal keeps asking",
        "fyi {P} is the new owner of the budget sheet",
        "hey, is {P} still on the on-call rota this week?",
    ),
    "possessive": (
        "{P}'s laptop was stolen at the airport in {PLACE}; reset the {PRODUCT} password.",
        "Add {P}'s comments to the {DOC} before it goes out.",
        "Rewrite {P}'s feedback in plain words, it reads too harsh.",
    ),
    "signature": (
        "Thanks for the quick turnaround.\n\nBest regards,\n{P}\n{TEAM}, {COMPANY}",
        "Cheers,\n{P} | {TEAM} | {PHONE}",
        "Kind regards\n{P}\n{EMAIL}",
    ),
    "request": (
        "Write a polite reminder to {P} about the overdue invoice from {COMPANY}.",
        "Draft a recommendation for {P}, who led {TEAM} for three years.",
        "Translate this message for {P}: the {HEADING} moves to {DAY}.",
    ),
}
NEGATIVE_TEMPLATES: tuple[str, ...] = (
    "Please send the {DOC} to the whole of {TEAM}.",
    "Rewrite the {DOC} for {COMPANY} in Plain English, it is far too dense.",
    "The {PRODUCT} returns 404 since {DAY}; who owns it?",
    "Ask {TEAM} about the {HEADING} before the {DOC} goes out.",
    "Summarise the {DOC} for {COMPANY} in five bullet points.",
    "{HEADING}\n- {PRODUCT} upgrade\n- {DOC} review\n- offsite in {PLACE}",
    "Our {TEAM} team in {PLACE} needs access to {PRODUCT}. Email {EMAIL}.",
    "Compare {PRODUCT} with {PRODUCT} for {TEAM}.",
    "Happy Friday! The {HEADING} is moved to {DATE} in {PLACE}.",
    "Is the {DOC} from {COMPANY} compatible with our {DOC}?",
    "Good Morning, the {PRODUCT} outage is over. Root cause in the {HEADING}.",
    "Travel Policy question: can I fly business class to {PLACE}?",
    "The Directory API and {PRODUCT} both time out from {PLACE}.",
    "Create a ticket for {TEAM}: {PRODUCT} licences expire on {DATE}.",
)
TEAMS = ("Revenue Operations", "Platform Engineering", "Customer Success", "Legal Affairs", "Data Science",
         "Internal Audit", "Talent Acquisition", "Field Marketing", "Site Reliability", "Vendor Management",
         "Group Treasury", "Clinical Research")  # fmt: skip
PRODUCTS = ("Directory API", "Power BI", "Visual Studio", "Google Sheets", "Azure Functions", "Adobe Acrobat",
            "Microsoft Teams", "Slack Connect", "Jira Service Management", "Tableau Prep", "Okta Verify",
            "Snowflake Cortex")  # fmt: skip
DOCS = ("Travel Policy", "Expense Guidelines", "Master Services Agreement", "Data Processing Addendum",
        "Statement of Work", "Code of Conduct", "Security Whitepaper", "Board Deck", "Pricing Sheet",
        "Incident Report")  # fmt: skip
PLACES = ("New York", "Buenos Aires", "Cape Town", "Hong Kong", "San Francisco", "Kuala Lumpur", "Abu Dhabi",
          "Santa Clara", "Tel Aviv", "Las Vegas")  # fmt: skip
COMPANIES = ("Northwind Traders", "Bluefin Logistics", "Kestrel Health", "Quillfield Partners", "Orchard Lane Capital",
             "Veridian Labs", "Harbour Point", "Solvane Group")  # fmt: skip
HEADINGS = ("Quarterly Business Review", "Action Items", "Next Steps", "Open Questions", "Risk Register",
            "Executive Summary", "Release Notes", "Town Hall")  # fmt: skip
TITLES = ("Dr.", "Dr", "Ms.", "Mr.", "Mrs.", "Prof.")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "September", "October", "November")
DOMAINS = ("northwindtraders.com", "bluefin-logistics.co.uk", "kestrel-health.com", "veridian-labs.com",
           "quillfield.io")  # fmt: skip
_SLOT = re.compile(r"\{([A-Z]+)\}")


# ---- the names ------------------------------------------------------------------------------


def _fold(word: str) -> str:
    """Case-folded, without combining accents: how a word is compared with the word lists."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


@cache
def known_words(data_dir: Path = RULES_DIR / "data") -> frozenset[str]:
    """Every word of the PERSON rule's word lists, case-folded, as written and without accents."""
    words: set[str] = set()
    for name in WORD_LIST_FILES:
        for line in (data_dir / name).read_text(encoding="utf-8").splitlines():
            word = line.strip()
            if word and not word.startswith("#"):
                words.update((word.casefold(), _fold(word)))
    return frozenset(words)


def name_parts(name: str) -> list[str]:
    return [part for part in re.split(r"[\s-]+", name) if part]


def is_held_out(name: str, known: frozenset[str]) -> bool:
    """No part of `name` (split at spaces and hyphens) is in the word lists, exactly or without accents."""
    return all(part.casefold() not in known and _fold(part) not in known for part in name_parts(name))


def _latin_word(word: str) -> bool:
    return (
        len(word) >= 2
        and word.isalpha()
        and word[0].isupper()
        and not word.isupper()
        and all(ch.isascii() or unicodedata.name(ch, "").startswith("LATIN") for ch in word)
    )


def _provider_names(locale: str, attr: str) -> list[str]:
    try:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
    except ImportError:
        return []
    for klass in provider.__mro__:
        raw = klass.__dict__.get(attr)
        if raw is not None and not isinstance(raw, property):
            return [str(name).strip() for name in (raw.keys() if isinstance(raw, dict) else raw)]
    return []


@cache
def name_pools(known: frozenset[str] | None = None) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """Per held-out locale: its (given names, family names) that are Latin words the word lists lack, sorted."""
    known = known_words() if known is None else known
    pools = {}
    for locale in HELDOUT_LOCALES:
        firsts = {n for attr in _FIRST_NAME_ATTRS for n in _provider_names(locale, attr)}
        lasts = set(_provider_names(locale, "last_names"))
        keep = [
            tuple(sorted(n for n in names if _latin_word(n) and is_held_out(n, known))) for names in (firsts, lasts)
        ]
        if len(keep[0]) >= MIN_POOL and len(keep[1]) >= MIN_POOL:
            pools[locale] = (keep[0], keep[1])
    if not pools:
        raise RuntimeError("no held-out names: is Faker installed?")
    return pools


def name_form(name: str) -> str:
    """`hyphenated`, `non_ascii_initial` (a part starts with a letter outside ASCII), `diacritics` or `ascii`."""
    if "-" in name:
        return "hyphenated"
    if any(not part[0].isascii() for part in name_parts(name)):
        return "non_ascii_initial"
    return "ascii" if name.isascii() else "diacritics"


@dataclass(frozen=True, slots=True)
class HeldOutName:
    start: int
    end: int
    name: str
    template: str  # the key of POSITIVE_TEMPLATES it was written into
    locale: str
    form: str  # name_form(name)


@dataclass(frozen=True)
class HeldOutCorpus:
    """The texts as a `bench.corpus.Corpus` (PERSON gold spans, subtype = template) and each name's facets."""

    corpus: Corpus
    names: tuple[tuple[HeldOutName, ...], ...]  # per text, in text order

    def by(self, facet: str) -> Corpus:
        """The same corpus with each gold span's subtype set to `template`, `locale` or `form`."""
        texts = tuple(
            dataclasses.replace(
                text,
                gold=tuple(GoldSpan(ENTITY, n.start, n.end, True, getattr(n, facet)) for n in names),
            )
            for text, names in zip(self.corpus.texts, self.names)
        )
        return dataclasses.replace(self.corpus, texts=texts)

    def describe(self) -> dict[str, Any]:
        every = [n for names in self.names for n in names]
        return {
            "seed": self.corpus.seed,
            "texts": len(self.corpus.texts),
            "texts_with_names": sum(1 for names in self.names if names),
            "texts_without_names": sum(1 for names in self.names if not names),
            "names": len(every),
            "distinct_names": len({n.name for n in every}),
            "chars": self.corpus.chars,
            "by_template": dict(sorted(Counter(n.template for n in every).items())),
            "by_locale": dict(sorted(Counter(n.locale for n in every).items())),
            "by_form": dict(sorted(Counter(n.form for n in every).items())),
            "faker_version": _faker_version(),
            "word_lists": [f"rules/data/{name}" for name in WORD_LIST_FILES],
        }


def _faker_version() -> str | None:
    try:
        import faker
    except ImportError:
        return None
    return str(getattr(faker, "VERSION", None))


class _Writer:
    """Fills one template, drawing from `rng`, and records where each person's name lands."""

    def __init__(self, rng: random.Random, pools: dict[str, tuple[tuple[str, ...], tuple[str, ...]]]) -> None:
        self.rng = rng
        self.pools = pools
        self.locales = sorted(pools)

    def person(self, taken: set[str]) -> tuple[str, str, str]:
        """(full name, locale, e-mail local part) of a name not yet in this text."""
        rng = self.rng
        while True:
            locale = rng.choice(self.locales)
            firsts, lasts = self.pools[locale]
            first, last = rng.choice(firsts), rng.choice(lasts)
            if rng.random() < HYPHEN_SHARE:
                other = rng.choice(lasts)
                if other != last:
                    last = f"{last}-{other}"
            if first.casefold() == last.casefold():
                continue
            name = f"{first} {last}"
            if name not in taken:
                taken.add(name)
                return name, locale, _ascii(f"{first}.{last}")

    def write(self, template: str, kind: str | None) -> tuple[str, tuple[HeldOutName, ...]]:
        rng = self.rng
        out: list[str] = []
        names: list[HeldOutName] = []
        taken: set[str] = set()
        local = rng.choice(("travel", "it-help", "finance", "people-ops"))
        position = 0
        for match in _SLOT.finditer(template):
            out.append(template[position : match.start()])
            position = match.end()
            slot = match.group(1)
            if slot == "P":
                name, locale, local = self.person(taken)
                start = sum(len(piece) for piece in out)
                out.append(name)
                assert kind is not None, "a negative template has no person"
                names.append(HeldOutName(start, start + len(name), name, kind, locale, name_form(name)))
            elif slot == "EMAIL":
                out.append(f"{local}@{rng.choice(DOMAINS)}")
            else:
                out.append(self.filler(slot))
        out.append(template[position:])
        return "".join(out), tuple(names)

    def filler(self, slot: str) -> str:
        rng = self.rng
        if slot == "PHONE":
            pattern = rng.choice(
                ("+44 20 7946 {:04d}", "+1 415 555 {:04d}", "+49 30 901820{:02d}", "+27 21 555 {:04d}")
            )
            return pattern.format(rng.randrange(100))
        if slot == "DATE":
            day, month = rng.randint(1, 28), rng.choice(MONTHS)
            return rng.choice((f"{day} {month} 2026", f"2026-{MONTHS.index(month) + 1:02d}-{day:02d}"))
        lists = {"TEAM": TEAMS, "PRODUCT": PRODUCTS, "DOC": DOCS, "PLACE": PLACES, "COMPANY": COMPANIES,
                 "HEADING": HEADINGS, "HON": TITLES, "DAY": DAYS}  # fmt: skip
        return rng.choice(lists[slot])


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z.-]", "", folded) or "someone"


def build_heldout_corpus(seed: int = DEFAULT_SEED, texts: int = DEFAULT_TEXTS) -> HeldOutCorpus:
    """`texts` chat messages, `NEGATIVE_SHARE` of them without a name; the same for the same seed and Faker."""
    if texts < 2:
        raise ValueError("the held-out corpus needs at least 2 texts")
    rng = random.Random(f"person-heldout:{seed}")
    writer = _Writer(rng, name_pools())
    negatives = round(texts * NEGATIVE_SHARE)
    kinds = sorted(POSITIVE_TEMPLATES)
    plan: list[str | None] = [kinds[i % len(kinds)] for i in range(texts - negatives)] + [None] * negatives
    rng.shuffle(plan)
    labelled: list[LabelledText] = []
    all_names: list[tuple[HeldOutName, ...]] = []
    context = ScanContext(kind="message", role="user")
    for index, kind in enumerate(plan):
        template = rng.choice(POSITIVE_TEMPLATES[kind] if kind is not None else NEGATIVE_TEMPLATES)
        text, names = writer.write(template, kind)
        gold = tuple(GoldSpan(ENTITY, n.start, n.end, True, n.template) for n in names)
        labelled.append(LabelledText("heldout", f"heldout:{index}", text, context, gold))
        all_names.append(names)
    corpus = Corpus(seed=seed, scale=f"person-heldout {texts}", texts=tuple(labelled))
    return HeldOutCorpus(corpus, tuple(all_names))


# ---- scoring --------------------------------------------------------------------------------

FACETS = ("template", "locale", "form")


def score_engine(
    label: str, heldout: HeldOutCorpus, predictions: Sequence[Iterable[Span]], supported: frozenset[str]
) -> dict[str, Any]:
    """One engine's PERSON score (`bench.accuracy.score`), exact-boundary hits, and recall per facet."""
    spans = [list(per_text) for per_text in predictions]
    report = score(label, heldout.corpus, spans, supported)
    person = report.entities[ENTITY].to_json()
    recall_by = {}
    for facet in FACETS:
        by_facet = score(label, heldout.by(facet), spans, supported).recall_by_subtype.get(ENTITY, {})
        recall_by[facet] = {
            sub: {"found": f, "names": n, "recall": round(f / n, 4) if n else None} for sub, (f, n) in sorted(by_facet.items())
        }  # fmt: skip
    # examples only (the counts above are `score`'s): names no PERSON span touches, PERSON spans touching no name
    exact = fp_without_names = 0
    missed: dict[str, None] = {}
    false_positives: Counter[str] = Counter()
    for text, names, found in zip(heldout.corpus.texts, heldout.names, spans):
        people = [(s, e) for entity, s, e in found if entity == ENTITY]
        exact += sum(1 for n in names if (n.start, n.end) in people)
        for n in names:
            if not any(s < n.end and n.start < e for s, e in people):
                missed.setdefault(n.name)
        for s, e in people:
            if not any(s < n.end and n.start < e for n in names):
                fp_without_names += not names
                false_positives[text.text[s:e]] += 1
    names_total = sum(len(names) for names in heldout.names)
    return {
        "engine": label,
        "person": person,
        "exact_spans": exact,
        "exact_recall": round(exact / names_total, 4) if names_total else None,
        "fp_in_texts_without_names": fp_without_names,
        "recall_by": recall_by,
        "other_entities": dict(report.other_entities.most_common()),
        "examples": {"missed": list(missed)[:EXAMPLES], "false_positives": dict(false_positives.most_common(EXAMPLES))},
    }


# ---- running engines ------------------------------------------------------------------------

ENGINE_LABELS = {"default": "ours_default", "regex": "ours_regex", "ner": "ours_ner", "spacy-full": "spacy_full",
                 "spacy-ner": "spacy_ner", "presidio": "presidio_default"}  # fmt: skip


def engine_choices() -> tuple[str, ...]:
    from bench.engines import ANALYZERS

    return (*ANALYZERS, "presidio")


def evaluate(
    engine_names: Sequence[str] = DEFAULT_ENGINES,
    *,
    seed: int = DEFAULT_SEED,
    texts: int = DEFAULT_TEXTS,
    spec: Any = None,
    progress: Callable[[str], None] = lambda _: None,
) -> dict[str, Any]:
    """Build the corpus, run each engine over it and score it; the results as a JSON-ready dict."""
    from bench.detection import _chunked
    from bench.engines import ANALYZERS, build_analyzer, select
    from detectors.engine import EngineSpec

    spec = spec or EngineSpec()
    unknown = [name for name in engine_names if name not in engine_choices()]
    if unknown:
        raise ValueError(f"unknown engine(s) {', '.join(unknown)}; choose from {', '.join(engine_choices())}")
    heldout = build_heldout_corpus(seed, texts)
    strings, contexts = heldout.corpus.strings(), heldout.corpus.contexts()
    out: dict[str, Any] = {"corpus": heldout.describe(), "engines": {}}
    rules = select(spec) if any(name in ANALYZERS for name in engine_names) else None
    for name in engine_names:
        label = ENGINE_LABELS[name]
        progress(f"person held-out: {label} on {len(strings)} texts")
        if name == "presidio":
            from bench.presidio_offline import PresidioAnalyzer, PresidioSettings

            with PresidioAnalyzer(PresidioSettings(model=spec.ner_model)) as presidio:
                supported = presidio.supported_entities()
                found = presidio.analyze_all(strings)
            spans = [[(s.entity, s.start, s.end) for s in per_text] for per_text in found]
        else:
            assert rules is not None
            spans = _chunked(build_analyzer(name, rules), strings, contexts)
            supported = rules.entities if name in ("default", "regex", "ner") else frozenset({ENTITY})
        out["engines"][label] = score_engine(label, heldout, spans, supported)
    return out


def table_rows(result: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the summary table (one row per engine), for the terminal, Markdown and plain text."""

    def f(value: float | None) -> str:
        return "-" if value is None else f"{value:.3f}"

    header = ["engine", "precision", "recall", "F1", "tp / fp / fn", "exact spans", "fp on texts without names"]
    rows = []
    for label, data in result["engines"].items():
        p = data["person"]
        if not p["supported"]:
            rows.append([label, "not covered", "", "", "", "", ""])
            continue
        rows.append([label, f(p["precision"]), f(p["recall"]), f(p["f1"]), f"{p['tp']} / {p['fp']} / {p['fn']}",
                     f"{data['exact_spans']} ({f(data['exact_recall'])})", str(data["fp_in_texts_without_names"])])  # fmt: skip
    return header, rows


def facet_lines(result: dict[str, Any]) -> list[str]:
    """One line per engine and facet: recall per template, locale and name form."""
    lines = []
    for label, data in result["engines"].items():
        if not data["person"]["supported"] or not data["person"]["tp"]:
            continue  # nothing found: the table says it all
        for facet, subs in data["recall_by"].items():
            cells = ", ".join(f"{sub} {v['found']}/{v['names']}" for sub, v in subs.items())
            lines.append(f"{label} recall by {facet}: {cells}")
    return lines


def describe_line(result: dict[str, Any]) -> str:
    c = result["corpus"]
    return (
        f"{c['texts']} texts (seed {c['seed']}), {c['names']} held-out names ({c['distinct_names']} distinct) "
        f"in {c['texts_with_names']} texts, {c['texts_without_names']} texts without a name; "
        f"names from Faker {c['faker_version']} locales {', '.join(c['by_locale'])}"
    )


def fp_examples(data: dict[str, Any]) -> str:
    return "; ".join(
        f"{value} x{count}" if count > 1 else value for value, count in data["examples"]["false_positives"].items()
    )


def format_text(result: dict[str, Any], details: bool = True) -> str:
    header, rows = table_rows(result)
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
    lines = ["PERSON on held-out names: " + describe_line(result), ""]
    for row in [header, *rows]:
        lines.append("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip())
    if details:
        lines += ["", *facet_lines(result)]
        for label, data in result["engines"].items():
            if data["examples"]["missed"]:
                lines.append(f"{label} missed, e.g.: {'; '.join(data['examples']['missed'])}")
            if data["examples"]["false_positives"]:
                lines.append(f"{label} false positives, e.g.: {fp_examples(data)}")
    return "\n".join(lines)


def measure(
    engine_names: Sequence[str] = DEFAULT_ENGINES,
    *,
    seed: int = DEFAULT_SEED,
    texts: int = DEFAULT_TEXTS,
    spec: Any = None,
    details: bool = True,
    out: Callable[[str], None] = print,
) -> dict[str, Any]:
    """`evaluate`, then print the P/R/F1 table (and recall per facet with `details`); returns the results."""
    result = evaluate(
        engine_names, seed=seed, texts=texts, spec=spec, progress=lambda m: print(f"... {m}", file=sys.stderr)
    )
    out(format_text(result, details))
    return result


def main(argv: Sequence[str] | None = None) -> int:
    from detectors.engine import DEFAULT_NER_MODEL, EngineSpec

    parser = argparse.ArgumentParser(prog="python -m bench.heldout", description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("--engines", default=",".join(DEFAULT_ENGINES),
                        help=f"comma-separated, of {', '.join(engine_choices())} (default {','.join(DEFAULT_ENGINES)})")  # fmt: skip
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"corpus seed (default {DEFAULT_SEED})")
    parser.add_argument("--texts", type=int, default=DEFAULT_TEXTS, help=f"corpus size (default {DEFAULT_TEXTS})")
    parser.add_argument(
        "--rules", action="append", default=[], help="a rule file or directory instead of the built-in packs"
    )
    parser.add_argument("--policy", help="a policy file instead of rules/default-policy.yaml")
    parser.add_argument("--ner-model", default=DEFAULT_NER_MODEL, help="spaCy model for our NER and Presidio")
    parser.add_argument("--brief", action="store_true", help="the table only, no recall per facet or examples")
    parser.add_argument("--json", help="also write the results to this JSON file")
    args = parser.parse_args(argv)
    names = [name.strip() for name in args.engines.split(",") if name.strip()]
    spec = EngineSpec(rule_paths=tuple(args.rules), policy_path=args.policy, ner_model=args.ner_model)
    try:
        result = measure(names, seed=args.seed, texts=args.texts, spec=spec, details=not args.brief)
    except ValueError as exc:
        parser.error(str(exc))
    if args.json:
        from bench.report import write_json

        write_json(result, args.json)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
