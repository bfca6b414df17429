"""Realistic workplace prose around the planted values.

Conversations pick a topic; each message is assembled from an opener, one
or two topic sentences, sometimes a sentence carrying a planted value, and a
closer, all drawn from many variants, so no sentence dominates the corpus.
Filler text is written to contain no personal names, e-mail addresses,
long digit runs or credential-like strings: anything sensitive in the corpus
is a planted value with a ground-truth record.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from dlp.emulator.snippets import Snippet, fill, join, plain
from dlp.emulator.synth import credentials, financial, health, identity, markers, people
from dlp.emulator.synth.value import SynthValue


@dataclass(frozen=True)
class Topic:
    name: str
    titles: tuple[str, ...]
    asks: tuple[str, ...]
    details: tuple[str, ...]
    replies: tuple[str, ...]


TOPICS: tuple[Topic, ...] = (
    Topic("refunds",
          ("Refund request follow-up", "Chargeback reply draft", "Customer billing dispute"),
          ("Can you draft a polite reply to a customer who was charged twice this month?",
           "Help me write a refund confirmation that doesn't sound robotic.",
           "I need a short summary of this billing complaint for the finance channel.",
           "What's the cleanest way to explain our 14-day refund window to an upset customer?",
           "Rewrite this support macro so it sounds warmer and shorter."),
          ("The customer says the second charge showed up two days after the first one.",
           "They already opened a ticket last week and nobody answered.",
           "Finance approved the refund but the ledger still shows it as pending.",
           "The order was a yearly plan upgraded mid-cycle, so proration is involved.",
           "Our policy allows a goodwill credit of up to one month."),
          ("Here's a draft you can adapt: thank the customer, confirm the duplicate charge, and give a clear timeline for the refund.",
           "I'd keep it to three short paragraphs: acknowledge, explain what happened, and say exactly when the money will be back.",
           "A warmer version could open with an apology and close by offering a direct contact for follow-up.",
           "Summary for finance: duplicate charge confirmed, refund approved, ledger entry still pending reconciliation.")),
    Topic("onboarding",
          ("New hire paperwork", "Onboarding checklist", "Payroll setup for new starter"),
          ("Can you turn these onboarding notes into a checklist for the first week?",
           "I'm setting up payroll for a new starter, what fields do we usually need?",
           "Draft a welcome email for someone joining the data team on Monday.",
           "Which documents should HR collect before the first paycheck?",
           "Summarise the equipment request so IT can act on it."),
          ("They start on the first of the month and will be fully remote.",
           "Payroll needs the tax details before the cut-off on the 20th.",
           "The laptop order is approved, but the badge request is still open.",
           "Their manager wants a buddy assigned from the platform team.",
           "Benefits enrollment closes thirty days after the start date."),
          ("Here's a first-week checklist grouped by day, with owners for each item.",
           "For payroll you'll typically need legal name, address, tax identifiers and bank details for direct deposit.",
           "A short welcome note works best: who they'll meet, where to find docs, and what the first day looks like.",
           "I'd split this into HR, IT and team tasks so each group sees only what they own.")),
    Topic("infra",
          ("Deploy pipeline failing", "Terraform state question", "Service config review"),
          ("Our deploy job started failing after the last merge, can you help me read this log?",
           "Can you review this config and tell me why the service can't reach the database?",
           "How do I rotate credentials for the staging environment without downtime?",
           "Explain what this error from the CI runner means.",
           "Write a small script that checks whether the nightly backup finished."),
          ("The job fails at the migration step with a timeout after about ninety seconds.",
           "It worked yesterday, and the only change was a dependency bump.",
           "Staging and production share the same base image but different secrets.",
           "The health check passes locally but not inside the cluster.",
           "We store the settings in an env file that gets copied into the container."),
          ("The timeout suggests the migration is waiting on a lock; check for a long-running transaction first.",
           "You should move those values into your secret manager and reference them by name instead of hard-coding them.",
           "Rotate by creating the new credential, deploying it alongside the old one, then revoking the old one once traffic has moved.",
           "Here's a small script that reads the backup manifest and exits non-zero if the last run is older than a day.")),
    Topic("sales",
          ("Quarterly pipeline summary", "Renewal risk notes", "Deal desk question"),
          ("Summarise the pipeline changes since last week for the sales sync.",
           "Which of these renewals look at risk, and why?",
           "Draft a follow-up to a prospect who went quiet after the demo.",
           "Turn these call notes into a short account plan.",
           "Help me phrase a discount request for the deal desk."),
          ("Two of the larger renewals moved to next quarter.",
           "The champion on the account changed roles last month.",
           "Procurement asked for a security questionnaire before signing.",
           "We're competing against an incumbent with a three-year contract.",
           "The prospect liked the reporting features but worried about onboarding time."),
          ("Pipeline summary: total up modestly, two large renewals slipped, and one new enterprise opportunity entered stage two.",
           "The renewals at risk are the ones with a champion change and no executive sponsor.",
           "A short follow-up that references a specific point from the demo usually gets a reply.",
           "For the deal desk, lead with the strategic value and the multi-year commitment, then the discount.")),
    Topic("legal",
          ("Contract clause review", "NDA redlines", "Vendor agreement questions"),
          ("Can you explain this indemnification clause in plain language?",
           "Compare these two versions of the NDA and list what changed.",
           "What should we push back on in this vendor agreement?",
           "Summarise the termination terms of this contract.",
           "Draft a short note to the vendor asking for a liability cap."),
          ("The vendor wants unlimited liability for data breaches on our side only.",
           "Their template auto-renews for three years unless cancelled ninety days ahead.",
           "Our counsel prefers governing law in our home jurisdiction.",
           "The data processing addendum is referenced but not attached.",
           "Payment terms are net sixty, and we usually accept net thirty."),
          ("In plain terms, the clause makes you cover the vendor's losses even where they were partly at fault.",
           "The main changes are the definition of confidential information, the term, and a new non-solicit clause.",
           "I'd push back on the one-sided liability, the auto-renewal notice period and the missing data processing terms.",
           "Either party can terminate for convenience with sixty days' notice; termination for cause needs a thirty-day cure period.")),
    Topic("analytics",
          ("Churn analysis", "Dashboard metric definitions", "Spreadsheet cleanup"),
          ("Help me write a SQL query for monthly active users by plan.",
           "Why would our churn numbers differ between the two dashboards?",
           "Clean up this spreadsheet export so I can pivot it.",
           "Explain the difference between gross and net revenue retention.",
           "Suggest a chart for showing cohort retention to executives."),
          ("The export has one row per invoice, not per customer.",
           "One dashboard counts trial users and the other doesn't.",
           "Dates come in two different formats in the same column.",
           "We want the numbers split by region and plan tier.",
           "The finance team uses calendar months and product uses rolling thirty days."),
          ("Here's a query that groups events by month and plan, counting distinct users who were active at least once.",
           "The difference is most likely the trial filter and the definition of the month window.",
           "Normalise the dates first, then deduplicate on the customer column before pivoting.",
           "A cohort heat map works well: signup month down the side, months since signup across the top.")),
    Topic("hr",
          ("Performance review wording", "Leave policy question", "Employee relations note"),
          ("Help me word constructive feedback for a mid-year review.",
           "What's our usual approach for extended medical leave requests?",
           "Draft a neutral summary of an employee relations meeting.",
           "How should I document a change to someone's working hours?",
           "Write a short announcement about the new hybrid work policy."),
          ("The employee asked for the change to be effective next month.",
           "Their manager wants the notes kept factual and brief.",
           "The request includes a doctor's note and an expected return date.",
           "This needs to go into the personnel file before the end of the week.",
           "The policy applies to everyone except on-site support roles."),
          ("Keep feedback specific and forward-looking: one strength, one area to grow, and one concrete next step.",
           "For extended leave, confirm receipt, explain the documents needed, and name a single HR contact.",
           "A neutral summary lists who attended, what was discussed, and agreed actions, without interpretation.",
           "Here's a short announcement that explains what changes, when, and where to ask questions.")),
    Topic("healthcare",
          ("Patient referral letter", "Clinic intake form", "Prescription question"),
          ("Can you help me draft a referral letter to a cardiology clinic?",
           "Turn these intake notes into a structured summary for the care team.",
           "Rewrite this discharge summary in plain language for the patient.",
           "What information does a pharmacy usually need to verify a prescriber?",
           "Summarise this patient's visit history for the handover."),
          ("The patient was seen twice this month for recurring chest pain.",
           "Their medication list was updated after the last visit.",
           "The clinic requests referrals by secure fax or the portal.",
           "Lab results came back within normal range except for cholesterol.",
           "Follow-up is scheduled in six weeks."),
          ("Here's a referral letter with the reason for referral, relevant history, current medications and the specific question for the specialist.",
           "Structured summary: presenting complaint, history, medications, allergies, plan.",
           "In plain language: you were treated for a heart rhythm problem, and you should keep taking the new tablet once a day.",
           "Pharmacies typically verify the prescriber's registration number and the clinic's contact details.")),
    Topic("marketing",
          ("Launch blog post", "Newsletter copy", "Campaign brief"),
          ("Write three subject lines for our spring newsletter.",
           "Draft an intro paragraph for the product launch blog post.",
           "Turn this campaign brief into a one-page plan.",
           "Suggest a tagline for the analytics add-on.",
           "Make this landing page copy more concise."),
          ("The audience is operations managers at mid-size companies.",
           "The launch is planned for the second week of next month.",
           "We want a friendly tone, not too salesy.",
           "The main benefit is saving time on weekly reporting.",
           "Legal asked us to avoid any claims we can't measure."),
          ("Here are three options, from direct to playful, each under fifty characters.",
           "An intro that leads with the customer's problem and then introduces the feature tends to read better.",
           "One-page plan: goal, audience, message, channels, timeline and success metrics.",
           "A tighter version keeps one idea per paragraph and cuts the adjectives.")),
    Topic("travel",
          ("Conference travel booking", "Expense report help", "Visa letter"),
          ("Help me put together an itinerary for the conference trip.",
           "Which of these expenses are reimbursable under our travel policy?",
           "Draft an invitation letter for a visa application.",
           "Summarise my receipts into an expense report.",
           "Compare these two hotel options for the offsite."),
          ("The trip is three nights, with a day of customer meetings after the event.",
           "Policy caps hotel rates per night and excludes minibar charges.",
           "The embassy wants the letter on company letterhead.",
           "Flights were booked through the travel portal; taxis were paid personally.",
           "The team is twelve people and we need a meeting room for two days."),
          ("Here's an itinerary with travel days, the event schedule and the customer meetings blocked in.",
           "Flights, hotel within the cap and taxis are reimbursable; the minibar and the upgrade are not.",
           "A visa invitation letter should state the purpose, dates, who covers costs and a contact person.",
           "The second hotel is slightly pricier but includes the meeting room, which makes it cheaper overall.")),
    Topic("engineering",
          ("Code review help", "Refactor plan", "Bug triage"),
          ("Review this function and point out anything risky.",
           "How would you refactor this module into smaller pieces?",
           "Write unit tests for this parser.",
           "Why does this query get slower as the table grows?",
           "Explain this stack trace."),
          ("The function mixes parsing, validation and persistence.",
           "We call it from three places with slightly different arguments.",
           "The table has grown tenfold since the index was added.",
           "It only fails in production, never on developer machines.",
           "The config for the integration test lives in a local settings file."),
          ("The riskiest part is the silent exception handler: errors are swallowed and the caller never learns the write failed.",
           "I'd split it into a pure parser, a validator and a small persistence layer, each with its own tests.",
           "Here are tests covering the happy path, empty input, malformed rows and very long lines.",
           "The query is scanning the whole table because the filter wraps the indexed column in a function.")),
    Topic("procurement",
          ("Supplier onboarding", "Purchase order question", "Invoice mismatch"),
          ("Draft a request to a new supplier for their banking and tax details.",
           "Why might this invoice not match the purchase order?",
           "Summarise the supplier's payment terms for accounts payable.",
           "Write a reminder about an overdue invoice.",
           "What checks should we do before paying a new supplier?"),
          ("The invoice total is higher than the approved amount.",
           "The supplier changed their bank details by email last week.",
           "Accounts payable runs payments twice a month.",
           "The purchase order was split across two cost centres.",
           "They invoice in euros but the order was raised in dollars."),
          ("Ask for the details on letterhead and confirm any bank change by phone using a number you already have on file.",
           "The mismatch is probably the currency conversion plus the delivery charge that wasn't on the order.",
           "Payment terms: net thirty from invoice date, with a small discount for payment within ten days.",
           "Before paying, verify the bank details independently, match invoice to order and receipt, and check approval limits.")),
)

OPENERS = ("", "", "", "Quick question.", "Hi!", "Hey,", "Morning.", "Can you help with something?",
           "Following up on yesterday:", "One more thing.", "Okay, next task.", "Thanks for the last answer.")
CLOSERS = ("", "", "", "Thanks!", "Keep it short please.", "No rush.", "Bullet points are fine.",
           "Appreciate it.", "Let me know if you need more context.", "Plain English please.")
FOLLOW_UPS = ("Can you make it shorter?", "Good, now make it a bit more formal.", "What would you change first?",
              "Can you turn that into a table?", "Great, and what should I send them next?",
              "That works. Can you add a line about next steps?", "Could you explain the second point?",
              "Perfect, one more variant please.")
REPLY_OPENERS = ("", "", "Sure.", "Happy to help.", "Got it.", "Of course.", "Here you go.", "Good question.")
REPLY_CLOSERS = ("", "", "Want me to adjust the tone?", "I can tighten it further if needed.",
                 "Let me know if you'd like a shorter version.", "Tell me if anything should change.")
BROWSER_RESULTS = ("Search results: 5 pages found. Top result: vendor documentation on configuring retries and timeouts.",
                   "Found 3 relevant articles on retention metrics; the first compares gross and net retention.",
                   "Results: official guidance on travel expense policies and per-diem rates by city.",
                   "Search returned 4 results about contract auto-renewal clauses and notice periods.")
PYTHON_RESULTS = ("Out[2]: 1,284 rows x 9 columns; 37 duplicates removed.",
                  "Out[4]: mean 12.4, median 9.0, p95 41.7",
                  "Out[1]: columns normalised; 2 date formats converted to ISO.",
                  "Out[3]: retention by cohort computed for 11 cohorts.")

# A plant family: (weight, factory). Factories return a Snippet built from one template.
_PERSON_LEAD = ("{name}", "my colleague {name}", "the customer, {name},", "{name} from accounts")


def _name_and(rng: random.Random, extra: str) -> dict[str, SynthValue]:
    who = people.person(rng)
    values = {"name": people.person_name(rng, who)}
    if extra == "email":
        values["email"] = people.email(rng, who, personal=rng.random() < 0.4)
    elif extra == "phone":
        values["phone"] = people.phone_number(rng, people.REGION_OF_LOCALE[who.locale])
    return values


def _card(rng: random.Random, valid: bool) -> Snippet:
    template = rng.choice((
        "The charge was on the card ending in the number they sent: {v}.",
        "Customer's card number is {v}, expiry 09/27.",
        "They read the card out over the phone: {v}.",
        "Card on file: {v} (the one that was charged twice).",
        "Can you check whether {v} is the card we refunded last week?",
        "Billing shows the payment came from {v}.",
    ))
    return fill(template, {"v": financial.credit_card(rng, valid)})


def _ssn(rng: random.Random, valid: bool) -> Snippet:
    values = {"v": identity.us_ssn(rng, valid), **_name_and(rng, "")}
    template = rng.choice((
        "For the W-4, {name}'s social security number is {v}.",
        "SSN for the new starter: {v}.",
        "Payroll rejected the record with SSN {v}, can you see why?",
        "Background check form lists {name}, SSN {v}.",
        "Their social is {v} according to the form they scanned.",
    ))
    return fill(template, values)


def _iban(rng: random.Random, valid: bool) -> Snippet:
    template = rng.choice((
        "Please pay the invoice to IBAN {v}.",
        "The supplier's new bank details are IBAN {v}, effective immediately.",
        "Refund should go to {v} instead of the card.",
        "Accounts payable has {v} on file, is that the new one?",
        "Their email says to wire the deposit to {v}.",
    ))
    return fill(template, {"v": financial.iban(rng, valid)})


def _bank(rng: random.Random, valid: bool) -> Snippet:
    values = {"v": financial.aba_routing(rng, valid), "acct": financial.bank_account(rng)}
    template = rng.choice((
        "Direct deposit: routing number {v}, account number {acct}.",
        "For the ACH transfer use routing {v} and account {acct}.",
        "Bank details from the form: ABA {v}, checking account {acct}.",
    ))
    return fill(template, values)


def _person_email(rng: random.Random, valid: bool) -> Snippet:
    values = _name_and(rng, "email")
    template = rng.choice((
        "Please send the draft to {name} at {email}.",
        "The contact on their side is {name} ({email}).",
        "Loop in {name}, {email}, she owns the account.",
        "{name} asked to be copied: {email}.",
        "Reply to {email} and address it to {name}.",
    ))
    return fill(template, values)


def _person_phone(rng: random.Random, valid: bool) -> Snippet:
    values = _name_and(rng, "phone")
    template = rng.choice((
        "You can reach {name} on {phone} after 3pm.",
        "Call back {name} at {phone} about the order.",
        "Emergency contact: {name}, {phone}.",
        "{name} left a voicemail, her number is {phone}.",
    ))
    return fill(template, values)


def _national_id(rng: random.Random, valid: bool) -> Snippet:
    choice = rng.choice(("nino", "dni", "tfn", "pan"))
    if choice == "nino":
        value, label = identity.uk_nino(rng), "National Insurance number"
    elif choice == "dni":
        value, label = identity.es_nif(rng, valid), "DNI"
    elif choice == "tfn":
        value, label = identity.au_tfn(rng, valid), "tax file number"
    else:
        value, label = identity.in_pan(rng), "PAN"
    template = rng.choice((
        "The contractor's {label} is {v}, please add it to the payroll record.",
        "HR needs the {label} on the form: {v}.",
        "For the tax filing, their {label} is {v}.",
        "Is {v} a valid {label}? Payroll flagged it.",
    ))
    return fill(template, {"v": value, "label": label})


def _health(rng: random.Random, valid: bool) -> Snippet:
    if rng.random() < 0.6:
        values = {"v": health.uk_nhs(rng, valid), **_name_and(rng, "")}
        template = rng.choice((
            "Patient {name}, NHS number {v}, was referred for a follow-up.",
            "The referral is for NHS number {v}.",
            "Please update the record for NHS no. {v} with the new medication.",
        ))
    else:
        values = {"v": health.dea_number(rng, valid)}
        template = rng.choice((
            "The prescriber's DEA number is {v}.",
            "Pharmacy asked us to confirm DEA registration {v}.",
        ))
    return fill(template, values)


def _openai(rng: random.Random, valid: bool) -> Snippet:
    value = credentials.openai_key(rng) if valid else credentials.placeholder_key(rng)
    template = rng.choice((
        "Here's my config, the key is {v} and the model is set to the default.",
        "OPENAI_API_KEY={v}",
        "Why does the client return 401 with api_key=\"{v}\"?",
        "I set the header to Authorization: Bearer {v} but it still fails.",
        "The script reads the key from the env file: {v}",
    ))
    return fill(template, {"v": value})


def _aws(rng: random.Random, valid: bool) -> Snippet:
    if valid:
        values = {"v": credentials.aws_access_key(rng), "secret": credentials.aws_secret_key(rng)}
    else:
        values = {"v": SynthValue("SECRET", "AKIAIOSFODNN7EXAMPLE", False, "aws_access_key"),
                  "secret": SynthValue("SECRET", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", False,
                                       "aws_secret_key")}
    template = rng.choice((
        "aws_access_key_id = {v}\naws_secret_access_key = {secret}",
        "The CI job uses access key {v} with secret {secret}, is that why uploads fail?",
        "export AWS_ACCESS_KEY_ID={v}\nexport AWS_SECRET_ACCESS_KEY={secret}",
    ))
    return fill(template, values)


def _other_secret(rng: random.Random, valid: bool) -> Snippet:
    if not valid:
        value = credentials.placeholder_key(rng)
    else:
        value = rng.choice(tuple(credentials.PROVIDERS.values()))(rng)
    template = rng.choice((
        "The token in the deploy script is {v}, can I just leave it there?",
        "Connection fails with this setting: {v}",
        "Here's the line from the config: token: {v}",
        "Our integration uses {v} for auth.",
    ))
    return fill(template, {"v": value})


def _private_key(rng: random.Random, valid: bool) -> Snippet:
    return fill("Is this key in the right format?\n{v}", {"v": credentials.private_key(rng)})


def _marker(rng: random.Random, valid: bool) -> Snippet:
    template = rng.choice((
        "The header of the document says {v}, can I still summarise it?",
        "This deck is marked {v}, so keep the summary internal.",
        "Pasting the board memo ({v}) below for context.",
    ))
    return fill(template, {"v": markers.confidential_marker(rng)})


# family name: (weight, factory, can be a look-alike)
PLANT_FAMILIES = {
    "credit_card": (10, _card, True),
    "us_ssn": (8, _ssn, True),
    "iban": (8, _iban, True),
    "bank": (4, _bank, True),
    "person_email": (9, _person_email, False),
    "person_phone": (7, _person_phone, False),
    "national_id": (6, _national_id, True),
    "health": (5, _health, True),
    "openai": (7, _openai, True),
    "aws": (6, _aws, True),
    "other_secret": (9, _other_secret, True),
    "private_key": (1, _private_key, False),
    "marker": (4, _marker, False),
}


def plant_sentence(rng: random.Random, lookalike_rate: float, family: str | None = None) -> Snippet:
    """One sentence carrying one or more planted values (some invalid look-alikes)."""
    names = list(PLANT_FAMILIES)
    if family is None:
        family = rng.choices(names, weights=[PLANT_FAMILIES[n][0] for n in names])[0]
    _, factory, can_fake = PLANT_FAMILIES[family]
    valid = not (can_fake and rng.random() < lookalike_rate)
    return factory(rng, valid)


def user_message(rng: random.Random, topic: Topic, first: bool, plant: Snippet | None) -> Snippet:
    parts = [plain(rng.choice(OPENERS))]
    if first:
        parts.append(plain(rng.choice(topic.asks)))
        if rng.random() < 0.7:
            parts.append(plain(rng.choice(topic.details)))
    else:
        parts.append(plain(rng.choice(FOLLOW_UPS + topic.asks)))
    if plant is not None:
        parts.insert(rng.randint(1, len(parts)), plant)
    parts.append(plain(rng.choice(CLOSERS)))
    return join(parts)


def assistant_message(rng: random.Random, topic: Topic) -> Snippet:
    body = rng.sample(topic.replies, k=rng.choice((1, 1, 2)))
    return join([plain(rng.choice(REPLY_OPENERS)), *map(plain, body), plain(rng.choice(REPLY_CLOSERS))])


def document_paragraphs(rng: random.Random, topic: Topic, count: int) -> list[str]:
    """Benign paragraphs on a topic, for files."""
    pool = list(topic.details + topic.replies)
    out = []
    for _ in range(count):
        out.append(" ".join(rng.sample(pool, k=min(len(pool), rng.randint(2, 3)))))
    return out
