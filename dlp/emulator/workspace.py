"""A generated workspace: small metadata in memory, message texts and file bytes expanded on demand."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Iterator

from dlp.emulator import conversations, prose, randomness
from dlp.emulator.documents import FileContent, build_content, render
from dlp.emulator.groundtruth import PlantedValue
from dlp.emulator.model import (
    ActivityStub,
    AppCallStub,
    Assistant,
    Conversation,
    ConversationStub,
    SimpleEventStub,
    StoredFile,
    User,
)
from dlp.emulator.settings import DEFAULT_ORGANIZATION_ID, GeneratorConfig

_KIND_OF_OWNER = {"user": "attachment", "gpt": "knowledge_file", "project": "project_file"}


class Workspace:
    def __init__(self, *, seed: int, config: GeneratorConfig, anchor: datetime, workspace_id: str,
                 users: list[User], gpts: list[Assistant], projects: list[Assistant],
                 files: dict[str, StoredFile], conversations: list[ConversationStub],
                 app_calls: list[AppCallStub], simple_events: list[SimpleEventStub],
                 organization_id: str = DEFAULT_ORGANIZATION_ID, activities: list[ActivityStub] | None = None) -> None:
        self.seed = seed
        self.config = config
        self.anchor = anchor
        self.workspace_id = workspace_id
        self.organization_id = organization_id
        self.users = users
        self.gpts = gpts
        self.projects = projects
        self.files = files
        self.conversations = conversations
        self.app_calls = app_calls
        self.simple_events = simple_events
        self.activities = activities or []
        self.library: dict[str, list[StoredFile]] = {}  # user id -> their uploads, oldest first
        for stored in sorted(files.values(), key=lambda f: (f.created_at, f.id)):
            if stored.owner_kind == "user":
                self.library.setdefault(stored.owner_id, []).append(stored)
        self.user_by_id = {u.id: u for u in users}
        self.assistant_by_id = {a.id: a for a in [*gpts, *projects]}
        self.conversation_by_id = {c.id: c for c in conversations}
        # Bounded caches: a 100k-message workspace never holds all texts or bytes at once.
        self.conversation_at = lru_cache(maxsize=512)(self._expand)
        self.file_content = lru_cache(maxsize=256)(self._content)
        self.file_bytes = lru_cache(maxsize=32)(self._bytes)

    def conversation(self, conversation_id: str) -> Conversation:
        return self.conversation_at(self.conversation_by_id[conversation_id].index)

    def _expand(self, index: int) -> Conversation:
        return conversations.expand(self.seed, self.conversations[index], self.config.plant_rate,
                                    self.config.lookalike_rate, self.files, self.file_content)

    def _content(self, file_id: str) -> FileContent:
        stored = self.files[file_id]
        rng = randomness.stream(stored.content_seed)
        return build_content(rng, stored.format, prose.TOPICS[stored.topic], stored.plant, self.config.lookalike_rate)

    def _bytes(self, file_id: str) -> bytes:
        return render(self.file_content(file_id), self.files[file_id].content_seed)

    def first_user_message_id(self, stub: ConversationStub) -> str:
        # Message 0 is the system message; the first user message (which carries uploads) is number 1.
        return randomness.uuid4(randomness.stream(self.seed, "message", stub.index, 1))

    def iter_ground_truth(self) -> Iterator[PlantedValue]:
        """Every planted value, generated lazily (a large workspace streams it to disk)."""
        from dlp.emulator import events

        for assistant in [*self.gpts, *self.projects]:
            yield from _config_truth(assistant)
        for stored in self.files.values():
            if stored.plant:
                yield from self._file_truth(stored)
        for stub in self.conversations:
            yield from conversations.ground_truth(self.conversation_at(stub.index), stub.user_id)
        for call in self.app_calls:
            yield from events.app_call(self, call).planted
        for activity in self.activities:
            yield from events.activity(self, activity).planted

    def ground_truth(self) -> list[PlantedValue]:
        return list(self.iter_ground_truth())

    def _file_truth(self, stored: StoredFile) -> Iterator[PlantedValue]:
        kind = _KIND_OF_OWNER[stored.owner_kind]
        stub = self.conversation_by_id.get(stored.conversation_id) if stored.conversation_id else None
        for plant in self.file_content(stored.id).plants():
            yield PlantedValue(
                entity=plant.value.entity, value=plant.value.text, valid=plant.value.valid, kind=kind,
                subtype=plant.value.subtype,
                user_id=stored.owner_id if stored.owner_kind == "user" else None,
                conversation_id=stored.conversation_id,
                message_id=self.first_user_message_id(stub) if stub else None,
                gpt_id=stored.owner_id if stored.owner_kind == "gpt" else (stub.gpt_id if stub else None),
                project_id=stored.owner_id if stored.owner_kind == "project" else (stub.project_id if stub else None),
                file_id=stored.id, file_name=stored.name, location=plant.location, start=plant.start, end=plant.end,
            )


def _config_truth(assistant: Assistant) -> Iterator[PlantedValue]:
    kind = "gpt_config" if assistant.kind == "gpt" else "project_config"
    ids = {"gpt_id": assistant.id} if assistant.kind == "gpt" else {"project_id": assistant.id}
    for config in assistant.configs:
        parts = [("instructions", config.instructions)]
        if config.action is not None:
            parts.append(("action_openapi_raw", config.action.openapi_raw))
        for location, snippet in parts:
            for span in snippet.spans:
                yield PlantedValue(
                    entity=span.value.entity, value=span.value.text, valid=span.value.valid, kind=kind,
                    subtype=span.value.subtype, location=location, start=span.start, end=span.end,
                    config_id=config.id, **ids,
                )
