"""OLE compound files (legacy Office containers): open one, and read a stream by its name in any case.

Stream names are compared case-insensitively, as Windows and Office do: a
file written with `WORDDOCUMENT` or `encryptedpackage` is the same file.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager

import olefile

from dlp.extract.context import ExtractContext
from dlp.extract.errors import Corrupt, Encrypted


@contextmanager
def open_ole(data: bytes, kind: str) -> Iterator[olefile.OleFileIO]:
    try:
        ole = olefile.OleFileIO(bytes(data))
    except Exception as exc:  # olefile raises a zoo of types on damaged containers
        raise Corrupt(f"the {kind} container is damaged ({type(exc).__name__})") from None
    try:
        yield ole
    finally:
        ole.close()


def find_stream(ole: olefile.OleFileIO, name: str) -> list[str] | None:
    """The path of a top-level stream, matched without regard to case."""
    wanted = name.lower()
    for path in ole.listdir(streams=True, storages=False):
        if len(path) == 1 and path[0].lower() == wanted:
            return path
    return None


def stream_bytes(ole: olefile.OleFileIO, name: str, ctx: ExtractContext) -> bytes | None:
    """A top-level stream's bytes, or None when there is none; a broken chain is Corrupt."""
    path = find_stream(ole, name)
    if path is None:
        return None
    try:
        return ole.openstream(path).read()
    except Exception as exc:
        raise Corrupt(f"the {name} stream is damaged ({type(exc).__name__})") from None


def check_not_encrypted(data: bytes, kind: str) -> None:
    """Raise Encrypted when msoffcrypto-tool finds the legacy file password-protected (RC4 or XOR)."""
    import msoffcrypto  # imported here: only legacy Excel and PowerPoint need it

    try:
        encrypted = msoffcrypto.OfficeFile(io.BytesIO(data)).is_encrypted()
    except Exception:  # not a shape msoffcrypto knows: the reader decides whether it is readable
        return
    if encrypted:
        raise Encrypted(f"the {kind} is password-protected")
