"""The public sample shapes (compliance-api.md §7 and Update 2026-12; /work/shared/api-samples) through our parsers.

Every event below is written for this test in the shape of one public sample (Elastic's pipeline test logs,
psoxy's example responses, XSOAR's test data, Sumo Logic's conversation sample), with our own values.
"""

from __future__ import annotations

import asyncio
import json

from dlp.ingest.conversations import items_from_conversation
from dlp.ingest.events import event_id_of, items_from_event
from dlp.ingest.logs import LogCursor, LogFile, PageEnd, list_log_files, parse_jsonl
from dlp.records import ItemKind

WS = "5e6f7a8b-1c2d-4e3f-9a0b-112233445566"
ALICE = {"type": "ACCOUNT_USER", "user_id": "user-Xy12AbCdEfGhIj", "user_email": "alice.w@example.net"}
PRINCIPAL = {"id": WS, "type": "CHATGPT_WORKSPACE"}


def test_elastic_conversation_messages_give_text_role_and_title_without_attachments():
    conversation = {"id": "6a57a2e4-0000-832d-9604-000000000001", "title": "Supplier audit",
                    "created_at": "2026-07-15T15:10:34.219710Z", "is_pinned": False, "is_temporary_chat": True}
    first = {"event_id": "9d6bb4e9-0000-4dbe-9d4c-000000000001", "type": "CONVERSATION_MESSAGE",
             "principal": PRINCIPAL, "actor": ALICE, "timestamp": "2026-07-15T15:29:00.243000Z",
             "message": {"id": "39adf8b1-0000-42c0-920b-000000000001", "created_at": "2026-07-15T15:29:00.243000Z",
                         "author": {"type": "user", "client_type": "macos_app"},
                         "content": {"type": "text", "value": "List the open audit findings."}},
             "conversation": conversation}
    reply = {**first, "event_id": "9d6bb4e9-0000-4dbe-9d4c-000000000002",
             "previous_message_id": first["message"]["id"],
             "message": {"id": "af1f845c-0000-40d5-a5e2-000000000002", "created_at": "2026-07-15T15:29:05.746561Z",
                         "author": {"type": "assistant", "model": "gpt-5-5", "tools_used": ["browser"],
                                    "skills_used": ["skill-1"]},
                         "content": {"type": "text", "value": "Three findings are open.",
                                     "annotations": [{"type": "url_citation", "urls": ["https://docs.example.net/a"]}]}}}
    for event, role, text in ((first, "user", "List the open audit findings."),
                              (reply, "assistant", "Three findings are open.")):
        parsed = items_from_event(event, WS)
        message = next(i for i in parsed.items if i.kind is ItemKind.MESSAGE)
        assert (message.role, message.text, message.user_id) == (role, text, ALICE["user_id"])
        assert message.conversation_id == conversation["id"]
        assert any(i.kind is ItemKind.CONVERSATION_TITLE and i.text == "Supplier audit" for i in parsed.items)
        assert not [i for i in parsed.items if i.kind is ItemKind.ATTACHMENT]


def test_psoxy_message_with_files_and_non_uuid_ids_gives_its_attachment():
    event = {"event_id": "evt_20260601_zz9", "type": "CONVERSATION_MESSAGE",
             "principal": {"id": "workspace_zz9", "type": "CHATGPT_WORKSPACE"}, "actor": ALICE,
             "timestamp": "2026-06-01T09:00:00.000001Z",
             "message": {"id": "msg_zz9", "parent_id": None, "created_at": "2026-06-01T09:00:00.000001Z",
                         "author": {"type": "user", "client_type": "unknown"},
                         "content": {"type": "user_instructions", "value": "Summarise the attached budget."},
                         "files": [{"id": "file-zz9budget", "object": "compliance.workspace.conversation.message.file",
                                    "name": "budget.xlsx", "created_at": 1717232400.000001,
                                    "download_url": "https://api.chatgpt.com/files/file-zz9budget/download"}],
                         "annotations": [{"id": "ann_1", "parent_message_id": "msg_zz9", "type": "citation",
                                          "quote_text": "budget"}]},
             "conversation": {"id": "conv_zz9", "title": "Budget", "created_at": "2026-06-01T09:00:00.000001Z",
                              "is_pinned": False, "is_temporary_chat": False}}
    items = items_from_event(event, WS).items
    (attachment,) = [i for i in items if i.kind is ItemKind.ATTACHMENT]
    assert attachment.file_id == "file-zz9budget" and attachment.file_name == "budget.xlsx"
    assert attachment.file_ref.user_id == ALICE["user_id"] and attachment.file_ref.conversation_id == "conv_zz9"


