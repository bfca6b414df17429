"""A resident `dlp inspect`: one process keeps loaded engines (rules, patterns, the NER model) and answers
`dlp inspect` over a Unix socket, so a one-line check does not pay for importing spaCy and loading a model
(about 0.7 s of CPU) each time. It is started by hand (`dlp daemon start`); `dlp inspect` uses it when it
answers and works alone when it does not.

Trust: the socket lives in a folder that belongs to this user and that nobody else can write (the cache
folder's rules); the server answers only processes of its own user (SO_PEERCRED), and the client only talks
to a socket owned by its user. Scanned text is never written anywhere.

Staleness: before each answer the server compares the files it was built from (rule files and folders, the
policy, word lists under them, and its own code) with what it loaded, by modification time and size. Changed
rules are loaded again; changed code means this process is out of date, so it declines (the client then works
alone) and exits.

Wire format: one request per connection, a 4-byte big-endian length and a JSON object each way.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import socket
import stat
import struct
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

PROTOCOL = 1
SOCKET_NAME = "inspect.sock"
MAX_MESSAGE_BYTES = 256 << 20  # a request is at most this large (the client sends small inputs only)
CLIENT_TIMEOUT_SECONDS = 60.0
DEFAULT_IDLE_SECONDS = 3600.0  # a server nobody asked for this long exits
_CODE_PACKAGES = ("dlp", "detectors", "rules")


class DaemonError(RuntimeError):
    """The server cannot start (its folder is not private, another server runs) or cannot be reached."""


def socket_path(folder: Path | None = None) -> Path | None:
    """Where the server listens: the cache folder's `inspectd/inspect.sock`; None when caching is off."""
    if folder is None:
        from detectors.cachedir import cache_dir

        base = cache_dir()
        if base is None:
            return None
        folder = base / "inspectd"
    return folder / SOCKET_NAME


def _private(path: Path) -> bool:
    """This user's, nobody else may write it or its folder, and it is not a link (a planted socket would
    receive the text a user inspects)."""
    from detectors.cachedir import owned_and_private

    return owned_and_private(path)


# -- messages ---------------------------------------------------------------------------------------

def _send(sock: socket.socket, message: dict[str, Any]) -> None:
    data = json.dumps(message, ensure_ascii=False).encode("utf-8")
    sock.sendall(struct.pack(">I", len(data)) + data)


def _receive(sock: socket.socket) -> dict[str, Any]:
    head = _read_exactly(sock, 4)
    (size,) = struct.unpack(">I", head)
    if size > MAX_MESSAGE_BYTES:
        raise DaemonError(f"message of {size} bytes is larger than {MAX_MESSAGE_BYTES}")
    message = json.loads(_read_exactly(sock, size).decode("utf-8"))
    if not isinstance(message, dict):
        raise DaemonError("a message must be a JSON object")
    return message


def _read_exactly(sock: socket.socket, size: int) -> bytes:
    chunks = []
    while size:
        chunk = sock.recv(min(size, 1 << 20))
        if not chunk:
            raise DaemonError("the connection closed mid-message")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


# -- client -----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class InspectRequest:
    """What `dlp inspect` would build its engine from, and the texts to inspect (paths made absolute)."""

    texts: list[str]
    rule_paths: tuple[str, ...] = ()
    policy: str | None = None
    min_likelihood: str | None = None
    headers: list[str] | None = None  # a column header per text (a table cell is read under it), or None

    def message(self) -> dict[str, Any]:
        return {"op": "inspect", "protocol": PROTOCOL, "texts": self.texts, "headers": self.headers,
                "rule_paths": list(self.rule_paths), "policy": self.policy,
                "min_likelihood": self.min_likelihood}  # fmt: skip


def absolute_paths(rule_paths: tuple[str, ...], policy: str | None) -> tuple[tuple[str, ...], str | None]:
    """Rule paths and a policy file as absolute paths (the server's working folder is not the client's);
    a policy name (`default`, `full`) stays a name."""
    rules = tuple(str(Path(p).resolve()) for p in rule_paths)
    if policy is not None and (os.sep in policy or Path(policy).exists()):
        policy = str(Path(policy).resolve())
    return rules, policy


