"""The labelled text corpus: every text of a generated workspace whose planted values have exact offsets.

The texts come from the emulator's generator (seeded, so two runs at the same
seed and scale see the same corpus); the labels come from its ground truth
(`Workspace.iter_ground_truth`), matched to the texts by the ids and locations
each planted value carries. What is in it:

- message bodies (every role), offsets into the message text;
- APP_LOG connector input queries and output texts;
- GPT and project configurations: instructions and custom-action OpenAPI text;
- file parts whose ground truth has offsets: DOCX paragraphs, XLSX cells, and
  whole TXT, CSV and JSON files.

PDF pages and PPTX slides are left out: the ground truth gives them a location
only (text extraction re-flows their lines), so a span cannot be scored.
Texts with no planted value stay in: they are where false positives come from.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone

from openpyxl.utils import get_column_letter

from dlp.emulator import events
from dlp.emulator.generator import build_workspace
from dlp.emulator.groundtruth import PlantedValue
from dlp.emulator.settings import DEFAULT_WORKSPACE_ID, GeneratorConfig
from dlp.emulator.workspace import Workspace
from dlp.records import ScanContext

# A fixed anchor: the corpus depends on seed and scale only, never on the day it is built.
CORPUS_ANCHOR = datetime(2026, 1, 15, 12, 0, tzinfo=timezone.utc)
SCALED_FIELDS = ("users", "gpts", "projects", "conversations", "attachments", "expired_uploads", "app_calls",
                 "library_uploads", "codex_turns", "agent_runs", "plugin_prompts")
# Surfaces the generator gained after the detection corpus was fixed (issue 12): left out of the corpus, so that
# its labelled texts, and the accuracy numbers measured on them, stay comparable across runs.
_NOT_IN_CORPUS = {"library_uploads": 0, "codex_turns": 0, "agent_runs": 0, "plugin_prompts": 0}
SCORED_FILE_FORMATS = ("docx", "xlsx", "txt", "csv", "json")
_FILE_KIND = {"user": "attachment", "gpt": "knowledge_file", "project": "project_file"}


class CorpusError(ValueError):
    """The generator's ground truth does not line up with its texts (a generator bug, not a bench one)."""


@dataclass(frozen=True, slots=True)
class GoldSpan:
    entity: str
    start: int
    end: int
    valid: bool  # False: a look-alike (bad checksum, placeholder) that must not be reported
    subtype: str | None = None


@dataclass(frozen=True, slots=True)
class LabelledText:
    source: str  # message | app_log | gpt_config | project_config | docx | xlsx | txt | csv | json
    key: str  # what the ground truth calls this text (ids and location)
    text: str
    context: ScanContext
    gold: tuple[GoldSpan, ...] = ()


@dataclass(frozen=True)
class Corpus:
    seed: int
    scale: str  # e.g. "demo x4"
    texts: tuple[LabelledText, ...]

    @property
    def chars(self) -> int:
        return sum(len(t.text) for t in self.texts)

    @property
    def utf8_bytes(self) -> int:
        return sum(len(t.text.encode("utf-8")) for t in self.texts)

    def strings(self) -> list[str]:
        return [t.text for t in self.texts]

    def contexts(self) -> list[ScanContext]:
        return [t.context for t in self.texts]

    def gold_counts(self) -> Counter[tuple[str, bool]]:
        return Counter((g.entity, g.valid) for t in self.texts for g in t.gold)

    def describe(self) -> dict[str, object]:
        by_source = Counter(t.source for t in self.texts)
        return {
            "seed": self.seed, "scale": self.scale, "texts": len(self.texts), "chars": self.chars,
            "mb": round(self.utf8_bytes / 1e6, 3), "texts_by_source": dict(sorted(by_source.items())),
            "labelled_values": sum(len(t.gold) for t in self.texts),
            "lookalikes": sum(1 for t in self.texts for g in t.gold if not g.valid),
        }  # fmt: skip


def scaled_config(preset: str, factor: float) -> GeneratorConfig:
    """The named generator preset with its counts (users, conversations, files, app calls...) times `factor`."""
    if factor <= 0:
        raise ValueError("the scale factor must be positive")
    base = GeneratorConfig.preset(preset)
    changes = {name: max(1, round(getattr(base, name) * factor)) for name in SCALED_FIELDS}
    return dataclasses.replace(base, **changes)


def scale_label(preset: str, factor: float) -> str:
    return f"{preset} x{factor:g}"


