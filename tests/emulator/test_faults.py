"""Fault knobs and rate limits, each observed through real HTTP, with the clock moved by hand."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta

import httpx
import pytest

from dlp.emulator.settings import EmulatorSettings, FaultSettings

from .conftest import START, Api, month_ago


def events_in(client: Api, entry: dict) -> list[dict]:
    body = client.follow(client.get(f"/logs/{entry['id']}")).content
    return [json.loads(line) for line in body.decode().splitlines()]


def test_defaults_are_the_documented_behaviour_with_every_fault_off():
    settings = EmulatorSettings()
    assert settings.faults == FaultSettings()
    assert settings.rate_limits_enabled is True and settings.rate_limit_style == "rolling"
    assert (settings.list_rate_per_minute, settings.item_rate_per_minute, settings.logs_rate_per_minute) == (50, 100, 100)
    assert settings.message_files_in_logs is False  # only psoxy's sample puts files in message events
    assert settings.conversations_endpoint == "absent" and settings.logs_after_inclusive is False
    assert settings.unknown_workspace_status == 403


def test_short_pages_keep_has_more_true_and_paging_still_reaches_everything(make_server):
    clean = Api(make_server())
    short = Api(make_server(faults=FaultSettings(short_page_rate=1.0)))
    page = short.get("/users", limit=4).json()
    assert len(page["data"]) < 4 and page["has_more"] is True
    everyone = [u["id"] for u in clean.get("/users").json()["data"]]
    collected, after = [], None
    while True:
        params = {"limit": 4, **({"after": after} if after else {})}
        page = short.get("/users", **params).json()
        collected += [u["id"] for u in page["data"]]
        after = page["last_id"]
        if not page["has_more"]:
            break
    assert collected == everyone
    logs = short.get("/logs", event_type="CONVERSATION_MESSAGE", after=month_ago().isoformat(), limit=10).json()
    assert len(logs["data"]) < 10 and logs["has_more"] is True
    assert {f["id"] for f in short.all_logs("CONVERSATION_MESSAGE", month_ago(), limit=10)} == \
        {f["id"] for f in clean.all_logs("CONVERSATION_MESSAGE", month_ago())}


def test_server_errors(make_server):
    client = Api(make_server(faults=FaultSettings(server_error_rate=1.0)))
    response = client.get("/users")
    assert response.status_code in (500, 502, 503)
    assert response.json()["error"]["type"] == "server_error"


def test_slow_responses_trip_a_client_timeout(make_server):
    server = make_server(faults=FaultSettings(slow_rate=1.0, slow_seconds=0.5))
    client = Api(server)
    with pytest.raises(httpx.ReadTimeout):
        client.http.get(client.prefix + "/users", timeout=0.1)


def test_truncated_body_cuts_the_connection(make_server):
    server = make_server(faults=FaultSettings(truncated_body_rate=1.0))
    client = Api(server)
    entry = client.get("/logs", event_type="CONVERSATION_MESSAGE", after=month_ago().isoformat(), limit=1).json()
    location = client.get(f"/logs/{entry['data'][0]['id']}").headers["location"]
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.get(location)


def test_sha_mismatch(make_server):
    client = Api(make_server(faults=FaultSettings(sha_mismatch_rate=1.0)))
    entry = client.get("/logs", event_type="CONVERSATION_MESSAGE", after=month_ago().isoformat(), limit=1).json()
    entry = entry["data"][0]
    body = client.follow(client.get(f"/logs/{entry['id']}")).content
    assert len(body) == entry["file_size"]
    assert hashlib.sha256(body).hexdigest() != entry["file_sha256"]


def test_duplicate_event_ids_are_redelivered_in_later_files(make_server):
    client = Api(make_server(faults=FaultSettings(duplicate_event_rate=0.3)))
    server = client.server
    server.clock.advance(timedelta(hours=1))  # let the last re-deliveries' files close
    seen: dict[str, list[str]] = {}
    for entry in client.all_logs("CONVERSATION_MESSAGE", month_ago()):
        for event in events_in(client, entry):
            seen.setdefault(event["event_id"], []).append(entry["end_time"])
    repeated = {event: ends for event, ends in seen.items() if len(ends) > 1}
    assert repeated
    assert all(ends[0] < ends[1] for ends in repeated.values())


def test_late_delivery_places_events_in_later_files_that_appear_as_time_passes(make_server):
    server = make_server(faults=FaultSettings(late_delivery_max_minutes=120))
    client = Api(server)
    events = {}
    for entry in client.all_logs("CONVERSATION_MESSAGE", month_ago()):
        for event in events_in(client, entry):
            events[event["event_id"]] = (event["timestamp"], entry["end_time"])
    lag = [datetime.fromisoformat(end.replace("Z", "+00:00")) - datetime.fromisoformat(ts.replace("Z", "+00:00"))
           for ts, end in events.values()]
    assert max(lag) > timedelta(minutes=30)
    total = sum(len(server.state.workspace.conversation_at(s.index).messages) - 1
                for s in server.state.workspace.conversations)
    hidden = total - len(events)
    server.clock.advance(timedelta(hours=3))
    later = {e["event_id"] for entry in client.all_logs("CONVERSATION_MESSAGE", month_ago())
             for e in events_in(client, entry)}
    assert len(later) == total and hidden >= 0


def test_rate_limits_answer_429_with_retry_after_per_route_over_a_rolling_minute(make_server):
    server = make_server(rate_limits_enabled=True, list_rate_per_minute=3, item_rate_per_minute=5)
    client = Api(server)
    assert client.get("/users").status_code == 200
    server.clock.advance(timedelta(seconds=40))
    statuses = [client.get("/users").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    limited = client.get("/users")
    assert limited.status_code == 429 and limited.json()["error"]["code"] == "rate_limit_exceeded"
    assert int(limited.headers["retry-after"]) == 20  # the first request leaves the rolling window then
    assert client.get("/gpts").status_code == 200  # another route has its own window
    server.clock.advance(timedelta(seconds=20))
    assert client.get("/users").status_code == 200
    assert client.get("/users").status_code == 429  # the two from t=40 s are still inside the window


def test_the_older_token_bucket_is_a_knob_and_lets_a_burst_through(make_server):
    server = make_server(rate_limits_enabled=True, rate_limit_style="bucket", list_rate_per_minute=3)
    client = Api(server)
    assert [client.get("/users").status_code for _ in range(4)] == [200, 200, 200, 429]
    server.clock.advance(timedelta(seconds=20))  # a third of a minute refills one token
    assert client.get("/users").status_code == 200


def test_rate_limits_are_per_workspace_not_per_key(make_server):
    keys = {"sk-emulator-key-one-00000001": frozenset({"read"}), "sk-emulator-key-two-00000002": frozenset({"read"})}
    server = make_server(rate_limits_enabled=True, list_rate_per_minute=2, api_keys=keys)
    first, second = (httpx.Client(base_url=f"{server.base_url}/compliance/workspaces/{server.workspace_id}",
                                  headers={"Authorization": f"Bearer {k}"}) for k in keys)
    assert [first.get("/users").status_code, second.get("/users").status_code] == [200, 200]
    assert second.get("/users").status_code == 429


def test_signed_urls_can_be_single_use(make_server):
    client = Api(make_server(signed_url_single_use=True))
    entry = client.get("/logs", event_type="AUTH_LOG", after=month_ago().isoformat(), limit=1).json()["data"][0]
    location = client.get(f"/logs/{entry['id']}").headers["location"]
    assert httpx.get(location).status_code == 200
    assert httpx.get(location).status_code == 403
    # Asked again in the same second (the clock stands still), the API hands out a new URL that works once.
    fresh = client.get(f"/logs/{entry['id']}").headers["location"]
    assert fresh != location and httpx.get(fresh).status_code == 200


def test_faults_can_be_limited_to_some_routes(make_server):
    routes = ("files", "/gpts/{gpt_id}/configs")
    client = Api(make_server(faults=FaultSettings(server_error_rate=1.0, fault_routes=routes)))
    gpt = client.get("/gpts").json()["data"][0]["id"]
    assert client.get("/users").status_code == 200 and client.get(f"/gpts/{gpt}").status_code == 200
    assert client.get(f"/gpts/{gpt}/configs").status_code in (500, 502, 503)
    assert client.get(f"/gpt_files/{next(iter(client.server.state.workspace.files))}").status_code in (500, 502, 503)
    with pytest.raises(ValueError, match="fault_routes"):
        EmulatorSettings(faults=FaultSettings(fault_routes=("file",)))


def test_new_messages_are_logged_once_their_file_closes(make_server):
    server = make_server()
    client = Api(server)
    stub = server.state.workspace.conversations[0]
    message_id = server.state.add_message(stub.id, "Adding a note to the thread.")
    def delivered() -> set[str]:
        return {e["message"]["id"] for entry in client.all_logs("CONVERSATION_MESSAGE", month_ago())
                for e in events_in(client, entry)}
    assert message_id not in delivered()
    server.clock.advance(timedelta(minutes=6))
    assert message_id in delivered()
    assert START < server.clock.now()
