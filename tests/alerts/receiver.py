"""A real webhook receiver on loopback that answers from a script: ok, fail, hang, and goes down and back.

Each request pops the next behaviour from `script` (then `default`):
    "ok"        200, and the findings count as accepted
    "500"/"503"/"429"/"400"  that status (findings not accepted)
    "hang"      no answer until released (the client times out: in doubt)
    "hold"      like hang, but signals `in_flight` first (for kill tests), then answers 200 once released
`stop()` closes the listening socket (connection refused: down); `start()` opens it again on the same port.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver:
    def __init__(self, script: list[str] | None = None, default: str = "ok", port: int = 0) -> None:
        self.script = deque(script or [])
        self.default = default
        self.requests: list[dict] = []  # every request: headers, body, behaviour
        self.accepted: list[str] = []  # finding ids answered 200
        self.release = threading.Event()
        self.in_flight = threading.Event()
        self._lock = threading.Lock()
        self._port = port
        self._server: ThreadingHTTPServer | None = None
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}/hooks/T0SECRET/B1SECRET"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver._lock:
                    behaviour = receiver.script.popleft() if receiver.script else receiver.default
                    receiver.requests.append({"headers": dict(self.headers), "body": body, "behaviour": behaviour})
                if behaviour in ("hang", "hold"):
                    receiver.in_flight.set()
                    receiver.release.wait(30)
                    if behaviour == "hang":
                        return  # the client gave up long ago
                    behaviour = "ok"
                status = 200 if behaviour == "ok" else int(behaviour)
                if status == 200:
                    with receiver._lock:
                        receiver.accepted += finding_ids(body)
                try:
                    self.send_response(status)
                    if status == 429:
                        self.send_header("Retry-After", "120")
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:
                    pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self._port), Handler)
        self._server.daemon_threads = True
        self._port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def close(self) -> None:
        self.release.set()
        self.stop()

    def bodies(self) -> list[dict]:
        return [json.loads(r["body"]) for r in self.requests]


def finding_ids(body: bytes) -> list[str]:
    data = json.loads(body)
    if "findings" in data:
        return [f["finding_id"] for f in data["findings"]]
    return [word.strip("[]") for word in data["text"].split() if len(word.strip("[]")) == 32]