def generate_workspace(seed: int, config: GeneratorConfig) -> Workspace:
    return build_workspace(seed, dataclasses.replace(config, **_NOT_IN_CORPUS), CORPUS_ANCHOR, DEFAULT_WORKSPACE_ID)


def build_corpus(seed: int, preset: str = "demo", factor: float = 1.0) -> Corpus:
    """The labelled corpus of the workspace the generator builds from `seed` at `preset` x `factor`."""
    workspace = generate_workspace(seed, scaled_config(preset, factor))
    texts = list(_workspace_texts(workspace))
    labels: dict[str, list[GoldSpan]] = {}
    by_key = {t.key: t for t in texts}
    for planted in workspace.iter_ground_truth():
        key = _truth_key(planted)
        if key is None or planted.start is None or planted.end is None:
            continue  # a location-only value (PDF page, PPTX slide)
        target = by_key.get(key)
        if target is None:
            raise CorpusError(f"a planted {planted.entity} has no text in the corpus ({key})")
        if target.text[planted.start : planted.end] != planted.value:
            raise CorpusError(f"a planted {planted.entity} is not at its offsets in {key}")
        labels.setdefault(key, []).append(
            GoldSpan(planted.entity, planted.start, planted.end, planted.valid, planted.subtype)
        )
    labelled = tuple(
        dataclasses.replace(t, gold=tuple(sorted(labels.get(t.key, ()), key=lambda g: (g.start, g.end)))) for t in texts
    )
    return Corpus(seed=seed, scale=scale_label(preset, factor), texts=labelled)


def _truth_key(planted: PlantedValue) -> str | None:
    if planted.kind == "message":
        return f"message:{planted.message_id}"
    if planted.kind == "app_log":
        return f"app_log:{planted.event_id}:{planted.location}"
    if planted.kind in ("gpt_config", "project_config"):
        return f"config:{planted.config_id}:{planted.location}"
    if planted.file_id is not None:
        return f"file:{planted.file_id}:{planted.location}"
    return None


def _workspace_texts(workspace: Workspace) -> Iterator[LabelledText]:
    for stub in workspace.conversations:
        for message in workspace.conversation_at(stub.index).messages:
            if message.content.text:
                yield LabelledText(
                    "message",
                    f"message:{message.id}",
                    message.content.text,
                    ScanContext(kind="message", role=message.role),
                )
    for call in workspace.app_calls:
        built = events.app_call(workspace, call)
        request, response = built.request, built.response
        context = ScanContext(kind="app_log")
        yield LabelledText("app_log", f"app_log:{request['event_id']}:input", request["input"]["query"], context)
        for output in response["output"]:
            for content in output["response"]["result"]["content"]:
                yield LabelledText("app_log", f"app_log:{response['event_id']}:output", content["text"], context)
    for assistant in [*workspace.gpts, *workspace.projects]:
        kind = "gpt_config" if assistant.kind == "gpt" else "project_config"
        for config in assistant.configs:
            yield LabelledText(
                kind, f"config:{config.id}:instructions", config.instructions.text, ScanContext(kind=kind)
            )
            if config.action is not None:
                yield LabelledText(
                    kind,
                    f"config:{config.id}:action_openapi_raw",
                    config.action.openapi_raw.text,
                    ScanContext(kind=kind),
                )
    for stored in workspace.files.values():
        if stored.format in SCORED_FILE_FORMATS:
            yield from _file_texts(workspace, stored.id)


def _file_texts(workspace: Workspace, file_id: str) -> Iterator[LabelledText]:
    stored = workspace.files[file_id]
    content = workspace.file_content(file_id)
    context = ScanContext(kind=_FILE_KIND[stored.owner_kind], file_type=stored.format)
    prefix = f"file:{file_id}"
    if stored.format == "docx":
        for number, paragraph in enumerate(content.sections[0], 1):
            if paragraph.text:
                yield LabelledText("docx", f"{prefix}:paragraph {number}", paragraph.text, context)
    elif stored.format == "xlsx":
        for r, row in enumerate(content.rows, 1):
            for c, cell in enumerate(row, 1):
                if cell.text:
                    yield LabelledText(
                        "xlsx", f"{prefix}:{content.sheet}!{get_column_letter(c)}{r}", cell.text, context
                    )
    else:
        yield LabelledText(stored.format, f"{prefix}:", content.text_snippet().text, context)
