"""Stateful endpoints over HTTP: users, GPTs and configs, projects, file content, conversations, deletes."""

from __future__ import annotations

import io
from datetime import timedelta

import openpyxl
import pypdf

from dlp.emulator.settings import GeneratorConfig

from .conftest import Api


def collect(api: Api, path: str, limit: int, **params) -> list[dict]:
    items, after = [], None
    while True:
        query = dict(params, limit=limit)
        if after:
            query["after"] = after
        page = api.get(path, **query).json()
        assert page["object"] == "list"
        items += page["data"]
        after = page["last_id"]
        if not page["has_more"]:
            return items


def test_users_list_envelope_and_pagination(api: Api, clean_server):
    page = api.get("/users", limit=5).json()
    assert set(page) == {"object", "data", "last_id", "has_more"}
    assert page["has_more"] is True and page["last_id"] == page["data"][-1]["id"]
    users = collect(api, "/users", 5)
    ids = [u["id"] for u in users]
    assert ids == sorted(ids) and len(ids) == len(set(ids)) == 12
    assert {u["role"] for u in users} == {"account-owner", "account-admin", "standard-user"}
    assert all(u["object"] == "compliance.workspace.user" and u["id"].startswith("user-") for u in users)


def test_gpts_with_configs_actions_and_knowledge_files(api: Api):
    gpts = collect(api, "/gpts", 2)
    assert len(gpts) == 3
    gpt = gpts[0]
    assert gpt["object"] == "compliance.workspace.gpt" and gpt["id"].startswith("g-")
    assert api.get(f"/gpts/{gpt['id']}").json()["id"] == gpt["id"]
    configs = api.get(f"/gpts/{gpt['id']}/configs").json()["data"]
    assert configs[0]["id"] == gpt["latest_config"]["data"][0]["id"]
    created = [c["created_at"] for c in configs]
    assert created == sorted(created, reverse=True)  # newest first
    config = configs[0]
    assert config["instructions"] and len(config["conversation_starters"]) == 3
    assert config["files"]["data"] and config["files"]["data"][0]["download_url"].count("sig=") == 1
    actions = [t for g in gpts for c in api.get(f"/gpts/{g['id']}/configs").json()["data"]
               for t in c["tools"]["data"] if t["type"] == "custom_action"]
    assert actions and actions[0]["action_openapi_raw"].startswith("openapi: 3.1.0")


def test_file_format_id_returns_file_info(api: Api):
    gpt = api.get("/gpts", limit=1).json()["data"][0]
    config = api.get(f"/gpts/{gpt['id']}/configs", file_format="id").json()["data"][0]
    info = config["files"]["data"][0]
    assert info["object"] == "compliance.workspace.gpt.file_info" and "download_url" not in info
    assert api.get("/gpts", file_format="csv").status_code == 422