def test_elastic_app_log_request_and_response_give_their_text_without_call_metadata():
    common = {"principal": PRINCIPAL, "actor": ALICE, "app_id": "asdk_app_2222", "app_name": "Drive",
              "app_type": "FIRST_PARTY_ECOSYSTEM", "conversation_id": None}
    request = {"event_id": "3f1a9c02-0000-4a11-8b11-000000000001", "type": "APP_LOG",
               "timestamp": "2026-07-15T15:39:18.154524Z", **common, "log_type": "request",
               "input": {"query": "budget 2027", "limit": 20,
                         "_meta": {"openai/userLocation": {"city": "Leeds", "country": "GB"},
                                   "openai/subject": "v1/abc"}}}
    response = {"event_id": "3f1a9c02-0000-4a11-8b11-000000000002", "type": "APP_LOG",
                "timestamp": "2026-07-15T15:39:18.792578Z", **common, "log_type": "response",
                "output": [{"response": {"result": {"content": [{"type": "text", "text": "2 files found"}],
                                                    "isError": False},
                                         "connector_id": "asdk_app_2222", "internal": {"external_call_time_ms": 539}}}]}
    (asked,) = items_from_event(request, WS).items
    (answered,) = items_from_event(response, WS).items
    assert asked.kind is answered.kind is ItemKind.APP_LOG and asked.conversation_id is None
    assert dict(asked.parts) == {"input": "query: budget 2027\nlimit: 20"}  # no location, no subject id
    assert "2 files found" in dict(answered.parts)["output"] and "539" not in dict(answered.parts)["output"]


def test_elastic_codex_log_gives_prompt_and_response_text():
    event = {"event_id": "cd000000-0000-0000-0000-0000000000aa", "type": "CODEX_LOG",
             "timestamp": "2026-07-09T10:08:44.000000Z", "principal": PRINCIPAL, "actor": ALICE,
             "event_type": "PROMPT_RESPONSE_RECEIVED", "client_id": "CODEX_CLI", "workspace_id": WS,
             "event_details": {"detail_type": "PROMPT_RESPONSE_RECEIVED", "session_id": "session-9",
                               "prompt_text": "Rename the billing module.", "response_text": "Renamed it.",
                               "model": "gpt-5.1-codex-max", "token_usage": {"input_tokens": 42}}}
    (item,) = items_from_event(event, WS).items
    text = dict(item.parts)["event_details"]
    assert item.kind is ItemKind.LOG_EVENT and item.source == "logs:CODEX_LOG" and item.user_id == ALICE["user_id"]
    assert "prompt_text: Rename the billing module." in text and "response_text: Renamed it." in text
    assert "input_tokens" not in text and "session-9" not in text


def test_elastic_custom_agents_log_attributes_an_agent_actor_to_its_delegator():
    run = {"agent_id": "agent-9", "version_id": "version-2", "run_id": "thread_0001"}
    created = {"event_id": "ca000000-0000-0000-0000-0000000000a1", "type": "CUSTOM_AGENTS_LOG",
               "timestamp": "2026-03-10T18:14:03.120000Z", "principal": PRINCIPAL, "actor": ALICE,
               "event_type": "AGENT_RUN_CREATED", "client_id": "CHATGPT_WEB", "workspace_id": WS,
               "event_details": {"detail_type": "AGENT_RUN_CREATED", **run,
                                 "invoker": {"type": "chatgpt",
                                             "initiator": {"kind": "account_user", "id": "account-user-9",
                                                           "display_name": "Alice W", "auth_user_id": ALICE["user_id"]},
                                             "user_message_text": "Summarise last week's tickets.",
                                             "is_shared_invocation": False, "connector_id": None}}}
    agent = {"type": "AGENT", "product_type": "COLLAB_AGENT", "id": "agent-harness-9", "name": "Ticket Agent",
             "product_id": "agent-9", "agent_runtime": {"id": "runtime-9", "delegator": ALICE},
             "agent_task": {"id": "task-9"}}
    memory = {"event_id": "ca000000-0000-0000-0000-0000000000a2", "type": "CUSTOM_AGENTS_LOG",
              "timestamp": "2026-03-10T18:15:21.120000Z", "principal": PRINCIPAL, "actor": agent,
              "event_type": "MEMORY_READ", "client_id": "CHATGPT_WEB", "workspace_id": WS,
              "event_details": {"detail_type": "MEMORY_READ", **run, "memory_path": "notes/tickets.md",
                                "access_method": "read"}}
    asked = items_from_event(created, WS)
    text = dict(asked.items[0].parts)["event_details"]
    assert "user_message_text: Summarise last week's tickets." in text and "Alice W" not in text
    by_agent = items_from_event(memory, WS)
    assert (by_agent.user_id, by_agent.user_email) == (ALICE["user_id"], ALICE["user_email"])
    assert by_agent.items[0].user_id == ALICE["user_id"]


