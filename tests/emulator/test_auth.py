"""Bearer keys with scopes: 401 without or with an unknown key, 403 without the scope, documented bodies."""

from __future__ import annotations

import httpx

from dlp.emulator.settings import DEFAULT_API_KEY

from .conftest import Api

READ_ONLY = "sk-emulator-readonly-1111111111111111"


def test_missing_key_is_401_with_an_openai_error_body(api: Api):
    response = httpx.get(api.prefix + "/users")
    assert response.status_code == 401
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["code"] == "missing_api_key"


def test_unknown_key_is_401_and_never_echoed_in_full(api: Api):
    key = "sk-someone-else-9876543210abcdef"
    response = httpx.get(api.prefix + "/users", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_api_key"
    assert key not in response.text


def test_non_bearer_scheme_is_401(api: Api):
    response = httpx.get(api.prefix + "/users", headers={"Authorization": f"Basic {DEFAULT_API_KEY}"})
    assert response.status_code == 401


def test_read_key_cannot_delete(make_server):
    server = make_server(api_keys={READ_ONLY: frozenset({"read"})})
    client = Api(server, READ_ONLY)
    assert client.get("/users").status_code == 200
    conversation = server.state.workspace.conversations[0].id
    response = client.delete(f"/conversations/{conversation}")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "insufficient_scope"
    assert conversation not in server.state.deletions.conversations


def test_wrong_workspace_is_403_not_authorized_or_404_with_the_knob(api: Api, clean_server, make_server):
    url = f"{clean_server.base_url}/compliance/workspaces/00000000-0000-4000-8000-000000000000/users"
    response = api.http.get(url)
    assert response.status_code == 403 and response.json()["error"]["code"] == "not_authorized"
    older = make_server(unknown_workspace_status=404)
    response = Api(older).http.get(f"{older.base_url}/compliance/workspaces/00000000-0000-4000-8000-000000000000/users")
    assert response.status_code == 404 and "error" in response.json()


def test_admin_keys_read_only_the_log_categories_and_families_they_were_given(make_server):
    key = "sk-admin-messages-only-00000000001"
    server = make_server(api_keys={key: frozenset({"logs:CONVERSATION_MESSAGE", "stateful:users"})})
    client = Api(server, key)
    after = "2026-06-15T12:00:00Z"
    assert client.get("/logs", event_type="CONVERSATION_MESSAGE", after=after).status_code == 200
    denied = client.get("/logs", event_type="CODEX_LOG", after=after)
    assert denied.status_code == 403 and "compliance_logs_platform.codex_log.read" in denied.json()["error"]["message"]
    both = client.http.get(client.prefix + "/logs", params=[("event_type", "CONVERSATION_MESSAGE"),
                                                            ("event_type", "APP_LOG"), ("after", after)])
    assert both.status_code == 403  # one category it may not read refuses the whole call
    assert client.get("/users").status_code == 200
    assert client.get("/gpts").status_code == 403
    user = server.state.workspace.users[0].id
    assert client.get(f"/users/{user}/library_files").status_code == 403


def test_detail_error_style_is_configurable(make_server):
    server = make_server(error_style="detail")
    response = httpx.get(Api(server).prefix + "/users")
    assert response.status_code == 401
    assert isinstance(response.json()["detail"], str)


def test_request_log_never_holds_the_key(make_server):
    server = make_server()
    Api(server).get("/users")
    assert server.state.request_log
    assert all(DEFAULT_API_KEY not in repr(record) for record in server.state.request_log)