def ask(message: dict[str, Any], path: Path | None = None, timeout: float = CLIENT_TIMEOUT_SECONDS) -> dict[str, Any] | None:
    """The server's answer, or None when no trusted server answers (the caller then works alone)."""
    path = path if path is not None else socket_path()
    if path is None or not path.exists() or not stat.S_ISSOCK(path.lstat().st_mode) or not _private(path):
        return None
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(timeout)
            sock.connect(str(path))
            _send(sock, message)
            answer = _receive(sock)
    except (OSError, DaemonError, ValueError):
        return None
    return answer if answer.get("ok") else None


def inspect_remote(request: InspectRequest, path: Path | None = None) -> list[list[dict[str, Any]]] | None:
    """Findings per text from a running server, or None (no server, a stale one, or any failure)."""
    answer = ask(request.message(), path)
    if answer is None:
        return None
    results = answer.get("results")
    if not isinstance(results, list) or len(results) != len(request.texts):
        return None
    return results


# -- server -----------------------------------------------------------------------------------------

def _files_under(paths: list[Path], suffixes: tuple[str, ...] | None = None) -> dict[str, tuple[int, int]]:
    """(modification time, size) of every file at or under `paths`."""
    seen: dict[str, tuple[int, int]] = {}
    for root in paths:
        candidates = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else []
        for file in candidates:
            if suffixes is not None and file.suffix not in suffixes:
                continue
            try:
                info = file.stat()
            except OSError:
                continue
            seen[str(file)] = (info.st_mtime_ns, info.st_size)
    return seen


def code_fingerprint() -> dict[str, tuple[int, int]]:
    """The running code and built-in rules, as files on disk: a server whose files changed is out of date."""
    roots = []
    for name in _CODE_PACKAGES:
        spec = importlib.util.find_spec(name)
        roots += [Path(folder) for folder in (spec.submodule_search_locations or [])] if spec is not None else []
    return _files_under(roots, (".py", ".yaml", ".yml", ".txt", ".json"))


@dataclass
class _LoadedEngine:
    engine: Any
    watched: list[Path]  # the rule paths and policy file it was built from
    files: dict[str, tuple[int, int]]  # and what was in them then


