"""Stateful API objects (§6 of the reference) as JSON-ready dicts."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from dlp.emulator.model import (
    Assistant,
    ConfigVersion,
    Conversation,
    Message,
    StoredFile,
    User,
)
from dlp.emulator.state import EmulatorState

REMOVED_FILE_NAME = "(Removed by your admin)"


def epoch(moment: datetime | None) -> float | None:
    return None if moment is None else round(moment.timestamp(), 6)


def envelope(data: list[Any], last_id: str | None, has_more: bool) -> dict[str, Any]:
    return {"object": "list", "data": data, "last_id": last_id, "has_more": has_more}


def user(obj: User) -> dict[str, Any]:
    return {"object": "compliance.workspace.user", "id": obj.id, "email": obj.email, "name": obj.name,
            "created_at": epoch(obj.created_at), "role": obj.role, "status": obj.status}


class Serializer:
    """Builds objects that embed signed download URLs (which need the request's base URL and the clock)."""

    def __init__(self, state: EmulatorState, base_url: str, file_format: str) -> None:
        self.state = state
        self.base_url = base_url
        self.file_format = file_format
        self.now = state.clock.now()

    def download_url(self, stored: StoredFile) -> str:
        ttl = timedelta(seconds=self.state.settings.download_url_ttl_seconds)
        return self.state.signer.url(self.base_url, _blob_kind(stored), stored.id, stored.name, self.now, ttl)

    # -- GPTs and projects ---------------------------------------------------------------------
    def assistant(self, obj: Assistant) -> dict[str, Any]:
        kind = obj.kind
        owner = self.state.workspace.user_by_id[obj.owner_id]
        latest = obj.configs[-1]
        body: dict[str, Any] = {
            "object": f"compliance.workspace.{kind}", "id": obj.id, "created_at": epoch(obj.created_at),
            "owner_id": owner.id, "owner_email": owner.email,
            "sharing": {
                "object": f"compliance.workspace.{kind}.sharing", "visibility": obj.visibility,
                "permissions": _permissions(kind, True, False, False),
                "recipients": [self._recipient(kind, uid) for uid in self.shared_users(obj)],
            },
            "latest_config": envelope([self.config(obj, latest)], latest.id, False),
        }
        if kind == "gpt":
            body["builder_name"] = owner.name
        return body

    def shared_users(self, obj: Assistant) -> tuple[str, ...]:
        return () if obj.id in self.state.deletions.isolated else obj.shared_user_ids

    def _recipient(self, kind: str, user_id: str) -> dict[str, Any]:
        shared = self.state.workspace.user_by_id[user_id]
        return {"object": f"compliance.workspace.{kind}.shared_user", "id": shared.id, "email": shared.email,
                "permissions": _permissions(kind, True, True, False)}

    def config(self, obj: Assistant, version: ConfigVersion) -> dict[str, Any]:
        kind = obj.kind
        author = self.state.workspace.user_by_id[version.author_id]
        files = [self.assistant_file(kind, self.state.workspace.files[f]) for f in obj.file_ids]
        tools = [{"type": t, "created_at": epoch(version.created_at)} for t in version.tools]
        if version.action is not None:
            action = {"type": "custom_action", "created_at": epoch(version.action.created_at),
                      "action_domain": version.action.domain, "action_openapi_raw": version.action.openapi_raw.text,
                      "action_privacy_policy_url": version.action.privacy_policy_url}
            if kind == "gpt":
                action["auth_type"] = version.action.auth_type
            tools.append(action)
        return {
            "object": f"compliance.workspace.{kind}.configuration", "id": version.id, "name": version.name,
            "description": version.description, "categories": list(version.categories),
            "conversation_starters": list(version.conversation_starters), "created_at": epoch(version.created_at),
            "instructions": version.instructions.text,
            "version_author": {"object": f"compliance.workspace.{kind}.version_author", "id": author.id,
                               "email": author.email},
            "files": envelope(files, files[-1]["id"] if files else None, False),
            "tools": envelope(tools, None, False),
        }

    def assistant_file(self, kind: str, stored: StoredFile) -> dict[str, Any]:
        removed = stored.id in self.state.deletions.assistant_files
        name = REMOVED_FILE_NAME if removed else stored.name
        if self.file_format == "id":
            return {"object": f"compliance.workspace.{kind}.file_info", "id": stored.id, "name": name}
        return {"object": f"compliance.workspace.{kind}.file", "id": stored.id, "name": name,
                "created_at": epoch(stored.created_at), "download_url": None if removed else self.download_url(stored)}

    # -- conversations -------------------------------------------------------------------------
    def conversation(self, obj: Conversation) -> dict[str, Any]:
        stub = obj.stub
        owner = self.state.workspace.user_by_id[stub.user_id]
        messages = [self.message(obj, m) for m in obj.messages]
        return {
            "object": "compliance.workspace.conversation", "id": stub.id,
            "workspace_id": self.state.settings.workspace_id, "user_id": owner.id, "user_email": owner.email,
            "created_at": epoch(stub.created_at), "last_active_at": epoch(self.state.last_active_at(stub)),
            "title": obj.title,
            "messages": envelope(messages, messages[-1]["id"] if messages else None, False),
        }

    def message(self, conversation: Conversation, obj: Message) -> dict[str, Any]:
        stub = conversation.stub
        files = [self.message_file(self.state.workspace.files[f], stub.user_id) for f in obj.file_ids]
        return {
            "object": "compliance.workspace.conversation.message", "id": obj.id, "parent_id": obj.parent_id,
            "created_at": epoch(obj.created_at), "gpt_id": stub.gpt_id, "project_id": stub.project_id,
            "author": {"object": "compliance.workspace.conversation.message.author", "role": obj.role,
                       "tool_name": obj.tool_name},
            "content": {"object": "compliance.workspace.conversation.message.content", "type": "text",
                        "value": obj.content.text},
            "files": envelope(files, None, False),
        }

    def message_file(self, stored: StoredFile, user_id: str) -> dict[str, Any]:
        if self.file_format == "id":
            return {"object": "compliance.workspace.conversation.message.file_info", "id": stored.id,
                    "name": stored.name, "user_id": user_id}
        gone = self.state.upload_expired(stored, self.now) or stored.id in self.state.deletions.user_files
        return {"object": "compliance.workspace.conversation.message.file", "id": stored.id, "name": stored.name,
                "created_at": None if gone else epoch(stored.created_at),
                "download_url": None if gone else self.download_url(stored)}


def _permissions(kind: str, read: bool, view_config: bool, write: bool) -> dict[str, Any]:
    return {"object": f"compliance.workspace.{kind}.permissions", "can_read": read, "can_view_config": view_config,
            "can_write": write}


def _blob_kind(stored: StoredFile) -> str:
    return {"user": "upload", "gpt": "gpt", "project": "project"}[stored.owner_kind]
