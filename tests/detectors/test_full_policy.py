"""The `full` policy answers for everything Presidio's AnalyzerEngine reports: every entity type of its
default English registry, under the same names, in the forms such values are written (our own examples);
names in lower-case or all-capitals text are recased for the model; the places and organisations gate
skips ordinary words and jargon but not places; URLs without a scheme are told from file names."""

from __future__ import annotations

import pytest

from detectors.casing import recase
from detectors.engine import Engine, EngineSpec
from detectors.validators.network import web_host_valid

# Presidio 2.2's default registry for English: its predefined recognizers and the spaCy recognizer's
# mapping (PERSON, LOCATION, ORGANIZATION, NRP, DATE_TIME)
PRESIDIO_ENGLISH = {
    "CREDIT_CARD", "CRYPTO", "DATE_TIME", "EMAIL_ADDRESS", "IBAN_CODE", "IP_ADDRESS", "LOCATION", "MAC_ADDRESS",
    "MEDICAL_LICENSE", "NRP", "ORGANIZATION", "PERSON", "PHONE_NUMBER", "UK_NHS", "URL", "US_BANK_NUMBER",
    "US_DRIVER_LICENSE", "US_ITIN", "US_PASSPORT", "US_SSN", "UUID",
}


@pytest.fixture(scope="module")
def full_engine() -> Engine:
    return Engine.from_spec(EngineSpec(policy_path="full"))


def _found(engine: Engine, text: str, entity: str) -> list[str]:
    return [m.value for m in engine.analyze(text) if m.entity == entity]


def test_full_reports_every_entity_type_presidio_reports(full_engine: Engine) -> None:
    assert PRESIDIO_ENGLISH <= {rule.entity for rule in full_engine.rules}


def test_presidios_registry_reports_no_type_full_lacks() -> None:
    """Read from the installed Presidio's recognizer classes, so a new Presidio entity shows up here."""
    registry_module = pytest.importorskip("presidio_analyzer.recognizer_registry")
    registry = registry_module.RecognizerRegistry()
    registry.load_predefined_recognizers(languages=["en"])
    pattern_entities = {entity for recognizer in registry.recognizers
                        if type(recognizer).__name__ != "SpacyRecognizer"
                        for entity in recognizer.supported_entities}
    assert pattern_entities - {"EMAIL"} <= PRESIDIO_ENGLISH


@pytest.mark.parametrize(("text", "value"), [
    ("The kickoff is the 3rd of May 2021 at 10am in room 4.", "the 3rd of May 2021 at 10am"),
    ("Her card expires 09/27, so renew it.", "09/27"),
    ("His visa was issued 14-MAR-2022.", "14-MAR-2022"),
    ("The report covers Q3 2023 only.", "Q3 2023"),
    ("Die Rechnung vom 12. März 2024 ist noch offen.", "12. März 2024"),
    ("El pago vence el 15 de agosto de 2023.", "15 de agosto de 2023"),
    ("Le colis arrive mardi.", "mardi"),
    ("She has been with us for two years now.", "two years"),
    ("The server restarts every night at 02:00 UTC.", "every night at 02:00 UTC"),
    ("The train leaves at 7.45am from platform 2.", "7.45am"),
    ("The survey closes at the end of the month.", "the end of the month"),
    ("Her passport was issued 2019 in Lagos.", "2019"),
])
def test_dates_and_times_in_many_forms(full_engine: Engine, text: str, value: str) -> None:
    assert value in _found(full_engine, text, "DATE_TIME")


@pytest.mark.parametrize("text", ["Version 2.10.4 fixes the login bug.", "The ratio was 3:1 for the test group.",
                                  "Room 31/32/33 is booked.", "May I ask what the total was?"])
def test_version_numbers_ratios_and_modal_may_are_no_dates(full_engine: Engine, text: str) -> None:
    assert _found(full_engine, text, "DATE_TIME") == []


@pytest.mark.parametrize(("text", "value"), [
    ("Download it from github.com/acme/tools/releases.", "github.com/acme/tools/releases"),
    ("Our status page is status.harwell.io.", "status.harwell.io"),
    ("Check example.com/pricing, it changed.", "example.com/pricing"),
    ("The API lives at https://api.example.io/v2/users/42.", "https://api.example.io/v2/users/42"),
])
def test_urls_with_and_without_a_scheme_end_before_the_full_stop(full_engine: Engine, text: str, value: str) -> None:
    assert _found(full_engine, text, "URL") == [value]


@pytest.mark.parametrize(("value", "alone", "valid"), [
    ("harwell-logistics.com", True, True),
    ("shop.example.co.uk", True, True),
    ("setup.py", True, False),  # a file name: .py is a real TLD, and a Python file
    ("user.id", True, False),  # a code attribute
    ("df.info", True, False),
    ("example.py/docs", False, False),
    ("example.io/docs", False, True),
    ("report.docx", True, False),  # not a TLD
])
def test_a_bare_host_needs_a_real_tld_that_is_not_a_file_extension(value: str, alone: bool, valid: bool) -> None:
    assert web_host_valid(value, alone) is valid


