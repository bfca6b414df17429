"""Expand a conversation stub into its messages, deterministically from the workspace seed.

Timing and text come from separate streams: the log index needs every
message's time for 100,000 messages, and gets it without generating text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Callable, Iterator

from dlp.emulator import prose, randomness
from dlp.emulator.documents import FileContent
from dlp.emulator.groundtruth import PlantedValue
from dlp.emulator.model import Conversation, ConversationStub, Message, StoredFile
from dlp.emulator.snippets import Snippet, join, plain

TOOLS = ("browser", "python", "deep_research")


@dataclass(frozen=True, slots=True)
class Slot:
    """One message's place in the timeline: its role, tool and seconds after the conversation starts."""

    role: str
    tool_name: str | None
    offset: float


def timeline(seed: int, index: int, turns: int, has_attachments: bool) -> list[Slot]:
    rng = randomness.stream(seed, "timeline", index)
    slots = [Slot("system", None, 0.0)]
    clock = rng.uniform(0.5, 3.0)
    for turn in range(turns):
        slots.append(Slot("user", None, clock))
        reply_at = clock + rng.uniform(6, 40)
        if turn == 0 and has_attachments:
            slots.append(Slot("tool", "myfiles_browser", clock + rng.uniform(1.5, 5)))
        elif rng.random() < 0.2:
            slots.append(Slot("tool", rng.choice(TOOLS), clock + rng.uniform(1.5, 5)))
        slots.append(Slot("assistant", None, reply_at))
        clock = reply_at + rng.uniform(60, 900)
    return slots


def duration(seed: int, index: int, turns: int, has_attachments: bool) -> float:
    return timeline(seed, index, turns, has_attachments)[-1].offset


def expand(seed: int, stub: ConversationStub, plant_rate: float, lookalike_rate: float,
           files: dict[str, StoredFile], content_of: Callable[[str], FileContent]) -> Conversation:
    rng = randomness.stream(seed, "text", stub.index)
    topic = prose.TOPICS[stub.topic]
    title = rng.choice(topic.titles)
    messages: list[Message] = []
    parent: str | None = None
    turn = -1
    for number, slot in enumerate(timeline(seed, stub.index, stub.turns, bool(stub.attachment_ids))):
        message_id = randomness.uuid4(randomness.stream(seed, "message", stub.index, number))
        at = stub.created_at + timedelta(seconds=slot.offset)
        file_ids: tuple[str, ...] = ()
        if slot.role == "system":
            content = plain("")
        elif slot.role == "user":
            turn += 1
            plant = prose.plant_sentence(rng, lookalike_rate) if rng.random() < plant_rate else None
            content = prose.user_message(rng, topic, turn == 0, plant)
            if turn == 0 and stub.attachment_ids:
                file_ids = stub.attachment_ids
                names = ", ".join(files[f].name for f in file_ids)
                content = join([content, plain(rng.choice((f"I've attached {names}.", f"See the file: {names}.",
                                                           f"Attached: {names}")))])
        elif slot.role == "tool":
            content = _tool_output(rng, slot.tool_name, stub, files, content_of)
        else:
            content = prose.assistant_message(rng, topic)
        messages.append(Message(message_id, parent, slot.role, slot.tool_name, at, content, file_ids))
        parent = message_id
    return Conversation(stub, title, tuple(messages))


def _tool_output(rng, tool_name: str | None, stub: ConversationStub, files: dict[str, StoredFile],
                 content_of: Callable[[str], FileContent]) -> Snippet:
    if tool_name == "myfiles_browser":
        # File contents pulled into the chat: the snippet outlives the upload's 48 h retention.
        stored = files[stub.attachment_ids[0]]
        return join([plain(f"[{stored.name}]"), file_excerpt(content_of(stored.id))], sep="\n")
    if tool_name == "python":
        return plain(rng.choice(prose.PYTHON_RESULTS))
    return plain(rng.choice(prose.BROWSER_RESULTS))


def file_excerpt(content: FileContent, limit: int = 500) -> Snippet:
    """The first few paragraphs or rows of a file, as a retrieval tool would quote them."""
    pieces: list[Snippet] = []
    size = 0
    if content.format in ("xlsx", "csv", "json"):
        units = [join(list(row), sep=" | ") for row in content.rows]
    elif content.format == "png":
        units = [plain("(image, no text)")]
    else:
        units = [p for section in content.sections for p in section]
    for unit in units:
        if size >= limit:
            break
        pieces.append(unit)
        size += len(unit.text)
    return join(pieces, sep="\n")


def ground_truth(conversation: Conversation, user_id: str) -> Iterator[PlantedValue]:
    stub = conversation.stub
    for message in conversation.messages:
        for span in message.content.spans:
            yield PlantedValue(
                entity=span.value.entity, value=span.value.text, valid=span.value.valid, kind="message",
                subtype=span.value.subtype, user_id=user_id, conversation_id=stub.id, message_id=message.id,
                gpt_id=stub.gpt_id, project_id=stub.project_id, location="", start=span.start, end=span.end,
                role=message.role,
            )