def test_an_agent_run_whose_actor_names_nobody_falls_back_to_the_invoking_user():
    event = {"event_id": "ca000000-0000-0000-0000-0000000000b1", "type": "CUSTOM_AGENTS_LOG",
             "actor": {"type": "AGENT", "id": "agent-harness-3"},
             "event_details": {"invoker": {"initiator": {"auth_user_id": "user-Zz99"}, "user_message_text": "hi"}}}
    assert items_from_event(event, WS).user_id == "user-Zz99"


def test_psoxy_plugin_document_gives_its_prompt_text():
    event = {"event_id": "7c1f2a3b-0000-4f8a-9b1a-3c4d5e6f7a8b", "type": "CHATGPT_PLUGIN_DOCUMENT",
             "timestamp": "2026-07-31T15:12:04.882103Z", "principal": PRINCIPAL, "actor": ALICE,
             "event_type": "PROMPT_SENT", "client_id": "WORD_ADDIN", "workspace_id": WS,
             "event_details": {"detail_type": "PROMPT_SENT", "session_id": "session-7",
                               "prompt_text": "Shorten the summary to two lines.", "model": "gpt-5.1",
                               "environment_id": None}}
    (item,) = items_from_event(event, WS).items
    assert "prompt_text: Shorten the summary to two lines." in dict(item.parts)["event_details"]


def test_xsoar_concatenated_events_without_ids_and_with_a_string_actor_are_read_not_refused():
    data = (b'{"id":"LISTING_9","timestamp":"2099-01-02T00:00:00Z","actor":"ACTOR_A","action":"one"}'
            b'{"id":"LISTING_9","timestamp":"2099-01-02T00:00:01Z","actor":"ACTOR_B","action":"two"}\n'
            b'{"id":"LISTING_9","timestamp":"2099-01-02T00:00:02Z","actor":"ACTOR_C","action":"three"}\n')
    events = parse_jsonl(data)
    assert [e["action"] for e in events] == ["one", "two", "three"]
    ids = {event_id_of(e) for e in events}
    assert len(ids) == 3 and all(i.startswith("sha256:") for i in ids)  # no event_id: one id per distinct event
    parsed = items_from_event(events[0], WS, "AUDIT_LOG")
    assert parsed.event_type == "AUDIT_LOG" and parsed.user_id is None and parsed.items == ()


class PagedClient:
    """Answers the logs listing with the given pages, as the public samples show them."""

    workspace_path = f"/compliance/workspaces/{WS}"
    organization_path = None

    def __init__(self, pages):
        self.pages = list(pages)
        self.asked: list[dict] = []

    async def get_json(self, path, params, route_class):
        self.asked.append(dict(params))
        return self.pages.pop(0)


def listed(pages, cursor="2026-07-01T00:00:00Z"):
    client = PagedClient(pages)

    async def collect():
        return [entry async for entry in list_log_files(client, "AUTH_LOG", LogCursor(cursor))]

    return asyncio.run(collect()), client


