"""Where NER may look: the built-in gates open windows where a name can be and nowhere else (PERSON: a
capitalised pair that is not two ordinary words, a word with a possessive or "said", a known name;
LOCATION and ORGANIZATION also any capitalised word inside a sentence), one NER pass serves all three,
and a one-word PERSON must be a known given or family name unless a cue stands next to it."""

from __future__ import annotations

import pytest

from detectors.engine import Engine, EngineSpec, _span_reaching
from detectors.validators.wordlist import wordlist_check


@pytest.fixture(scope="module")
def full_engine() -> Engine:
    return Engine.from_spec(EngineSpec(policy_path="full"))


def _gate_hits(engine: Engine, text: str, rules: tuple[str, ...] = ("PERSON",)) -> list[str]:
    hits = []
    for rule_id in rules:
        spec = engine.rule(rule_id).ner
        assert spec is not None and spec.gate
        hits.extend(m.group().strip() for gate in spec.gate for m in gate.pattern.finditer(text)
                    if gate.accepts(m.group()))
    return hits


ALL_NER = ("PERSON", "LOCATION", "ORGANIZATION")


@pytest.mark.parametrize(("text", "hit"), [
    ("thanks Priya for the quick turnaround", "Priya"),  # address inside a sentence
    ("Tomasz, can you send me the draft?", "Tomasz"),  # address tag opening a line
    ("Aisha: the upload is done", "Aisha"),  # speaker tag
    ("Elena has the keys to the office.", "Elena"),  # a name opening a sentence, then a lower-case word
    ("Regards,\nOluwaseun", "Oluwaseun"),  # alone on a line
    ("the memo quotes Zhakupova's figures", "Zhakupova"),  # an unknown word with a possessive
    ("Brankovic said the audit is late", "Brankovic"),  # ... or a verb of saying
])
def test_the_person_gate_opens_where_a_single_name_can_be(full_engine: Engine, text: str, hit: str) -> None:
    assert hit in _gate_hits(full_engine, text)


@pytest.mark.parametrize(("text", "shut"), [
    ("send it to Legal before Friday", "Legal"),  # a capitalised word that is not a known name
    ("The Travel Policy covers it", "Travel Policy"),  # two ordinary English words
    ("Here's the Customer's invoice", "Here"),  # a contraction, and a common noun's possessive
    ("Can you check the IBAN today?", "Can"),  # a given name in some languages, an English word first
])
def test_the_person_gate_needs_evidence_of_a_name(full_engine: Engine, text: str, shut: str) -> None:
    assert not any(shut in hit for hit in _gate_hits(full_engine, text))


def test_places_and_organisations_open_their_own_gate(full_engine: Engine) -> None:
    text = "We fly to Nairobi next week."
    assert "Nairobi" not in _gate_hits(full_engine, text)  # not a name: no PERSON window
    assert "Nairobi" in _gate_hits(full_engine, text, ("LOCATION",))


@pytest.mark.parametrize("text", [
    "please keep the summary short and send it today",  # no capital at all
    "The report is attached. It covers the quarter.",  # sentence openers only
    "Can you summarise this? What changed since then?",
])
def test_the_gate_stays_shut_on_ordinary_sentences(full_engine: Engine, text: str) -> None:
    assert _gate_hits(full_engine, text, ALL_NER) == []


def test_location_and_organization_share_their_gate_and_the_person_pairs(full_engine: Engine) -> None:
    gates = {rule_id: full_engine.rule(rule_id).ner for rule_id in ALL_NER}
    assert all(spec is not None and spec.gate for spec in gates.values())
    patterns = {rule_id: [g.pattern.pattern for g in spec.gate] for rule_id, spec in gates.items()}  # type: ignore[union-attr]
    assert patterns["LOCATION"] == patterns["ORGANIZATION"]
    assert patterns["PERSON"][0] in patterns["LOCATION"]  # capitalised pairs


def test_text_without_a_gate_match_never_reaches_the_model() -> None:
    engine = Engine.from_spec(EngineSpec(policy_path="full"))
    engine.analyze("please keep the summary short and send it by noon")
    assert engine._ner is not None and not engine._ner.loaded


def test_one_ner_pass_reports_people_places_and_organisations(full_engine: Engine) -> None:
    found = {(m.entity, m.value) for m in full_engine.analyze(
        "Last spring Angela Merkel met executives of Siemens in Munich.")}
    assert {("PERSON", "Angela Merkel"), ("LOCATION", "Munich"), ("ORGANIZATION", "Siemens")} <= found


def test_a_one_word_name_must_be_on_the_name_lists() -> None:
    check = wordlist_check(frozenset({"priya", "okafor"}), "alone", case_sensitive=False)
    assert check("Priya") and check("Okafor")
    assert not check("Groupon")  # one unknown word: not evidence of a person
    assert check("Groupon Smith")  # longer values pass: the other validators judge them