@pytest.mark.parametrize(("text", "value"), [
    ("Florida DL: S530-460-09-843-0", "S530-460-09-843-0"),
    ("Michigan driver's licence: A 123 456 789 012", "A 123 456 789 012"),
    ("New Jersey license number D1234 56789 01234", "D1234 56789 01234"),
    ("Washington DL WDLJ3CK1P27B expires in 2027.", "WDLJ3CK1P27B"),
    ("Kansas DL K00-12-3456", "K00-12-3456"),
])
def test_driver_licences_in_each_states_grouping(full_engine: Engine, text: str, value: str) -> None:
    assert value in _found(full_engine, text, "US_DRIVER_LICENSE")


def test_a_passport_number_after_a_licence_is_not_a_licence(full_engine: Engine) -> None:
    text = "Hi, my driver's license is D1234567 and my passport is 548201937."
    assert _found(full_engine, text, "US_DRIVER_LICENSE") == ["D1234567"]
    assert _found(full_engine, text, "US_PASSPORT") == ["548201937"]


def test_uuids_with_a_valid_version_and_variant(full_engine: Engine) -> None:
    assert _found(full_engine, "Request 550e8400-e29b-41d4-a716-446655440000 failed.", "UUID") == [
        "550e8400-e29b-41d4-a716-446655440000"]
    assert _found(full_engine, "Unset: 00000000-0000-0000-0000-000000000000.", "UUID") == []


@pytest.mark.parametrize(("text", "value"), [
    ("Mail the forms to 742 Evergreen Terrace, Springfield, IL 62704 today.", "742 Evergreen Terrace, Springfield, IL 62704"),
    ("Send it to 10 Downing Street.", "10 Downing Street"),
    ("Deliver to 45 Rue de Rivoli, 75001 Paris, second floor.", "45 Rue de Rivoli, 75001 Paris"),
])
def test_street_addresses_are_locations(full_engine: Engine, text: str, value: str) -> None:
    assert value in _found(full_engine, text, "LOCATION")


def test_a_partys_name_is_an_organisation_not_nrp(full_engine: Engine) -> None:
    text = "The Labour Party announced its candidates; the Democrats blocked the bill."
    assert _found(full_engine, text, "NRP") == ["Democrats"]
    assert "Labour Party" in _found(full_engine, text, "ORGANIZATION")


@pytest.mark.parametrize(("text", "value"), [
    ("She works at Acme Widgets Inc. in sales.", "Acme Widgets Inc."),
    ("The auditors from Harwell Dunmore LLP arrive soon.", "Harwell Dunmore LLP"),
    ("He studied at the University of Manchester.", "University of Manchester"),
])
def test_organisations_by_their_legal_form_or_head_word(full_engine: Engine, text: str, value: str) -> None:
    assert value in _found(full_engine, text, "ORGANIZATION")


@pytest.mark.parametrize("text", ["Her ITIN is 912-70-3642 until it arrives.",
                                  "The prescriber's DEA number is AB6669723."])
def test_identifier_names_are_no_organisations(full_engine: Engine, text: str) -> None:
    assert _found(full_engine, text, "ORGANIZATION") == []


def test_the_places_gate_skips_dictionary_words_but_not_places_or_brands(full_engine: Engine) -> None:
    spec = full_engine.rule("LOCATION").ner
    assert spec is not None

    def hits(text: str) -> list[str]:
        return [m.group().strip() for gate in spec.gate for m in gate.pattern.finditer(text) if gate.accepts(m.group())]

    assert hits("Hey, Can you check the CI job?") == []
    assert "Texas" in hits("Texas driver license no. 12345678")  # a place, though an English word
    assert "Google" in hits("the offer from Google came today")  # a brand, in no old dictionary


def _names(word: str) -> bool:
    return word.lower() in {"david", "breyer", "souter", "lagos"}


@pytest.mark.parametrize(("text", "expected"), [
    ("saw david at the mall lol", "saw David at the mall lol"),  # a lower-case text
    ("JUSTICE BREYER: the court will hear it", "JUSTICE Breyer: the court will hear it"),  # capitals
    ("Saw david at the Mall with Ann and Bob.", "Saw david at the Mall with Ann and Bob."),  # mixed case: left
    ("THE CEO met BREYER", "THE CEO met Breyer"),  # short capitals are acronyms
])
def test_names_are_recased_for_the_model_with_the_same_offsets(text: str, expected: str) -> None:
    out = recase(text, [(_names,)])
    assert out == expected and len(out) == len(text)


def test_a_lower_case_name_is_reported_where_it_stands(full_engine: Engine) -> None:
    text = "omg just saw beyonce and jay at the airport"
    found = [m for m in full_engine.analyze(text) if m.entity == "PERSON"]
    assert any(text[m.start:m.end].lower() == "beyonce" for m in found)
