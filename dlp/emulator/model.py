"""The objects of a synthetic workspace: users, GPTs and projects, stored files, conversation stubs.

Everything here is small metadata. Message texts and file bytes are not held:
they are expanded on demand from per-object seeds (see `conversations.py`
and `documents/`), so a workspace of 100,000 messages fits in little memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dlp.emulator.documents.render import MIME_TYPES
from dlp.emulator.snippets import Snippet


@dataclass(frozen=True, slots=True)
class User:
    id: str
    email: str
    name: str
    role: str  # account-owner | account-admin | standard-user
    department: str
    status: str  # active | inactive
    created_at: datetime
    client_type: str  # desktop_web | macos_app | unknown


@dataclass(frozen=True, slots=True)
class StoredFile:
    id: str
    name: str
    format: str  # pdf docx xlsx pptx csv txt json png
    owner_kind: str  # "user" (chat upload), "gpt" or "project" (knowledge files)
    owner_id: str  # the uploading user, or the GPT / project id
    created_at: datetime
    content_seed: str
    topic: int
    plant: bool  # whether sensitive values were planted in it
    conversation_id: str | None = None
    message_id: str | None = None

    @property
    def mime_type(self) -> str:
        return MIME_TYPES[self.format]


@dataclass(frozen=True, slots=True)
class CustomAction:
    domain: str
    openapi_raw: Snippet
    privacy_policy_url: str
    auth_type: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ConfigVersion:
    id: str
    created_at: datetime
    name: str
    description: str
    instructions: Snippet
    conversation_starters: tuple[str, ...]
    categories: tuple[str, ...]
    tools: tuple[str, ...]  # code_interpreter, browser, dall-e, memory
    action: CustomAction | None
    author_id: str


@dataclass(frozen=True, slots=True)
class Assistant:
    """A custom GPT or a project: they share one shape in the API."""

    kind: str  # "gpt" | "project"
    id: str
    owner_id: str
    created_at: datetime
    visibility: str
    shared_user_ids: tuple[str, ...]
    configs: tuple[ConfigVersion, ...]  # oldest first
    file_ids: tuple[str, ...]
    topic: int

    @property
    def name(self) -> str:
        return self.configs[-1].name


@dataclass(frozen=True, slots=True)
class ConversationStub:
    """Enough about a conversation to place it in time and list it; messages are expanded lazily."""

    index: int
    id: str
    user_id: str
    created_at: datetime
    turns: int
    topic: int
    temporary: bool
    gpt_id: str | None
    project_id: str | None
    attachment_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Message:
    id: str
    parent_id: str | None
    role: str  # system | user | assistant | tool
    tool_name: str | None
    created_at: datetime
    content: Snippet
    file_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Conversation:
    stub: ConversationStub
    title: str
    messages: tuple[Message, ...]  # the system message first

    @property
    def id(self) -> str:
        return self.stub.id


@dataclass(frozen=True, slots=True)
class AppCallStub:
    index: int
    user_id: str
    conversation_id: str | None
    at: datetime
    app: int  # index into the app catalogue


@dataclass(frozen=True, slots=True)
class SimpleEventStub:
    """An AUTH_LOG, AUDIT_LOG or COSTS event placed in time; its body is built from its seed."""

    event_type: str
    index: int
    at: datetime
    user_id: str | None


@dataclass(frozen=True, slots=True)
class ActivityStub:
    """A CODEX_LOG turn, a CUSTOM_AGENTS_LOG run or a CHATGPT_PLUGIN_* prompt placed in time; its events
    (and any planted value) are built from its seed."""

    event_type: str
    index: int
    user_id: str
    at: datetime
