import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dlp.ingest.events import file_refs_of_message, items_from_event, parse_time
from dlp.ingest.logs import LogCursor, LogFile, LogFileError, parse_jsonl
from dlp.records import ItemKind

WS = "11bf645e-d5e8-4478-a70e-e5742ded2436"


def message_event(**overrides):
    event = {
        "event_id": "e-1",
        "type": "CONVERSATION_MESSAGE",
        "timestamp": "2026-07-15T15:29:05.746561Z",
        "actor": {"type": "ACCOUNT_USER", "user_id": "user-1", "user_email": "a@x.com"},
        "message": {
            "id": "m-1",
            "author": {"type": "user"},
            "content": {"type": "text", "value": "hello", "annotations": [{"files": [{"id": "file-C"}]}]},
            "files": [{"id": "file-A", "name": "a.pdf"}],
        },
        "conversation": {"id": "c-1", "title": "Quarterly numbers", "gpt_id": "g-1"},
    }
    event.update(overrides)
    return event


def test_message_event_gives_message_title_and_every_attachment():
    event = message_event()
    event["message"]["content"]["file_id"] = "file-B"
    parsed = items_from_event(event, WS)
    kinds = [i.kind for i in parsed.items]
    assert kinds.count(ItemKind.MESSAGE) == 1 and kinds.count(ItemKind.CONVERSATION_TITLE) == 1
    files = {i.file_id: i for i in parsed.items if i.kind is ItemKind.ATTACHMENT}
    assert set(files) == {"file-A", "file-B", "file-C"}
    assert files["file-A"].file_ref.user_id == "user-1" and files["file-A"].file_name == "a.pdf"
    message = next(i for i in parsed.items if i.kind is ItemKind.MESSAGE)
    assert message.text == "hello" and message.role == "user" and message.gpt_id == "g-1"
    assert message.item_id == "msg:m-1" and message.conversation_id == "c-1"


@pytest.mark.parametrize(
    "content, text",
    [
        ({"value": None}, None),
        ({"parts": ["a", "b"]}, "a\nb"),
        ({"text": "t"}, "t"),
        ({"value": {"k": 1}}, '{"k": 1}'),
        (None, None),
    ],
)
def test_content_shapes(content, text):
    event = message_event()
    event["message"]["content"] = content
    event["message"].pop("files")
    items = [i for i in items_from_event(event, WS).items if i.kind is ItemKind.MESSAGE]
    assert (items[0].text if items else None) == text


def test_files_as_envelope_or_bare_list():
    assert list(file_refs_of_message({"files": {"object": "list", "data": [{"id": "f1"}]}})) == [("f1", None)]
    assert list(file_refs_of_message({"files": [{"id": "f2", "name": "n"}]})) == [("f2", "n")]


def test_app_log_payloads_are_items_with_each_key_beside_its_value():
    event = {
        "event_id": "e-9", "type": "APP_LOG", "timestamp": "2026-07-15T15:39:18Z",
        "actor": {"user_id": "user-2"}, "conversation_id": "c-2",
        "input": {"query": "in:general", "limit": 20, "_meta": {"openai/userLocation": {"city": "Leeds"}},
                  "channel_id": "C123"},
        "output": [{"text": "-----BEGIN KEY-----\nabc\n-----END KEY-----"}],
        "log_type": "request",
    }  # fmt: skip
    (item,) = items_from_event(event, WS).items
    assert item.kind is ItemKind.APP_LOG and item.conversation_id == "c-2"
    parts = dict(item.parts)
    assert parts["input"] == "query: in:general\nlimit: 20"  # call metadata and ids are not what was said
    assert parts["output"] == "[0].text: -----BEGIN KEY-----\nabc\n-----END KEY-----"  # line breaks kept


def test_jsonl_lines_and_concatenated_objects():
    data = b'{"a": 1}\n{"a": 2}{"a": 3}\n\n'
    assert [e["a"] for e in parse_jsonl(data)] == [1, 2, 3]
    with pytest.raises(LogFileError):
        parse_jsonl(b'{"a": 1}\n{"a": ')


@given(st.binary(max_size=300))
def test_random_bytes_never_crash_the_parser_unexpectedly(data):
    try:
        parse_jsonl(data)
    except (LogFileError, UnicodeDecodeError):
        pass


def test_cursor_waits_at_a_shared_end_time_until_every_file_there_is_stored():
    cursor = LogCursor("2026-01-01T00:00:00Z")
    f1 = LogFile("f1", "X", "2026-01-01T00:00:00Z", None, None, None)
    f2 = LogFile("f2", "X", "2026-01-01T00:05:00Z", None, None, None, hold=True)  # f3 shares its end_time
    f3 = LogFile("f3", "X", "2026-01-01T00:05:00Z", None, None, None, peers=frozenset({"f2"}))
    held = cursor.advanced_past(f1).advanced_past(f2)
    # An exclusive `after` at 00:05 would never list f3 again: the time stays, f2 is remembered.
    assert held.after == "2026-01-01T00:00:00Z" and held.boundary_ids == {"f1", "f2"}
    c = held.advanced_past(f3)
    assert c.after == "2026-01-01T00:05:00Z" and c.boundary_ids == {"f2", "f3"}  # an inclusive re-list skips both
    assert LogCursor.from_json(json.loads(json.dumps(c.to_json()))) == c


def test_a_file_without_end_time_is_remembered_not_dropped():
    cursor = LogCursor("2026-01-01T00:00:00Z")
    c = cursor.advanced_past(LogFile("log_auth_001", "AUTH_LOG", None, None, None, None, hold=True))
    assert c.after == cursor.after and c.boundary_ids == {"log_auth_001"}


def test_times_in_both_forms():
    assert parse_time(1692158096.299021).year == 2023
    assert parse_time("2026-07-15T15:29:05.746561Z").tzinfo is not None
    assert parse_time("2026-07-15T15:29:05") is not None  # naive = UTC
    assert parse_time("garbage") is None