@pytest.mark.parametrize(("text", "hit"), [
    ("NTSB said the pilot was tired.", "NTSB"),  # an acronym opening a sentence
    ("PayPal refunded the order today.", "PayPal"),  # a brand written in camel case
    ("Reporting by the desk (Kestrel) and agencies.", "Kestrel"),  # a name in brackets
    ("The motion now goes to the Assembly for a vote.", "Assembly"),  # an ordinary word capitalised after "the"
    ("Police blamed al-Harakat for the raid on the depot.", "al-Harakat"),  # a particle joined to a name
    ("He wrote: “KVRA then sold the plant”.", "KVRA"),  # an acronym in capitals, wherever it stands
    ("Source: HRWL", "HRWL"),
    ("KVRA $12,500 paid", "KVRA"),
    ("Talks with the US delegation resumed.", "US"),  # a country's usual capitals, though "us" is a word
])
def test_the_places_and_organisations_gate_opens_on_acronyms_camel_case_and_brackets(
        full_engine: Engine, text: str, hit: str) -> None:
    assert hit in _gate_hits(full_engine, text, ("ORGANIZATION",))


@pytest.mark.parametrize(("text", "shut"), [
    ("Authorization: Bearer abc123", "Bearer"),  # after a colon: a header's field, not a name
    ("Ref A240 and DE43 are open", "A240"),  # digits: codes and identifiers, not names
    ("The Lessee shall pay the Landlord before the Term ends.", "Landlord"),  # a contract's defined term
    ("The Vendor ships when the Purchaser signs.", "Purchaser"),
    ("The report is due. The Board meets later.", "Board"),  # "The" opening a sentence is no evidence
    ("Results are in, Escalated tickets first", "Results"),  # an inflected ordinary word ("result")
    ("Results are in, Awaiting tickets first", "Awaiting"),
    ("Okay, the Login page is down", "Okay"),  # office words newer than the dictionary
    ("Okay, the Login page is down", "Login"),
    ("We added a LOST and FOUND page", "FOUND"),  # an ordinary word shouted is no acronym
    ("Please READ the notes first", "READ"),
    ("Mark it as a VIP account", "VIP"),  # office and identifier jargon in capitals
    ("Send the ABA number with the form", "ABA"),
    ("Send it to us by Friday", "us"),
])
def test_the_places_and_organisations_gate_stays_shut_on_fields_and_codes(full_engine: Engine, text: str, shut: str) -> None:
    assert shut not in _gate_hits(full_engine, text, ("ORGANIZATION",))


def test_a_nationality_or_date_that_ends_a_gate_match_keeps_the_model_away() -> None:
    """`gate_through`: a name may go on after a nationality or a weekday ("German Air Force"), but a gate
    match that ends inside one ("Plain English", "Sunday") is no reason to run the model."""
    engine = Engine.from_spec(EngineSpec(policy_path="full"))
    engine.analyze("Plain English please, and send it by Sunday.")
    assert engine._ner is not None and not engine._ner.loaded
    assert ("ORGANIZATION", "German Air Force") in {
        (m.entity, m.value) for m in engine.analyze("He trained with the German Air Force in 1990.")}


def test_span_reaching() -> None:
    spans = [(0, 6), (20, 27)]
    assert _span_reaching(spans, 0, 6) == 6 and _span_reaching(spans, 14, 27) == 27  # "Sunday", "Plain English"
    assert _span_reaching(spans, 0, 16) is None  # "Sunday Telegraph": the match goes on past the span
    assert _span_reaching(spans, 8, 14) is None  # touches no span


GATE_TEXTS = [
    "Please ask Tobiah Vrabetz about the lease.",  # a capitalised pair
    "Senator Quillfeather voted against it",  # a title of office
    "the file mentions Bin Hadid twice",  # a particle opening a family name
    "Zhakupova's figures are late",  # a possessive
    "Regards,\nOluwaseun",  # alone on a line (multi-line anchor)
    "Łukasz Żółkiewski and Émilie Dubois-Marchand signed",  # letters beyond ASCII
    "please send it to anna kowalski before friday",  # lower-case text: recasing makes the capitals
    "GET NICOLA OUT OF THE OFFICE",  # capitals recased
    "They were attacking Velvet and his supporters all week.",  # a personal pronoun after one capitalised word
    "order 4411-2210 shipped on monday, nothing to see",  # no gate can match
    "",
]


@pytest.mark.parametrize("policy", ["default", "full"])
def test_gates_prefiltered_by_hyperscan_open_the_same_windows(policy):
    """Each NER gate entry is also a Hyperscan prefilter gate: its Python regex runs only on texts where the
    prefilter fired (or recasing changed the text). The windows, and so the findings, are those of running
    every gate regex on every text."""
    prefiltered = Engine.from_spec(EngineSpec(policy_path=policy))
    everywhere = Engine.from_spec(EngineSpec(policy_path=policy))
    everywhere._ner_gate_names = {}  # every gate regex on every text, as before the prefilter
    assert prefiltered._ner_gate_names and not prefiltered.scanner._always_gates  # all compiled into Hyperscan
    for text in GATE_TEXTS:
        assert ([(m.start, m.end, m.rule_id) for m in prefiltered.analyze(text)]
                == [(m.start, m.end, m.rule_id) for m in everywhere.analyze(text)]), text
    found = {text[m.start:m.end] for text in GATE_TEXTS for m in prefiltered.analyze(text) if m.entity == "PERSON"}
    assert {"Tobiah Vrabetz", "Oluwaseun", "Velvet"} <= found
