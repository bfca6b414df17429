"""The ground truth: every sensitive value the generator planted, and where.

A scanner's precision and recall are measured against this list. Values are
synthetic (fake data made by the generator), so they may be held in memory and
written out; `value_sha256` lets a scorer match findings by fingerprint
without comparing raw text.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable


@dataclass(frozen=True, slots=True)
class PlantedValue:
    entity: str  # Presidio entity names (CREDIT_CARD, US_SSN, ...); credentials are SECRET
    value: str  # the synthetic value exactly as it appears in the text
    valid: bool  # False for look-alikes (bad checksum, placeholder keys) that must NOT be reported
    kind: str  # ItemKind value: message | attachment | knowledge_file | project_file | gpt_config | ...
    subtype: str | None = None  # provider for SECRET ("openai", "aws_access_key"), country or brand
    user_id: str | None = None
    conversation_id: str | None = None
    message_id: str | None = None
    gpt_id: str | None = None
    project_id: str | None = None
    file_id: str | None = None
    file_name: str | None = None
    location: str = ""  # "" for message bodies, "page 2", "Sheet1!C4", "paragraph 3", "slide 2", "instructions"
    start: int | None = None  # character offsets in the message text / segment text, where known
    end: int | None = None
    role: str | None = None  # author role when the value sits in a message: user | assistant | tool
    event_id: str | None = None  # the log event carrying it (APP_LOG input/output)
    config_id: str | None = None  # the GPT / project configuration version carrying it

    @property
    def value_sha256(self) -> str:
        return hashlib.sha256(self.value.encode("utf-8")).hexdigest()

    def to_json(self) -> dict[str, object]:
        record = dataclasses.asdict(self)
        record["value_sha256"] = self.value_sha256
        return record


def write_ground_truth(values: Iterable[PlantedValue], path: str | Path) -> int:
    """Write one JSON object per planted value (JSONL); returns how many were written."""
    count = 0
    with Path(path).open("w", encoding="utf-8") as out:
        for planted in values:
            out.write(json.dumps(planted.to_json(), ensure_ascii=False, sort_keys=True))
            out.write("\n")
            count += 1
    return count


def read_ground_truth(path: str | Path) -> list[PlantedValue]:
    """Read a ground-truth JSONL file back into records."""
    names = {f.name for f in dataclasses.fields(PlantedValue)}
    values = []
    with Path(path).open(encoding="utf-8") as source:
        for line in source:
            if line.strip():
                record = json.loads(line)
                values.append(PlantedValue(**{k: v for k, v in record.items() if k in names}))
    return values