def test_gpt_file_redirects_to_real_bytes_with_content_disposition(api: Api, clean_server):
    workspace = clean_server.state.workspace
    stored = next(f for f in workspace.files.values() if f.owner_kind == "gpt" and f.format == "pdf")
    response = api.follow(api.get(f"/gpt_files/{stored.id}"))
    assert response.status_code == 200
    assert response.headers["content-disposition"] == f'attachment; filename="{stored.name}"'
    assert response.headers["content-type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    text = " ".join(page.extract_text() for page in reader.pages)
    planted = [p for p in clean_server.ground_truth if p.file_id == stored.id]
    assert planted and all(p.value in text or p.value in text.replace("\n", " ") for p in planted)


def test_user_file_redirect_owner_check_and_unknown_file(api: Api, clean_server):
    workspace = clean_server.state.workspace
    upload = next(f for f in workspace.files.values() if f.owner_kind == "user" and f.format == "xlsx"
                  and not clean_server.state.upload_expired(f))
    response = api.follow(api.get(f"/users/{upload.owner_id}/files/{upload.id}"))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    for planted in (p for p in clean_server.ground_truth if p.file_id == upload.id):
        sheet, cell = planted.location.split("!")
        assert book[sheet][cell].value == planted.value
    other = next(u for u in workspace.users if u.id != upload.owner_id)
    assert api.get(f"/users/{other.id}/files/{upload.id}").status_code == 404
    assert api.get(f"/users/{upload.owner_id}/files/file-unknown000000000000000").status_code == 404
    assert api.get("/gpt_files/file-unknown000000000000000").status_code == 404


def test_expired_upload_is_410_and_loses_its_url(make_server):
    server = make_server(scale=GeneratorConfig(), conversations_endpoint="live")
    api = Api(server)
    state = server.state
    expired = [f for f in state.workspace.files.values() if state.upload_expired(f)]
    assert expired, "the demo workspace must contain an upload past the 48 h retention"
    response = api.get(f"/users/{expired[0].owner_id}/files/{expired[0].id}")
    assert response.status_code == 410 and response.json()["error"]["code"] == "file_expired"
    conversation = api.get("/conversations").json()["data"]
    embedded = [f for c in conversation for m in c["messages"]["data"] for f in m["files"]["data"]
                if f["id"] == expired[0].id]
    assert embedded and embedded[0]["download_url"] is None and embedded[0]["created_at"] is None


def test_uploads_expire_48_hours_after_upload_but_gpt_files_never(make_server):
    server = make_server()
    client = Api(server)
    files = server.state.workspace.files.values()
    upload = next(f for f in files if f.owner_kind == "user" and not server.state.upload_expired(f))
    knowledge = next(f for f in files if f.owner_kind == "gpt")
    assert client.get(f"/users/{upload.owner_id}/files/{upload.id}").status_code == 307
    server.clock.set(upload.created_at + timedelta(hours=48, seconds=1))
    assert client.get(f"/users/{upload.owner_id}/files/{upload.id}").status_code == 410
    server.clock.advance(timedelta(days=400))
    assert client.get(f"/gpt_files/{knowledge.id}").status_code == 307


def test_projects_mirror_gpts(api: Api, clean_server):
    projects = collect(api, "/projects", 1)
    assert len(projects) == 2 and projects[0]["id"].startswith("g-p-")
    config = api.get(f"/projects/{projects[0]['id']}/configs").json()["data"][0]
    assert config["object"] == "compliance.workspace.project.configuration" and config["id"].startswith("pr_cnf_")
    file_id = config["files"]["data"][0]["id"]
    assert api.follow(api.get(f"/project_files/{file_id}")).status_code == 200


def test_shared_users_and_isolate(make_server):
    server = make_server()
    client = Api(server)
    gpt = next(g for g in server.state.workspace.gpts if g.shared_user_ids) if any(
        g.shared_user_ids for g in server.state.workspace.gpts) else server.state.workspace.gpts[0]
    shared = client.get(f"/gpts/{gpt.id}/shared_users").json()
    assert [u["id"] for u in shared["data"]] == list(gpt.shared_user_ids)
    assert client.delete(f"/gpts/{gpt.id}/shared_users").json()["deleted"] is True
    assert client.get(f"/gpts/{gpt.id}/shared_users").json()["data"] == []


def test_conversations_list_is_ordered_and_re_emits_updated_conversations(make_server):
    server = make_server(conversations_endpoint="live")
    client = Api(server)
    listed = collect(client, "/conversations", 5)
    assert len(listed) == len(server.state.workspace.conversations)
    assert listed[0]["messages"]["data"][0]["author"]["role"] == "system"
    oldest = listed[0]
    server.clock.advance(timedelta(minutes=1))
    message_id = server.state.add_message(oldest["id"], "One more question about the refund.")
    since = int(server.clock.now().timestamp())
    again = client.get("/conversations", since_timestamp=since).json()["data"]
    assert [c["id"] for c in again] == [oldest["id"]]
    assert again[0]["messages"]["data"][-1]["id"] == message_id
    assert client.get("/conversations", since_timestamp=since, after=oldest["id"]).status_code == 400


def test_conversation_filters_messages_endpoint_and_delete(make_server):
    server = make_server(conversations_endpoint="live")
    client = Api(server)
    stub = server.state.workspace.conversations[0]
    mine = client.get("/conversations", users=stub.user_id).json()["data"]
    assert mine and all(c["user_id"] == stub.user_id for c in mine)
    messages = client.get(f"/conversations/{stub.id}/messages").json()["data"]
    assert messages[0]["object"] == "compliance.workspace.conversation.message"
    deleted = client.delete(f"/conversations/{stub.id}").json()
    assert deleted == {"id": stub.id, "object": "compliance.workspace.conversation", "deleted": True}
    assert stub.id not in {c["id"] for c in collect(client, "/conversations", 100)}
    assert client.delete(f"/conversations/{stub.id}").status_code == 404


def test_conversations_are_absent_by_default_and_410_with_the_knob(make_server):
    absent = Api(make_server())
    assert absent.get("/conversations").status_code == 404  # not in the newest route inventory
    server = make_server(conversations_endpoint="gone")
    client = Api(server)
    stub = server.state.workspace.conversations[0]
    for response in (client.get("/conversations"), client.get(f"/conversations/{stub.id}/messages"),
                     client.delete(f"/conversations/{stub.id}")):
        assert response.status_code == 410
        assert "Logs Platform" in response.json()["error"]["message"]
    assert client.get("/users").status_code == 200


def test_library_files_list_each_users_uploads_by_cursor(make_server):
    server = make_server()
    client = Api(server)
    workspace = server.state.workspace
    owner, uploads = max(workspace.library.items(), key=lambda kv: len(kv[1]))
    listed, cursor = [], None
    while True:
        page = client.get(f"/users/{owner}/library_files", limit=1, **({"cursor": cursor} if cursor else {})).json()
        listed += page["data"]
        if not page["has_more"]:
            break
        cursor = page["cursor"]
    assert [f["id"] for f in listed] == [f.id for f in uploads]
    assert set(listed[0]) >= {"id", "name", "mime_type", "state", "created_at", "trashed_at", "is_project"}
    # library-only uploads: no conversation references them, only this route finds them
    assert any(f.conversation_id is None for files in workspace.library.values() for f in files)
    assert client.get("/users/user-nobody000000000000000000/library_files").status_code == 404


def test_deletes_of_gpts_and_files(make_server):
    server = make_server()
    client = Api(server)
    workspace = server.state.workspace
    gpt = workspace.gpts[0]
    file_id = gpt.file_ids[0]
    assert client.delete(f"/gpts/{gpt.id}/files/{file_id}").json()["deleted"] is True
    config = client.get(f"/gpts/{gpt.id}/configs").json()["data"][0]
    placeholder = next(f for f in config["files"]["data"] if f["id"] == file_id)
    assert placeholder["name"] == "(Removed by your admin)" and placeholder["download_url"] is None
    assert client.get(f"/gpt_files/{file_id}").status_code == 404
    assert client.delete(f"/gpts/{gpt.id}").json() == {"id": gpt.id, "object": "compliance.workspace.gpt",
                                                      "deleted": True}
    assert client.get(f"/gpts/{gpt.id}").status_code == 404
    upload = next(f for f in workspace.files.values() if f.owner_kind == "user")
    assert client.delete(f"/users/{upload.owner_id}/files/{upload.id}").json()["deleted"] is True
    assert client.get(f"/users/{upload.owner_id}/files/{upload.id}").status_code == 404