def test_elastic_listing_is_followed_by_last_end_time_and_every_field_is_kept():
    page = {"data": [{"id": "eclf_x1", "event_type": "APP_AUTH_LOG", "end_time": "2026-07-09T10:11:00Z",
                      "file_name": "APP_AUTH_LOG_2026-07-09T10:11:00+00:00.jsonl", "file_size": 1024,
                      "file_sha256": "c3" * 32},
                     {"id": "eclf_x2", "event_type": "APP_AUTH_LOG", "end_time": "2026-07-09T10:12:00Z",
                      "file_name": "APP_AUTH_LOG_2026-07-09T10:12:00+00:00.jsonl", "file_size": 768,
                      "file_sha256": "d4" * 32}],
            "has_more": True, "last_end_time": "2026-07-09T12:00:00Z"}
    empty = {"data": [], "has_more": False, "last_end_time": None}
    entries, client = listed([page, empty])
    files = [e for e in entries if isinstance(e, LogFile)]
    assert [(f.id, f.file_size, f.file_sha256[:2]) for f in files] == [("eclf_x1", 1024, "c3"), ("eclf_x2", 768, "d4")]
    assert client.asked[1]["after"] == "2026-07-09T12:00:00Z" and client.asked[1]["limit"] == 100
    cursor = LogCursor("2026-07-01T00:00:00Z")
    for entry in entries:
        cursor = cursor.at_page_end(entry) if isinstance(entry, PageEnd) else cursor.advanced_past(entry)
    assert cursor.after == "2026-07-09T12:00:00Z"  # an empty page's null last_end_time keeps the cursor


def test_psoxy_listing_entries_with_only_an_id_are_kept_and_the_cursor_still_moves():
    page = {"data": [{"id": "log_auth_1"}, {"id": "log_auth_2"}, {"id": "log_auth_3"}],
            "has_more": False, "last_end_time": "2026-03-02T12:00:00Z"}
    entries, _ = listed([page])
    files = [e for e in entries if isinstance(e, LogFile)]
    assert [f.id for f in files] == ["log_auth_1", "log_auth_2", "log_auth_3"]
    assert all(f.end_time is None and f.hold and f.file_sha256 is None for f in files)
    cursor = LogCursor("2026-03-01T00:00:00Z")
    for entry in entries:
        cursor = cursor.at_page_end(entry) if isinstance(entry, PageEnd) else cursor.advanced_past(entry)
    assert cursor.after == "2026-03-02T12:00:00Z" and cursor.boundary_ids == {"log_auth_1", "log_auth_2", "log_auth_3"}


def test_xsoar_listing_with_minimal_fields_and_a_multi_document_body():
    first = {"data": [{"id": "LISTING_1", "event_type": "AUDIT_LOG", "end_time": "2099-01-01T00:00:00Z"}],
             "has_more": True, "last_end_time": "2099-01-01T00:00:00Z"}
    second = {"data": [{"id": "LISTING_2", "event_type": "APP_LOG", "end_time": "2099-01-02T00:00:00Z"}],
              "has_more": False, "last_end_time": "2099-01-02T00:00:00Z"}
    entries, _ = listed([[first, second]], cursor="2098-12-31T00:00:00Z")  # both documents in one body
    assert [e.id for e in entries if isinstance(e, LogFile)] == ["LISTING_1", "LISTING_2"]


def test_sumo_stateful_conversation_gives_its_text_and_its_upload():
    conversation = json.loads("""{"id": "68cccb0d-0000-8321-8268-000000000009", "created_at": 1760231119.9,
      "last_active_at": 1760349119.5, "title": "Permit status", "user_id": "user-Qq77Ww88Ee99Rr00Tt11Yy22",
      "user_email": "sam@example.org", "workspace_id": "5e6f7a8b-1c2d-4e3f-9a0b-112233445566",
      "object": "compliance.workspace.conversation",
      "messages": {"object": "list", "has_more": false, "last_id": "b99bae4e-0000-4001-9971-000000000009",
        "data": [{"author": {"object": "compliance.workspace.conversation.message.author", "role": "user",
                             "tool_name": "myfiles_browser"},
                  "content": {"annotations": [], "type": "text", "value": "The permit is still pending."},
                  "created_at": 1760411119.881,
                  "files": {"data": [{"created_at": 1760411119.1, "download_url": null, "id": "file-Sumo0001",
                                      "name": "permit.txt",
                                      "object": "compliance.workspace.conversation.message.file"}],
                            "has_more": false, "last_id": null, "object": "list"},
                  "gpt_id": "g-0000aaaa", "id": "b99bae4e-0000-4001-9971-000000000009",
                  "object": "compliance.workspace.conversation.message", "parent_id": null, "project_id": null}]}}""")
    items = items_from_conversation(conversation, WS)
    message = next(i for i in items if i.kind is ItemKind.MESSAGE)
    assert message.text == "The permit is still pending." and message.role == "user" and message.gpt_id == "g-0000aaaa"
    (upload,) = [i for i in items if i.kind is ItemKind.ATTACHMENT]
    assert upload.file_id == "file-Sumo0001" and upload.file_ref.user_id == conversation["user_id"]
