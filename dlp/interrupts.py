"""Ctrl-C and SIGTERM end work cleanly: the running scan is cancelled, records why, and the CLI exits 130 or 143.

`run(coro)` runs a coroutine with both signals turned into a cancellation of its
task, carrying the signal's name ("interrupted by SIGTERM"), so the scan's own
clean-up runs (staged work committed, the scan row marked `interrupted`) and
then `Interrupted` is raised. A second signal while cleaning up ends the process
at once: the store survives a hard stop, and the cursors make the next scan
resume exactly where the last commit left off.

`terminate_raises()` makes SIGTERM raise `Interrupted` in synchronous code too
(the scheduler's sleep between scans), as Ctrl-C raises KeyboardInterrupt.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Coroutine, Iterator
from types import FrameType
from typing import Any, TypeVar

T = TypeVar("T")
HANDLED = (signal.SIGINT, signal.SIGTERM)


class Interrupted(Exception):
    """The work was stopped by a signal; `signum` says which."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(f"interrupted by {signal.Signals(signum).name}")


def run(coro: Coroutine[Any, Any, T]) -> T:
    """`asyncio.run(coro)`, with SIGINT and SIGTERM cancelling it; raises Interrupted once it has cleaned up."""
    return asyncio.run(_guarded(coro))


async def _guarded(coro: Coroutine[Any, Any, T]) -> T:
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    assert task is not None
    received: list[int] = []

    def on_signal(signum: int) -> None:
        if received:  # a second signal: the user does not want to wait for the clean-up
            sys.stderr.write(f"{signal.Signals(signum).name} again: stopping now\n")
            sys.stderr.flush()
            os._exit(128 + signum)
        received.append(signum)
        task.cancel(f"interrupted by {signal.Signals(signum).name}")

    previous = {signum: signal.getsignal(signum) for signum in HANDLED}
    installed = []
    for signum in HANDLED:
        try:
            loop.add_signal_handler(signum, on_signal, signum)
            installed.append(signum)
        except (NotImplementedError, RuntimeError, ValueError):  # not the main thread, or no signals here
            pass
    try:
        return await coro
    except asyncio.CancelledError:
        if received:
            raise Interrupted(received[0]) from None
        raise
    finally:
        for signum in installed:
            loop.remove_signal_handler(signum)
            signal.signal(signum, previous[signum])


def _raise_interrupted(signum: int, frame: FrameType | None) -> None:
    raise Interrupted(signum)


@contextlib.contextmanager
def terminate_raises() -> Iterator[None]:
    """Within the block SIGTERM raises Interrupted in the main thread (SIGINT raises KeyboardInterrupt as usual)."""
    try:
        previous = signal.signal(signal.SIGTERM, _raise_interrupted)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
