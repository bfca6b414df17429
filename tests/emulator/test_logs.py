"""The Logs Platform: listing semantics, signed downloads, event shapes, scopes and retention."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta

import httpx

from .conftest import START, Api, month_ago


def parse(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def events_of(api: Api, entry: dict) -> list[dict]:
    body = api.follow(api.get(f"/logs/{entry['id']}")).content
    return [json.loads(line) for line in body.decode().splitlines()]


def test_listing_is_ascending_with_documented_fields(api: Api):
    page = api.get("/logs", event_type="CONVERSATION_MESSAGE", after=month_ago().isoformat(), limit=20).json()
    assert set(page) == {"data", "has_more", "last_end_time"}
    assert len(page["data"]) == 20 and page["has_more"] is True
    ends = [parse(f["end_time"]) for f in page["data"]]
    assert ends == sorted(ends)
    first = page["data"][0]
    assert set(first) == {"id", "event_type", "end_time", "file_name", "file_size", "file_sha256"}
    assert first["id"].startswith("eclf_") and first["event_type"] == "CONVERSATION_MESSAGE"
    assert first["file_name"] == f"CONVERSATION_MESSAGE_{parse(first['end_time']).isoformat()}.jsonl"
    assert page["last_end_time"] == page["data"][-1]["end_time"]


def test_after_is_strictly_later_by_default(api: Api):
    page = api.get("/logs", event_type="CONVERSATION_MESSAGE", after=month_ago().isoformat(), limit=3).json()
    boundary = page["data"][-1]
    again = api.get("/logs", event_type="CONVERSATION_MESSAGE", after=page["last_end_time"], limit=3).json()
    assert again["data"][0]["id"] != boundary["id"]
    assert again["data"][0]["end_time"] > boundary["end_time"]


def test_after_is_inclusive_with_the_knob(make_server):
    client = Api(make_server(logs_after_inclusive=True))
    page = client.get("/logs", event_type="CONVERSATION_MESSAGE", after=month_ago().isoformat(), limit=3).json()
    again = client.get("/logs", event_type="CONVERSATION_MESSAGE", after=page["last_end_time"], limit=3).json()
    assert again["data"][0]["id"] == page["data"][-1]["id"]


def test_paging_with_last_end_time_reaches_every_file_and_every_message(api: Api, clean_server):
    files = api.all_logs("CONVERSATION_MESSAGE", month_ago(), limit=7)
    message_ids = set()
    for entry in files:
        for event in events_of(api, entry):
            message_ids.add(event["message"]["id"])
    workspace = clean_server.state.workspace
    expected = {m.id for stub in workspace.conversations for m in workspace.conversation_at(stub.index).messages
                if m.role != "system"}
    assert message_ids == expected


def test_empty_page_has_null_last_end_time(api: Api):
    page = api.get("/logs", event_type="CONVERSATION_MESSAGE", after=(START + timedelta(days=1)).isoformat()).json()
    assert page == {"data": [], "has_more": False, "last_end_time": None}


def test_before_bounds_the_listing(api: Api):
    everything = api.all_logs("CONVERSATION_MESSAGE", month_ago())
    cut = everything[len(everything) // 2]["end_time"]
    page = api.get("/logs", event_type="CONVERSATION_MESSAGE", after=month_ago().isoformat(), before=cut).json()
    assert page["data"] and all(parse(f["end_time"]) < parse(cut) for f in page["data"])
    assert len(page["data"]) == len(everything) // 2


def test_validation_errors_are_422_in_fastapi_shape(api: Api):
    too_many = api.get("/logs", event_type="APP_LOG", after=month_ago().isoformat(), limit=101)
    assert too_many.status_code == 422
    assert too_many.json()["detail"][0]["loc"] == ["query", "limit"]
    no_after = api.get("/logs", event_type="APP_LOG")
    assert no_after.status_code == 422 and no_after.json()["detail"][0]["loc"] == ["query", "after"]
    no_type = api.get("/logs", after=month_ago().isoformat())
    assert no_type.status_code == 422 and no_type.json()["detail"][0]["type"] == "missing"
    bad_time = api.get("/logs", event_type="APP_LOG", after="yesterday")
    assert bad_time.status_code == 422


def test_naive_after_is_read_as_utc(api: Api):
    naive = api.get("/logs", event_type="CONVERSATION_MESSAGE", after="2026-06-20T00:00:00", limit=5).json()
    aware = api.get("/logs", event_type="CONVERSATION_MESSAGE", after="2026-06-20T00:00:00Z", limit=5).json()
    assert naive == aware


def test_download_redirects_to_a_signed_url_whose_bytes_match_the_sha(api: Api):
    entry = api.get("/logs", event_type="CONVERSATION_MESSAGE", after=month_ago().isoformat(), limit=1).json()["data"][0]
    redirect = api.get(f"/logs/{entry['id']}")
    assert redirect.status_code == 307
    location = redirect.headers["location"]
    assert "sig=" in location and "se=" in location
    body = api.follow(redirect)
    assert body.status_code == 200
    assert hashlib.sha256(body.content).hexdigest() == entry["file_sha256"]
    assert len(body.content) == entry["file_size"]
    assert body.content.endswith(b"\n")


def test_unknown_log_file_is_404(api: Api):
    assert api.get("/logs/eclf_doesnotexist").status_code == 404


def test_conversation_message_events_follow_the_reference(api: Api, clean_server):
    files = api.all_logs("CONVERSATION_MESSAGE", month_ago())
    events = [e for entry in files for e in events_of(api, entry)]
    assert all(e["type"] == "CONVERSATION_MESSAGE" for e in events)
    assert all(e["principal"] == {"id": clean_server.workspace_id, "type": "CHATGPT_WORKSPACE"} for e in events)
    assert {e["message"]["author"]["type"] for e in events} == {"user", "assistant", "tool"}
    firsts = [e for e in events if "previous_message_id" not in e]
    assert len(firsts) == len(clean_server.state.workspace.conversations)
    assert all(e["message"]["author"]["type"] == "user" for e in firsts)
    assert not any("files" in e["message"] for e in events)  # by default, as in every sample but psoxy's
    user = next(e for e in events if e["message"]["author"]["type"] == "user")
    assert user["actor"]["type"] == "ACCOUNT_USER" and user["actor"]["user_email"].endswith("@contoso-labs.com")
    assert set(user["conversation"]) >= {"id", "title", "created_at", "is_temporary_chat"}
    within_file = [parse(e["timestamp"]) for e in events_of(api, files[0])]
    assert within_file == sorted(within_file)


def test_message_files_can_be_switched_on(make_server):
    client = Api(make_server(message_files_in_logs=True))
    events = [e for entry in client.all_logs("CONVERSATION_MESSAGE", month_ago()) for e in events_of(client, entry)]
    with_files = [e for e in events if e["message"].get("files")]
    assert with_files
    attachment = with_files[0]["message"]["files"][0]
    assert set(attachment) >= {"id", "name"} and attachment["id"].startswith("file-")


def test_app_log_carries_input_and_output(api: Api):
    events = [e for entry in api.all_logs("APP_LOG", month_ago()) for e in events_of(api, entry)]
    requests = [e for e in events if e["log_type"] == "request"]
    responses = [e for e in events if e["log_type"] == "response"]
    assert requests and len(requests) == len(responses)
    assert all("query" in e["input"] and "_meta" in e["input"] for e in requests)
    text = responses[0]["output"][0]["response"]["result"]["content"][0]["text"]
    assert isinstance(text, str) and text
    assert {e["app_type"] for e in events} <= {"SERVICE", "MCP", "FIRST_PARTY_ECOSYSTEM", "OPEN_API"}


def test_auth_log_and_admin_audit_log_are_served(api: Api):
    auth = [e for entry in api.all_logs("AUTH_LOG", month_ago()) for e in events_of(api, entry)]
    assert auth and all("client_ip" in e["request_metadata"] for e in auth)
    audit = [e for entry in api.all_logs("AUDIT_LOG", month_ago()) for e in events_of(api, entry)]
    assert any(e["actor"]["type"] == "ACCOUNT_USER" and e["action_privilege"] == "ADMIN" for e in audit)


def test_compliance_calls_are_audited_as_api_key_events(make_server):
    server = make_server()
    client = Api(server)
    client.get("/logs", event_type="APP_LOG", after=month_ago().isoformat(), limit=10)
    server.clock.advance(timedelta(minutes=10))  # the audit file is flushed at the end of its window
    audit = [e for entry in client.all_logs("AUDIT_LOG", month_ago()) for e in events_of(client, entry)]
    calls = [e for e in audit if e["actor"]["type"] == "API_KEY"]
    listed = [e for e in calls if e["action"] == "LIST_WORKSPACE_LOG_FILES"]
    assert listed and listed[0]["action_data"]["event_type"] == "APP_LOG"
    assert listed[0]["action_data"]["limit"] == "10"
    assert server.api_key not in json.dumps(calls) and calls[0]["actor"]["redacted_id"].endswith(server.api_key[-4:])


def test_organization_scope_serves_costs_and_rejects_workspace_types(api: Api, clean_server):
    org = f"{clean_server.base_url}/compliance/organizations/{clean_server.organization_id}/logs"
    costs = api.http.get(org, params={"event_type": "COSTS", "after": month_ago().isoformat()}).json()
    assert costs["data"] and costs["data"][0]["event_type"] == "COSTS"
    wrong = api.http.get(org, params={"event_type": "AUTH_LOG", "after": month_ago().isoformat()})
    assert wrong.status_code == 400 and "workspace-scoped" in wrong.json()["error"]["message"]
    backwards = api.get("/logs", event_type="COSTS", after=month_ago().isoformat())
    assert backwards.status_code == 400


def test_files_older_than_the_retention_disappear(make_server):
    server = make_server()
    client = Api(server)
    before = client.all_logs("CONVERSATION_MESSAGE", month_ago())
    oldest = before[0]
    server.clock.advance(timedelta(days=30) - (START - parse(oldest["end_time"])) + timedelta(minutes=1))
    after = client.all_logs("CONVERSATION_MESSAGE", month_ago())
    assert oldest["id"] not in {f["id"] for f in after}
    assert client.get(f"/logs/{oldest['id']}").status_code == 404


def test_signed_url_needs_no_authorization_and_expires_after_five_minutes(make_server):
    server = make_server()
    client = Api(server)
    entry = client.get("/logs", event_type="AUTH_LOG", after=month_ago().isoformat(), limit=1).json()["data"][0]
    location = client.get(f"/logs/{entry['id']}").headers["location"]
    assert httpx.get(location).status_code == 200
    tampered = location.replace("sig=", "sig=0")
    assert httpx.get(tampered).status_code == 403
    server.clock.advance(timedelta(minutes=5, seconds=1))
    expired = httpx.get(location)
    assert expired.status_code == 403 and "expired" in expired.json()["error"]["message"]


def test_codex_agent_and_plugin_events_carry_text_and_agent_actors_name_their_delegator(api: Api, clean_server):
    by_type = {t: [e for entry in api.all_logs(t, month_ago()) for e in events_of(api, entry)]
               for t in ("CODEX_LOG", "CUSTOM_AGENTS_LOG", "CHATGPT_PLUGIN_DOCUMENT", "CHATGPT_PLUGIN_PRESENTATION",
                         "CHATGPT_PLUGIN_SPREADSHEET")}  # fmt: skip
    assert all(by_type.values())
    assert all(e["event_details"].get("prompt_text") for e in by_type["CODEX_LOG"])
    assert all(e["event_details"]["prompt_text"] for t in by_type if t.startswith("CHATGPT_PLUGIN") for e in by_type[t])
    agents = [e for e in by_type["CUSTOM_AGENTS_LOG"] if e["actor"]["type"] == "AGENT"]
    assert agents and all(e["actor"]["agent_runtime"]["delegator"]["user_id"].startswith("user-") for e in agents)
    truth = [p for p in clean_server.ground_truth if p.kind == "log_event"]
    carriers = {p.event_id for p in truth}
    types_with_plants = {e["type"] for events in by_type.values() for e in events if e["event_id"] in carriers}
    assert types_with_plants == set(by_type)  # a planted value in every content-bearing type
    agent_plants = [p for p in truth if p.event_id in {e["event_id"] for e in agents}]
    assert agent_plants and all(p.user_id == next(e for e in agents if e["event_id"] == p.event_id)
                                ["actor"]["agent_runtime"]["delegator"]["user_id"] for p in agent_plants)


def test_the_event_type_enum_is_open(api: Api):
    page = api.get("/logs", event_type="SOME_FUTURE_LOG", after=month_ago().isoformat()).json()
    assert page == {"data": [], "has_more": False, "last_end_time": None}
    assert api.get("/logs", event_type="not a type", after=month_ago().isoformat()).status_code == 422


def test_max_event_time_answers_per_type_on_both_paths(api: Api, clean_server):
    for path in ("/logs/max_event_time", "/max_event_time"):
        response = api.http.get(api.prefix + path, params=[("event_type", "CONVERSATION_MESSAGE"),
                                                           ("event_type", "SOME_FUTURE_LOG")])
        times = response.json()["max_event_time"]
        assert times["SOME_FUTURE_LOG"] is None
        newest = parse(times["CONVERSATION_MESSAGE"])
        assert START - timedelta(hours=6) < newest < START