@dataclass
class InspectServer:
    """Answers inspect requests with engines built once per (rules, policy, floor) and kept while their files
    stay the same. `clock` is injectable so idle exit is tested without waiting."""

    path: Path
    idle_seconds: float = DEFAULT_IDLE_SECONDS
    clock: Callable[[], float] = time.monotonic
    engines: dict[tuple[Any, ...], _LoadedEngine] = field(default_factory=dict)
    served: int = 0
    started: float = field(default_factory=time.time)

    def __post_init__(self) -> None:
        self._code = code_fingerprint()
        self._last_request = self.clock()
        self._stop = False

    # the request handlers answer with a JSON object; a problem is {"ok": false, "error": ...}
    def handle(self, message: dict[str, Any]) -> dict[str, Any]:
        op = message.get("op")
        if op == "ping":
            return {"ok": True, "pid": os.getpid(), "served": self.served, "engines": len(self.engines),
                    "since": self.started, "protocol": PROTOCOL}  # fmt: skip
        if op == "stop":
            self._stop = True
            return {"ok": True, "pid": os.getpid()}
        if op != "inspect" or message.get("protocol") != PROTOCOL:
            return {"ok": False, "error": f"unknown request {op!r} (protocol {message.get('protocol')!r})"}
        if code_fingerprint() != self._code:
            self._stop = True  # this process runs code that is no longer on disk
            return {"ok": False, "error": "the server's code changed on disk; it stops"}
        return self._inspect(message)

    def _inspect(self, message: dict[str, Any]) -> dict[str, Any]:
        from detectors.errors import RuleError

        texts, headers = message.get("texts"), message.get("headers")
        if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
            return {"ok": False, "error": "texts must be a list of strings"}
        if headers is not None and (not isinstance(headers, list) or len(headers) != len(texts)
                                    or not all(isinstance(h, str) for h in headers)):  # fmt: skip
            return {"ok": False, "error": "headers must be a list of strings, one per text"}
        try:
            engine = self._engine(tuple(message.get("rule_paths") or ()), message.get("policy"),
                                  message.get("min_likelihood"))  # fmt: skip
        except RuleError as exc:  # the client loads the rules itself and reports the problem its own way
            return {"ok": False, "error": str(exc)}
        if headers is None:
            batches = engine.analyze_batch(texts)
        else:
            from dlp.cells import analyze_cell

            batches = [analyze_cell(engine.analyze, text, header) for text, header in zip(texts, headers)]
        results = [[_finding(m) for m in found] for found in batches]
        self.served += 1
        return {"ok": True, "results": results}

    def warm(self) -> None:
        """Build the default engine and load its NER model now, so the first `dlp inspect` is quick too."""
        engine = self._engine((), None, None)
        engine.load_models()

    def _engine(self, rule_paths: tuple[str, ...], policy: str | None, floor: str | None) -> Any:
        from detectors.engine import Engine, EngineSpec
        from detectors.loader import resolve_policy

        key = (rule_paths, policy, floor)
        loaded = self.engines.get(key)
        if loaded is not None and _files_under(loaded.watched) == loaded.files:
            return loaded.engine  # nothing it was built from changed: no policy or rule file is read again
        paths, chosen = resolve_policy(rule_paths, policy)
        watched = [Path(p) for p in paths] + ([Path(chosen.file)] if getattr(chosen, "file", None) else [])
        files = _files_under(watched)  # before loading: a file changed meanwhile is seen at the next request
        engine = Engine.from_spec(EngineSpec(rule_paths=rule_paths, policy_path=policy, min_likelihood=floor))
        self.engines[key] = _LoadedEngine(engine, watched, files)
        return engine

    # -- the socket -------------------------------------------------------------------------------
    def serve(self, on_ready: Callable[[], None] | None = None) -> None:
        """Listen until stopped, idle for `idle_seconds`, or out of date."""
        folder = self.path.parent
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not _private(folder / ".") or folder.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise DaemonError(f"{folder} must belong to this user and be closed to others (chmod 700)")
        if self.path.exists():
            if ask({"op": "ping"}, self.path, timeout=2.0) is not None:
                raise DaemonError(f"a server already answers at {self.path}")
            self.path.unlink()  # left by a server that died
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
            old_mask = os.umask(0o177)
            try:
                listener.bind(str(self.path))
            finally:
                os.umask(old_mask)
            listener.listen(16)
            listener.settimeout(1.0)
            if on_ready is not None:
                on_ready()
            try:
                while not self._stop and self.clock() - self._last_request < self.idle_seconds:
                    try:
                        connection, _ = listener.accept()
                    except socket.timeout:
                        continue
                    with connection:
                        self._answer(connection)
            finally:
                with contextlib.suppress(OSError):  # already gone: nothing to clean up
                    if self.path.exists() and stat.S_ISSOCK(self.path.lstat().st_mode):
                        self.path.unlink()

    def _answer(self, connection: socket.socket) -> None:
        connection.settimeout(CLIENT_TIMEOUT_SECONDS)
        if not _same_user(connection):
            return
        self._last_request = self.clock()
        try:
            message = _receive(connection)
            answer = self.handle(message)
        except (DaemonError, ValueError) as exc:
            answer = {"ok": False, "error": str(exc)}
        except Exception as exc:  # one bad request never ends the server
            answer = {"ok": False, "error": f"{exc.__class__.__name__}: {exc}"}
        with contextlib.suppress(OSError):  # the client gave up waiting: it works alone
            _send(connection, answer)


def _same_user(connection: socket.socket) -> bool:
    """Whether the peer runs as this user (Linux: SO_PEERCRED; elsewhere the private folder is the guard)."""
    option = getattr(socket, "SO_PEERCRED", None)
    if option is None or not hasattr(os, "geteuid"):
        return True
    try:
        _, uid, _ = struct.unpack("3i", connection.getsockopt(socket.SOL_SOCKET, option, struct.calcsize("3i")))
    except OSError:
        return False
    return uid == os.geteuid()


def _finding(match: Any) -> dict[str, Any]:
    return {**match.inspect_json(), "severity": match.severity}  # the client needs it for --fail-on


def main(argv: list[str] | None = None) -> int:
    """`python -m dlp.inspectd [IDLE_SECONDS]`: what `dlp daemon start` runs in the background."""
    args = argv if argv is not None else sys.argv[1:]
    path = socket_path()
    if path is None:
        print("dlp daemon: caching is off (DLP_NO_CACHE), so there is no private folder for the socket; unset "
              "DLP_NO_CACHE to run it", file=sys.stderr)
        return 2
    idle = float(args[0]) if args else DEFAULT_IDLE_SECONDS
    try:
        server = InspectServer(path, idle_seconds=idle)
        server.warm()
        server.serve(on_ready=lambda: print(f"ready {path}", flush=True))
    except DaemonError as exc:
        print(f"dlp daemon: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
