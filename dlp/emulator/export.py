"""Write a generated workspace to a directory: objects, file bytes, log files and the ground truth.

Everything is streamed: a 100,000-message workspace is written one log file
and one document at a time.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from dlp.emulator import serializers
from dlp.emulator.clock import Clock
from dlp.emulator.groundtruth import write_ground_truth
from dlp.emulator.settings import EmulatorSettings
from dlp.emulator.state import EmulatorState

GROUND_TRUTH_FILE = "ground_truth.jsonl"


def export_workspace(settings: EmulatorSettings, clock: Clock, out: str | Path) -> dict[str, Any]:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    state = EmulatorState(settings, clock)
    workspace = state.workspace
    serializer = serializers.Serializer(state, "http://127.0.0.1:0", "id")
    objects = {
        "workspace_id": settings.workspace_id,
        "seed": settings.seed,
        "now": clock.now().isoformat(),
        "users": [serializers.user(u) for u in workspace.users],
        "gpts": [serializer.assistant(a) for a in workspace.gpts],
        "projects": [serializer.assistant(a) for a in workspace.projects],
        "files": [{"id": f.id, "name": f.name, "owner_kind": f.owner_kind, "owner_id": f.owner_id,
                   "conversation_id": f.conversation_id, "created_at": f.created_at.isoformat(),
                   "expired": state.upload_expired(f)} for f in workspace.files.values()],
    }
    (out / "workspace.json").write_text(json.dumps(objects, indent=2, ensure_ascii=False), encoding="utf-8")
    files_dir = out / "files"
    files_dir.mkdir(exist_ok=True)
    for stored in workspace.files.values():
        (files_dir / f"{stored.id}__{stored.name}").write_bytes(workspace.file_bytes(stored.id))
    log_count = 0
    now = clock.now()
    for event_type in state.logs.event_types():
        type_dir = out / "logs" / event_type
        type_dir.mkdir(parents=True, exist_ok=True)
        for log_file in state.logs.all_files(event_type):
            if log_file.end_time > now:
                continue  # not delivered yet (late delivery)
            (type_dir / log_file.file_name.replace(":", "-")).write_bytes(state.logs.file_bytes(log_file))
            log_count += 1
    planted = write_ground_truth(workspace.iter_ground_truth(), out / GROUND_TRUTH_FILE)
    return {"out": str(out), "users": len(workspace.users), "gpts": len(workspace.gpts),
            "projects": len(workspace.projects), "conversations": len(workspace.conversations),
            "files": len(workspace.files), "log_files": log_count, "planted_values": planted}
