"""The generator: deterministic for a seed, real file bytes, valid and invalid values, exact ground truth."""

from __future__ import annotations

import io
import json
import random
from collections import Counter
from datetime import timedelta

import docx
import pptx
import pytest
from hypothesis import given, settings, strategies as st
from stdnum import iban as stdnum_iban
from stdnum import luhn

from dlp.emulator.clock import FakeClock
from dlp.emulator.groundtruth import PlantedValue, read_ground_truth, write_ground_truth
from dlp.emulator.settings import EmulatorSettings
from dlp.emulator.state import EmulatorState
from dlp.emulator.synth import credentials, financial, health, identity

from .conftest import SMALL, START


@pytest.fixture(scope="module")
def demo() -> EmulatorState:
    return EmulatorState(EmulatorSettings(seed=7), FakeClock(START))


def fingerprint(state: EmulatorState) -> tuple:
    ws = state.workspace
    texts = [m.content.text for s in ws.conversations for m in ws.conversation_at(s.index).messages]
    files = {f: ws.file_bytes(f) for f in ws.files}
    return [u.id for u in ws.users], [c.id for c in ws.conversations], texts, files


def test_same_seed_gives_the_same_workspace_and_bytes(demo):
    again = EmulatorState(EmulatorSettings(seed=7), FakeClock(START))
    assert fingerprint(again) == fingerprint(demo)
    assert again.workspace.ground_truth() == demo.workspace.ground_truth()


def test_ids_and_content_do_not_depend_on_the_clock(demo):
    later = EmulatorState(EmulatorSettings(seed=7), FakeClock(START + timedelta(days=3, hours=5)))
    assert fingerprint(later) == fingerprint(demo)
    shift = later.workspace.conversations[0].created_at - demo.workspace.conversations[0].created_at
    assert shift == timedelta(days=3, hours=5)


def test_another_seed_gives_another_workspace(demo):
    other = EmulatorState(EmulatorSettings(seed=8), FakeClock(START))
    assert [u.id for u in other.workspace.users] != [u.id for u in demo.workspace.users]


def test_demo_scale_and_activity_window(demo):
    ws = demo.workspace
    assert (len(ws.users), len(ws.gpts), len(ws.conversations)) == (12, 3, 40)
    uploads = [f for f in ws.files.values() if f.owner_kind == "user" and f.conversation_id]
    assert len(uploads) == 10
    library_only = [f for f in ws.files.values() if f.owner_kind == "user" and f.conversation_id is None]
    assert len(library_only) == 4 and all(f.plant for f in library_only)
    assert {f.format for f in uploads} >= {"pdf", "docx", "xlsx", "pptx", "csv", "txt", "json", "png"}
    for stub in ws.conversations:
        messages = ws.conversation_at(stub.index).messages
        assert START - timedelta(days=14, hours=1) < messages[0].created_at
        assert messages[-1].created_at < START
    roles = Counter(m.role for s in ws.conversations for m in ws.conversation_at(s.index).messages)
    assert set(roles) == {"system", "user", "assistant", "tool"}
    assert any(s.temporary for s in ws.conversations) and any(s.gpt_id for s in ws.conversations)


def test_ground_truth_offsets_point_at_the_values(demo):
    ws = demo.workspace
    truth = ws.ground_truth()
    kinds = Counter(p.kind for p in truth)
    assert {"message", "attachment", "knowledge_file", "project_file", "gpt_config", "app_log"} <= set(kinds)
    messages = {m.id: m for s in ws.conversations for m in ws.conversation_at(s.index).messages}
    for planted in truth:
        if planted.kind == "message":
            assert messages[planted.message_id].content.text[planted.start:planted.end] == planted.value
        if planted.kind == "gpt_config" and planted.location == "instructions":
            gpt = ws.assistant_by_id[planted.gpt_id]
            config = next(c for c in gpt.configs if c.id == planted.config_id)
            assert config.instructions.text[planted.start:planted.end] == planted.value


def test_values_sit_where_the_ground_truth_says_in_real_files(demo):
    ws = demo.workspace
    checked = Counter()
    for planted in ws.ground_truth():
        if planted.file_id is None:
            continue
        data = ws.file_bytes(planted.file_id)
        fmt = ws.files[planted.file_id].format
        if fmt == "docx":
            paragraphs = docx.Document(io.BytesIO(data)).paragraphs
            number = int(planted.location.split()[1])
            assert paragraphs[number - 1].text[planted.start:planted.end] == planted.value
        elif fmt == "pptx":
            slide = pptx.Presentation(io.BytesIO(data)).slides[int(planted.location.split()[1]) - 1]
            assert planted.value in "\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)
        elif fmt in ("txt", "csv", "json"):
            assert data.decode("utf-8")[planted.start:planted.end] == planted.value
            if fmt == "json":
                json.loads(data)
        checked[fmt] += 1
    assert checked["docx"] and checked["pptx"] and checked["csv"] and checked["json"]


def test_validity_flags_match_the_checksums(demo):
    truth = demo.workspace.ground_truth()
    cards = [p for p in truth if p.entity == "CREDIT_CARD"]
    ibans = [p for p in truth if p.entity == "IBAN_CODE"]
    assert any(not p.valid for p in cards) and any(p.valid for p in cards)
    for planted in cards:
        assert luhn.is_valid("".join(ch for ch in planted.value if ch.isdigit())) == planted.valid
    for planted in ibans:
        assert stdnum_iban.is_valid(planted.value) == planted.valid


@settings(max_examples=60, deadline=None, derandomize=True)
@given(st.integers(min_value=0, max_value=2**32))
def test_value_factories_honour_validity(seed):
    rng = random.Random(seed)
    valid = rng.random() < 0.5
    card = financial.credit_card(rng, valid)
    assert luhn.is_valid(card.text.replace(" ", "").replace("-", "")) == valid
    number = financial.iban(rng, valid)
    assert stdnum_iban.is_valid(number.text) == valid
    ssn = identity.us_ssn(rng, valid)
    area, group, serial = ssn.text.replace(" ", "-").split("-")
    issuable = area not in ("000", "666") and area < "900" and group != "00" and serial != "0000"
    assert issuable == valid
    nhs = health.uk_nhs(rng, valid).text.replace(" ", "")
    digits = [int(d) for d in nhs]
    check = (11 - sum(d * w for d, w in zip(digits, range(10, 1, -1))) % 11) % 11
    assert (check == digits[9]) == valid
    key = credentials.aws_access_key(rng).text
    assert key.startswith("AKIA") and len(key) == 20 and key[4:].isupper() or key[4:].isalnum()
    assert credentials.openai_key(rng).text.startswith("sk-proj-")


def test_ground_truth_jsonl_round_trips_with_fingerprints(demo, tmp_path):
    truth = demo.workspace.ground_truth()
    path = tmp_path / "truth.jsonl"
    assert write_ground_truth(truth, path) == len(truth)
    first = json.loads(path.read_text().splitlines()[0])
    assert {"entity", "value", "value_sha256", "valid", "kind", "location", "file_id"} <= set(first)
    assert read_ground_truth(path) == truth
    assert isinstance(truth[0], PlantedValue)


def test_prose_is_varied(demo):
    ws = demo.workspace
    users = [m.content.text for s in ws.conversations for m in ws.conversation_at(s.index).messages
             if m.role == "user"]
    assert len(set(users)) == len(users)
    most_common = Counter(users).most_common(1)[0][1]
    assert most_common == 1


def test_small_scale_builds_fast_enough_for_tests():
    state = EmulatorState(EmulatorSettings(scale=SMALL), FakeClock(START))
    assert len(state.workspace.conversations) == 12
