"""The dlp error family: one base, and a mark that says whether trying again can help.

    DlpError                      an error the engine raises on purpose, worded for the operator
     ├── ... + Transient          the same call may succeed later: retry with backoff, or wait for the next run
     └── ... + Terminal           retrying cannot help (a wrong key, a missing scope, a receiver that
                                  rejects the request): stop and say what to change

A caller that retries checks the class (`is_transient(exc)`) instead of keeping its own list
of exception types, as dlt's loader does with its `TransientException`/`TerminalException`.
An error with neither mark is terminal.
"""

from __future__ import annotations


class DlpError(Exception):
    """Base of the errors the dlp engine raises on purpose."""


class Transient:
    """Mark: the condition is expected to pass (a busy database, a receiver that is down)."""


class Terminal:
    """Mark: the same call will fail again until someone changes something."""


def is_transient(exc: BaseException) -> bool:
    return isinstance(exc, Transient)
