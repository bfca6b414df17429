"""The resident `dlp inspect` (dlp/inspectd.py, `dlp daemon`): the same findings as the command alone, rules
reloaded when their files change, a server out of date or not trusted is never used, and idle exit."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path
from typing import Iterator

import pytest

from detectors.engine import Engine, EngineSpec
from dlp.inspectd import DaemonError, InspectRequest, InspectServer, ask, inspect_remote

TEXTS = [
    "card 4111 1111 1111 1111, call me on +44 20 7946 0958",
    "I talked to Quorinth Vaxley about the invoice.",  # needs the NER model
    "nothing to see here",
]
RULE = """pack: {id: house, name: House rules}
rules:
  - id: HOUSE_TICKET
    name: House ticket
    entity: HOUSE_TICKET
    severity: low
    patterns:
      - {name: ticket, regex: '%s', score: 0.9}
"""


def running(server: InspectServer) -> Iterator[InspectServer]:
    ready = threading.Event()
    thread = threading.Thread(target=server.serve, kwargs={"on_ready": ready.set}, daemon=True)
    thread.start()
    assert ready.wait(30)
    yield server
    ask({"op": "stop"}, server.path)
    thread.join(30)
    assert not thread.is_alive()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[InspectServer]:
    folder = tmp_path / "inspectd"
    yield from running(InspectServer(folder / "inspect.sock"))


def local_findings(texts: list[str], **spec: object) -> list[list[dict[str, object]]]:
    engine = Engine.from_spec(EngineSpec(**spec))  # type: ignore[arg-type]
    return [[{"start": m.start, "end": m.end, "entity": m.entity, "rule_id": m.rule_id, "score": round(m.score, 4),
              "severity": m.severity} for m in found] for found in engine.analyze_batch(texts)]


def test_the_server_gives_the_findings_the_engine_gives(server: InspectServer) -> None:
    remote = inspect_remote(InspectRequest(TEXTS), server.path)
    assert remote == local_findings(TEXTS)
    assert {f["entity"] for found in remote for f in found} >= {"CREDIT_CARD", "PERSON"}
    floor = inspect_remote(InspectRequest(TEXTS, min_likelihood="POSSIBLE"), server.path)
    assert floor == local_findings(TEXTS, min_likelihood="POSSIBLE")
    assert ask({"op": "ping"}, server.path)["engines"] == 2  # type: ignore[index]


def test_a_cell_is_read_under_its_header(server: InspectServer) -> None:
    remote = inspect_remote(InspectRequest(["130 692 544"], headers=["SIN"]), server.path)
    alone = inspect_remote(InspectRequest(["130 692 544"]), server.path)
    assert remote is not None and [f["entity"] for f in remote[0]] == ["CA_SIN"]
    assert alone is not None and all(f["entity"] != "CA_SIN" for f in alone[0])


def test_a_changed_rule_file_is_loaded_again(server: InspectServer, tmp_path: Path) -> None:
    rules = tmp_path / "house.yaml"
    rules.write_text(RULE % r"TCK-\d{4}")
    request = InspectRequest(["see TCK-1234 and REQ-9876"], rule_paths=(str(rules),))
    first = inspect_remote(request, server.path)
    assert first is not None and [f["start"] for f in first[0]] == [4]
    rules.write_text(RULE % r"REQ-\d{4}")
    os.utime(rules, ns=(rules.stat().st_atime_ns, rules.stat().st_mtime_ns + 10**9))
    second = inspect_remote(request, server.path)
    assert second is not None and [f["start"] for f in second[0]] == [17]


def test_a_rule_error_is_left_to_the_client(server: InspectServer, tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(RULE % "TCK-(")
    assert inspect_remote(InspectRequest(["x"], rule_paths=(str(broken),)), server.path) is None
    assert ask({"op": "ping"}, server.path) is not None  # and it goes on serving


def test_a_server_whose_code_changed_declines_and_stops(tmp_path: Path) -> None:
    server = InspectServer(tmp_path / "inspectd" / "inspect.sock")
    server._code = {"/gone.py": (0, 0)}  # what it loaded differs from the files on disk now
    answer = server.handle(InspectRequest(["card 4111 1111 1111 1111"]).message())
    assert answer["ok"] is False and "code changed" in answer["error"]
    assert server._stop


def test_no_server_means_no_answer(tmp_path: Path) -> None:
    assert inspect_remote(InspectRequest(["text"]), tmp_path / "inspect.sock") is None


def test_a_socket_in_a_folder_others_can_write_is_never_used(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)
    path = shared / "inspect.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as planted:
        planted.bind(str(path))
        planted.listen(1)
        planted.settimeout(0.5)
        assert inspect_remote(InspectRequest(["card 4111 1111 1111 1111"]), path) is None
        with pytest.raises(socket.timeout):
            planted.accept()  # the client never connected: the text never left
    with pytest.raises(DaemonError, match="closed to others"):
        InspectServer(path).serve()


def test_an_idle_server_exits(tmp_path: Path) -> None:
    ticks = iter([0.0, 10_000.0])
    server = InspectServer(tmp_path / "inspectd" / "inspect.sock", idle_seconds=60, clock=lambda: next(ticks, 10_000.0))
    server.serve()  # returns at once: the fake clock is past the idle limit
    assert not server.path.exists()


def test_dlp_inspect_uses_a_started_daemon(tmp_path: Path) -> None:
    env = {**os.environ, "DLP_CACHE_DIR": str(tmp_path / "cache")}
    dlp = [sys.executable, "-m", "dlp.cli"]

    def run(*args: str, stdin: str = "", **extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*dlp, *args], input=stdin, capture_output=True, text=True, timeout=300,
                              env={**env, **extra})  # fmt: skip

    started = run("daemon", "start", "--idle-minutes", "5")
    assert started.returncode == 0 and "started" in started.stdout, started.stderr
    try:
        line = "I talked to Quorinth Vaxley about card 4111 1111 1111 1111.\n"
        via_daemon = run("inspect", "-", stdin=line)
        alone = run("inspect", "-", stdin=line, DLP_NO_DAEMON="1")
        assert via_daemon.returncode == alone.returncode == 0
        assert via_daemon.stdout == alone.stdout and "PERSON" in alone.stdout
        assert run("inspect", "-", "--fail-on", "high", stdin=line).returncode == 1
        records = json.dumps({"id": "r1", "text": line}) + "\n"
        assert run("inspect", "--jsonl", "-", stdin=records).stdout == run(
            "inspect", "--jsonl", "-", stdin=records, DLP_NO_DAEMON="1").stdout
        status = json.loads(run("daemon", "status").stdout)
        assert status["running"] and status["served"] == 3  # the DLP_NO_DAEMON runs did not ask it
    finally:
        assert "stopped" in run("daemon", "stop").stdout
    assert run("daemon", "status").returncode == 1
