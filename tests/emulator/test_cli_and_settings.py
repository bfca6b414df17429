"""`dlp emulator generate` / `serve`, settings files, and the large scale (slow)."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from dlp.commands.emulator import app
from dlp.emulator.clock import FakeClock
from dlp.emulator.groundtruth import read_ground_truth
from dlp.emulator.settings import (DEFAULT_API_KEY, GeneratorConfig, SettingsError, load_settings,
                                   settings_from_mapping)
from dlp.emulator.state import EmulatorState

from .conftest import START

SMALL_YAML = """\
seed: 11
scale:
  users: 5
  gpts: 1
  projects: 1
  conversations: 8
  attachments: 3
  app_calls: 4
faults:
  short_page_rate: 0.5
rate_limits_enabled: true
"""


def test_settings_file_loads_nested_knobs(tmp_path: Path):
    path = tmp_path / "emulator.yaml"
    path.write_text(SMALL_YAML)
    settings = load_settings(path)
    assert settings.seed == 11 and settings.scale.users == 5 and settings.faults.short_page_rate == 0.5
    assert settings.rate_limits_enabled is True
    assert settings.api_keys == {DEFAULT_API_KEY: frozenset({"read", "delete"})}


def test_settings_errors_name_the_file_the_key_and_the_line(tmp_path: Path):
    path = tmp_path / "bad.yaml"
    path.write_text("seed: 3\nfaults:\n  short_page_rat: 0.2\n")
    with pytest.raises(SettingsError, match=r"bad\.yaml: faults: unknown key 'short_page_rat'"):
        load_settings(path)
    path.write_text("seed: 3\nscale: [unclosed\n")
    with pytest.raises(SettingsError, match=r"bad\.yaml: line \d+"):
        load_settings(path)
    with pytest.raises(SettingsError, match="must be between 0 and 1"):
        settings_from_mapping({"faults": {"server_error_rate": 2}}, "inline")
    with pytest.raises(SettingsError, match="must be a number"):
        settings_from_mapping({"scale": {"users": "many"}}, "inline")
    with pytest.raises(SettingsError, match="unknown scopes"):
        settings_from_mapping({"api_keys": {"sk-local-abcdefgh": ["read", "admin"]}}, "inline")


def test_scale_presets():
    assert settings_from_mapping({"scale": "large"}).scale == GeneratorConfig.preset("large")
    tuned = settings_from_mapping({"scale": {"preset": "medium", "users": 7}}).scale
    assert tuned.users == 7 and tuned.conversations == GeneratorConfig.preset("medium").conversations


def test_generate_writes_objects_files_logs_and_ground_truth(tmp_path: Path):
    config = tmp_path / "emulator.yaml"
    config.write_text(SMALL_YAML)
    out = tmp_path / "ws"
    result = CliRunner().invoke(app, ["generate", "--out", str(out), "--config", str(config),
                                      "--now", "2026-07-15T12:00:00Z"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["conversations"] == 8 and summary["planted_values"] > 0
    objects = json.loads((out / "workspace.json").read_text())
    assert len(objects["users"]) == 5
    assert len(list((out / "files").iterdir())) == summary["files"]
    assert (out / "logs" / "CONVERSATION_MESSAGE").is_dir()
    truth = read_ground_truth(out / "ground_truth.jsonl")
    assert len(truth) == summary["planted_values"]
    again = tmp_path / "again"
    CliRunner().invoke(app, ["generate", "--out", str(again), "--config", str(config), "--now", "2026-07-15T12:00:00Z"])
    assert (again / "ground_truth.jsonl").read_bytes() == (out / "ground_truth.jsonl").read_bytes()


def test_generate_rejects_a_bad_config_with_a_clear_error(tmp_path: Path):
    config = tmp_path / "emulator.yaml"
    config.write_text("colour: blue\n")
    result = CliRunner().invoke(app, ["generate", "--out", str(tmp_path / "x"), "--config", str(config)])
    assert result.exit_code == 2
    assert "unknown setting 'colour'" in result.output


def test_serve_prints_its_coordinates_and_answers(tmp_path: Path):
    process = subprocess.Popen(
        [sys.executable, "-m", "dlp.cli", "emulator", "serve", "--port", "0", "--seed", "3",
         "--conversations", "6", "--users", "4"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    try:
        lines = {}
        for _ in range(4):
            key, _, value = process.stdout.readline().partition(": ")
            lines[key] = value.strip()
        base, workspace, key = lines["base_url"], lines["workspace_id"], lines["api_key"].split()[0]
        response = httpx.get(f"{base}/compliance/workspaces/{workspace}/users",
                             headers={"Authorization": f"Bearer {key}"}, timeout=10)
        assert response.status_code == 200 and len(response.json()["data"]) == 4
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.slow
def test_large_scale_reaches_100k_messages_and_1000_files_in_bounded_memory():
    state = EmulatorState(settings_from_mapping({"scale": "large"}), FakeClock(START))
    messages = sum(len(f.refs) for f in state.logs.all_files("CONVERSATION_MESSAGE"))
    assert messages >= 100_000
    assert len(state.workspace.files) >= 1_000
    streamed = sum(1 for _ in state.workspace.iter_ground_truth())
    assert streamed > 10_000
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss < 1_500_000  # KiB: well under 1.5 GiB
