"""DATE_TIME and NRP, the rules the `full` policy adds for Presidio's entities: own examples, both ways."""

from __future__ import annotations

import pytest

from detectors.engine import Engine, EngineSpec


@pytest.fixture(scope="module")
def full_engine() -> Engine:
    return Engine.from_spec(EngineSpec(policy_path="full"))


def _values(engine: Engine, entity: str, text: str) -> list[str]:
    return [m.value for m in engine.analyze(text) if m.entity == entity]


@pytest.mark.parametrize(("text", "expected"), [
    ("Backup finished 2025-11-02 23:15:07 UTC, no errors.", ["2025-11-02 23:15:07 UTC"]),
    ("Deadline: 05/31/2026 for the audit pack.", ["05/31/2026"]),
    ("Der Termin ist am 14.02.2025 um 10:00.", ["14.02.2025", "10:00"]),
    ("Payment received 3 Jan 2024, thank you.", ["3 Jan 2024"]),
    ("The board meets on Sept. 9, 2026 in Dublin.", ["Sept. 9, 2026"]),
    ("Revenue grew every quarter since 2019.", ["2019"]),
    ("Most of the kit dates from the 1970s.", ["1970s"]),
    ("Ring me tomorrow around 9am.", ["tomorrow", "9am"]),
    ("We shipped it two weeks ago.", ["two weeks ago"]),
    ("Standup moved to every Tuesday morning.", ["every Tuesday morning"]),
    ("Budget for June 2027 is approved.", ["June 2027"]),
])
def test_date_time_finds_dates_and_times_as_written(full_engine: Engine, text: str, expected: list[str]) -> None:
    assert _values(full_engine, "DATE_TIME", text) == expected


@pytest.mark.parametrize("text", [
    "Upgrade to release 4.12.1 before the freeze.",
    "The odds were 5:2 against them.",
    "Ticket 2025-88412 is waiting for approval.",
    "Part 31-45-20 is out of stock.",
    "May we use the larger room?",
    "Tax code 1257L applies to 2 of them.",
    "Scale the image to 1920x1080 pixels.",
])
def test_date_time_leaves_numbers_that_are_not_dates(full_engine: Engine, text: str) -> None:
    assert _values(full_engine, "DATE_TIME", text) == []


@pytest.mark.parametrize(("text", "expected"), [
    ("Two Brazilian engineers joined the Lisbon team.", ["Brazilian"]),
    ("The applicant states she is a practising Muslim.", ["Muslim"]),
    ("He campaigned for the Social Democrats in 2021.", ["Social Democrats"]),
    ("Our Vietnamese and Kenyan suppliers signed.", ["Vietnamese", "Kenyan"]),
    ("Members of the Catholic parish asked about the hall.", ["Catholic"]),
])
def test_nrp_finds_nationalities_religions_and_political_groups(
    full_engine: Engine, text: str, expected: list[str]
) -> None:
    assert _values(full_engine, "NRP", text) == expected


@pytest.mark.parametrize("text", [
    "He has catholic tastes in music.",
    "The conservative estimate is ten days.",
    "Please send the summary before noon.",
])
def test_nrp_leaves_the_same_words_in_lower_case(full_engine: Engine, text: str) -> None:
    assert _values(full_engine, "NRP", text) == []


def test_the_default_policy_reports_neither(default_engine: Engine) -> None:
    found = default_engine.analyze("On 12 March 2021 the Brazilian team met at 4:30 pm.")
    assert not [m for m in found if m.entity in ("DATE_TIME", "NRP")]
