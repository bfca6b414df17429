"""OLE embedded objects: the file inside an `oleObject1.bin` of an Office document, or inside a
legacy document's object pool, read as a member of the document.

Office wraps an embedded file in an OLE container: an OOXML document as its
`Package` stream, a PDF or other content as `CONTENTS`, any other file
(a text file dragged into a sheet) as an `\\x01Ole10Native` stream holding
its name and bytes. An OLE container that holds none of these is not read.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import Any

from dlp.extract.context import ExtractContext
from dlp.extract.errors import Unsupported
from dlp.extract.formats.eml import attachment_parts
from dlp.extract.formats.ole import open_ole
from dlp.extract.model import TextPart

PAYLOAD_STREAMS = ("package", "contents", "\x01ole10native")


def iter_ole(data: bytes, ctx: ExtractContext) -> Iterator[TextPart]:
    with open_ole(data, "OLE") as ole:
        files = list(embedded_files(ole, ()))
    if not files:
        raise Unsupported("an OLE compound file that is not an Office document, an Outlook message or an embedded file")
    yield from attachment_parts(files, ctx, "embedded files")


def embedded_files(ole: Any, storage: tuple[str, ...]) -> Iterator[tuple[str, bytes]]:
    """(name, bytes) of the file held by the OLE object at `storage` ("" for the root)."""
    depth = len(storage)
    streams = {
        path[-1].lower(): path
        for path in ole.listdir(streams=True, storages=False)
        if len(path) == depth + 1 and tuple(path[:depth]) == storage
    }
    for wanted in PAYLOAD_STREAMS:
        path = streams.get(wanted)
        if path is None:
            continue
        try:
            raw = ole.openstream(path).read()
        except Exception:
            continue
        if wanted == "\x01ole10native":
            native = _ole10_native(raw)
            if native is not None:
                yield native
        elif raw:
            yield ("embedded package" if wanted == "package" else "embedded contents"), raw
        return


def pool_files(ole: Any, roots: tuple[str, ...]) -> list[tuple[str, bytes]]:
    """The embedded files of a legacy document's object storages (Word's ObjectPool, Excel's MBD...)."""
    found: list[tuple[str, bytes]] = []
    for path in ole.listdir(streams=False, storages=True):
        top = path[0].lower()
        in_pool = (top == "objectpool" and len(path) == 2) or (len(path) == 1 and top.startswith(roots))
        if in_pool:
            found.extend(embedded_files(ole, tuple(path)))
    return found


def _ole10_native(raw: bytes) -> tuple[str, bytes] | None:
    """[MS-OLEDS] Ole10Native: a size, then a label, the source path, a temporary path, and the bytes."""
    try:
        position = 6  # total size (4), a version-like word (2)
        label_end = raw.index(b"\x00", position)
        label = raw[position:label_end].decode("latin-1")
        path_end = raw.index(b"\x00", label_end + 1)
        position = path_end + 1 + 4  # two reserved words
        (temp_length,) = struct.unpack_from("<I", raw, position)
        position += 4 + temp_length
        (size,) = struct.unpack_from("<I", raw, position)
        position += 4
        content = raw[position : position + size]
    except (ValueError, struct.error):
        return None
    return (label or "embedded file"), content
