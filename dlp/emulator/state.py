"""The emulator's mutable state: the workspace, deletions, new messages, the request log, and the clock."""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from dlp.emulator import events, randomness
from dlp.emulator.clock import Clock
from dlp.emulator.generator import build_workspace
from dlp.emulator.logstore import LogStore
from dlp.emulator.model import Conversation, ConversationStub, Message, StoredFile
from dlp.emulator.ratelimit import RateLimiter
from dlp.emulator.settings import EmulatorSettings
from dlp.emulator.signing import UrlSigner
from dlp.emulator.snippets import plain


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One request the emulator served. The Authorization header is never kept; `sig` is redacted."""

    method: str
    path: str
    query: str
    status: int
    time: datetime


@dataclass
class Deletions:
    conversations: set[str] = field(default_factory=set)
    user_files: set[str] = field(default_factory=set)
    assistants: set[str] = field(default_factory=set)
    assistant_files: set[str] = field(default_factory=set)  # removed from every GPT/project: a placeholder stays
    isolated: set[str] = field(default_factory=set)  # GPTs/projects whose share recipients were revoked


class EmulatorState:
    def __init__(self, settings: EmulatorSettings, clock: Clock) -> None:
        self.settings = settings
        self.clock = clock
        self.workspace = build_workspace(settings.seed, settings.scale, clock.now(), settings.workspace_id,
                                         settings.organization_id)
        self.logs = LogStore(self.workspace, settings)
        self.request_log: list[RequestRecord] = []
        self.deletions = Deletions()
        self.signer = UrlSigner(single_use=settings.signed_url_single_use)
        self.limiter = RateLimiter(settings.rate_limit_style)
        self._fault_rng = random.Random(f"{settings.seed}|faults")
        self._lock = threading.RLock()
        self._added: dict[str, list[Message]] = {}  # messages added after generation, per conversation
        self._updated_at: dict[str, datetime] = {}
        self._audit_counter = 0

    # -- randomness for faults (one stream, serialised) --------------------------------------
    def roll(self) -> float:
        with self._lock:
            return self._fault_rng.random()

    def randint(self, low: int, high: int) -> int:
        with self._lock:
            return self._fault_rng.randint(low, high)

    # -- conversations ------------------------------------------------------------------------
    def conversation(self, stub: ConversationStub) -> Conversation:
        generated = self.workspace.conversation_at(stub.index)
        added = self._added.get(stub.id)
        if not added:
            return generated
        return Conversation(stub, generated.title, generated.messages + tuple(added))

    def updated_at(self, stub: ConversationStub) -> datetime:
        """The hidden ordering field of the conversations list: the last change to the conversation."""
        if stub.id in self._updated_at:
            return self._updated_at[stub.id]
        return self.workspace.conversation_at(stub.index).messages[-1].created_at

    def last_active_at(self, stub: ConversationStub) -> datetime:
        return self.updated_at(stub)

    def live_conversations(self) -> list[ConversationStub]:
        return [c for c in self.workspace.conversations if c.id not in self.deletions.conversations]

    def add_message(self, conversation_id: str, text: str, role: str = "user") -> str:
        """Simulate new activity: append a message now; it is re-listed and logged as CONVERSATION_MESSAGE.

        Returns the new message id. The text is the caller's, so it is not part of the ground truth.
        """
        with self._lock:
            stub = self.workspace.conversation_by_id[conversation_id]
            current = self.conversation(stub)
            now = self.clock.now()
            number = len(current.messages)
            message_id = randomness.uuid4(randomness.stream(self.settings.seed, "added", conversation_id, number))
            message = Message(message_id, current.messages[-1].id, role, None, now, plain(text))
            self._added.setdefault(conversation_id, []).append(message)
            self._updated_at[conversation_id] = now
            updated = Conversation(stub, current.title, current.messages + (message,))
            event = events.conversation_message(self.workspace, updated, number, self.settings.message_files_in_logs)
            event["event_id"] = randomness.uuid4(randomness.stream(self.settings.seed, "added-event", message_id))
            self.logs.append_live("CONVERSATION_MESSAGE", event, now)
            return message_id

    # -- files ---------------------------------------------------------------------------------
    def upload_expired(self, stored: StoredFile, now: datetime | None = None) -> bool:
        if stored.owner_kind != "user":
            return False  # GPT and project files never expire
        now = now or self.clock.now()
        return now - stored.created_at > timedelta(hours=self.settings.upload_retention_hours)

    # -- request log and audit --------------------------------------------------------------
    def record_request(self, record: RequestRecord) -> None:
        with self._lock:
            self.request_log.append(record)

    def audit(self, key_hint: str, action: str, params: dict, result: str) -> None:
        if not self.settings.audit_compliance_calls:
            return
        with self._lock:
            self._audit_counter += 1
            now = self.clock.now()
            identifier = randomness.uuid4(randomness.stream(self.settings.seed, "audit", self._audit_counter))
            event = events.compliance_audit(self.settings.workspace_id, key_hint, action, params, now,
                                            identifier, result)
            self.logs.append_live("AUDIT_LOG", event, now)
