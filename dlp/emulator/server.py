"""Serve the emulator with uvicorn on loopback, in a background thread (or in the foreground)."""

from __future__ import annotations

import logging
import socket
import threading
import time

import uvicorn

from dlp.emulator.app import create_app
from dlp.emulator.clock import Clock
from dlp.emulator.groundtruth import PlantedValue
from dlp.emulator.routes_files import TruncatedBody
from dlp.emulator.settings import EmulatorSettings
from dlp.emulator.state import EmulatorState


class _HideInjectedTruncation(logging.Filter):
    # A truncated body is a fault we inject on purpose; uvicorn would log it as an application crash.
    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, TruncatedBody)


class EmulatorServer:
    """A local Compliance API. Use as a context manager:

        with EmulatorServer(EmulatorSettings(seed=7), clock=FakeClock()) as server:
            httpx.get(f"{server.base_url}/compliance/workspaces/{server.workspace_id}/users",
                      headers={"Authorization": f"Bearer {server.api_key}"})
    """

    def __init__(self, settings: EmulatorSettings | None = None, clock: Clock | None = None,
                 host: str = "127.0.0.1", port: int = 0) -> None:
        self.settings = settings or EmulatorSettings()
        self.clock = clock or Clock()
        self.state = EmulatorState(self.settings, self.clock)
        self.app = create_app(self.state)
        self.host = host
        self._requested_port = port
        self._socket: socket.socket | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self.port = port

    @property
    def workspace_id(self) -> str:
        return self.settings.workspace_id

    @property
    def organization_id(self) -> str:
        return self.settings.organization_id

    @property
    def api_key(self) -> str:
        """The first configured key (the default key has both read and delete scopes)."""
        return next(iter(self.settings.api_keys))

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/v1"

    @property
    def ground_truth(self) -> list[PlantedValue]:
        return self.state.workspace.ground_truth()

    def bind(self) -> int:
        """Bind the listening socket now (so the port is known before serving); returns the port."""
        if self._socket is None:
            self._socket = self._bind()
        return self.port

    def _bind(self) -> socket.socket:
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        # IPPROTO_TCP explicitly: asyncio then sets TCP_NODELAY on accepted connections (no 40 ms Nagle stalls)
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self._requested_port))
        sock.listen(128)
        self.port = sock.getsockname()[1]
        return sock

    def _config(self) -> uvicorn.Config:
        # access_log off: uvicorn would print full URLs, signatures included. Our middleware logs redacted ones.
        logging.getLogger("uvicorn.error").addFilter(_HideInjectedTruncation())
        return uvicorn.Config(self.app, log_level="warning", access_log=False, lifespan="off")

    def start(self) -> "EmulatorServer":
        if self._thread is not None:
            return self
        self.bind()
        self._server = uvicorn.Server(self._config())
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._socket]},
                                        name=f"emulator-{self.port}", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the emulator server did not start")
            time.sleep(0.005)
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
        if self._socket is not None:
            self._socket.close()
        self._server = self._thread = self._socket = None

    def serve_forever(self) -> None:
        """Run in the foreground until interrupted (for `dlp emulator serve`)."""
        self.bind()
        self._server = uvicorn.Server(self._config())
        try:
            self._server.run(sockets=[self._socket])
        finally:
            self._socket.close()

    def __enter__(self) -> "EmulatorServer":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
