"""A small writer of Compound File Binary (OLE2, MS-CFB v3) files and Outlook MSG files on top of it.

No Python library writes MSG files; the extractor reads them with the real
extract-msg (over olefile), so the tests need real MSG bytes to feed it.
This writes what MS-CFB and MS-OXMSG specify, and nothing cleverer: a
directory whose siblings form a sorted chain, small streams in the mini
stream, one FAT of at most 109 sectors.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass, field

SECTOR = 512
MINI_SECTOR = 64
MINI_CUTOFF = 4096
FREESECT, ENDOFCHAIN, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
STORAGE, STREAM, ROOT = 1, 2, 5


@dataclass
class Node:
    name: str
    data: bytes | None = None  # None: a storage
    children: list[Node] = field(default_factory=list)


def _cfb_key(node: Node) -> tuple[int, str]:
    return (len(node.name), node.name.upper())  # MS-CFB sibling order: shorter names first


def write_cfb(children: Sequence[Node]) -> bytes:
    root = Node("Root Entry", None, list(children))
    entries: list[tuple[Node, int]] = []  # (node, type) in directory order

    def number(node: Node, kind: int) -> None:
        entries.append((node, kind))
        for child in sorted(node.children, key=_cfb_key):
            number(child, STREAM if child.data is not None else STORAGE)

    number(root, ROOT)
    ids = {id(node): index for index, (node, _) in enumerate(entries)}

    fat: list[int] = []

    def allocate(count: int) -> int:
        if count == 0:
            return ENDOFCHAIN
        start = len(fat)
        fat.extend(range(start + 1, start + count))
        fat.append(ENDOFCHAIN)
        return start

    def sectors(size: int, unit: int) -> int:
        return (size + unit - 1) // unit

    placement: dict[int, tuple[int, int]] = {}  # entry id -> (start, size)
    big_data = b""
    mini_data = b""
    mini_fat: list[int] = []
    for index, (node, kind) in enumerate(entries):
        if kind != STREAM:
            continue
        assert node.data is not None
        if len(node.data) >= MINI_CUTOFF:
            start = allocate(sectors(len(node.data), SECTOR))
            big_data += node.data.ljust(sectors(len(node.data), SECTOR) * SECTOR, b"\0")
            placement[index] = (start, len(node.data))
        elif node.data:
            count = sectors(len(node.data), MINI_SECTOR)
            start = len(mini_fat)
            mini_fat.extend(range(start + 1, start + count))
            mini_fat.append(ENDOFCHAIN)
            mini_data += node.data.ljust(count * MINI_SECTOR, b"\0")
            placement[index] = (start, len(node.data))
        else:
            placement[index] = (ENDOFCHAIN, 0)
    mini_start = allocate(sectors(len(mini_data), SECTOR))
    placement[0] = (mini_start, len(mini_data))
    mini_fat_bytes = struct.pack(f"<{len(mini_fat)}I", *mini_fat) if mini_fat else b""
    mini_fat_start = allocate(sectors(len(mini_fat_bytes), SECTOR))
    directory = b"".join(
        _entry(node, kind, index, entries, ids, placement) for index, (node, kind) in enumerate(entries)
    )
    directory = directory.ljust(sectors(len(directory), SECTOR) * SECTOR, b"\0")
    empty = bytearray(128)
    struct.pack_into("<III", empty, 68, NOSTREAM, NOSTREAM, NOSTREAM)
    directory = b"".join(
        directory[i : i + 128] if any(directory[i : i + 128]) else bytes(empty) for i in range(0, len(directory), 128)
    )
    directory_start = allocate(len(directory) // SECTOR)
    fat_count = 1
    while len(fat) + fat_count > fat_count * (SECTOR // 4):
        fat_count += 1
    assert fat_count <= 109, "test files stay small: no DIFAT sectors"
    fat_start = len(fat)
    fat.extend([FATSECT] * fat_count)
    fat.extend([FREESECT] * (fat_count * (SECTOR // 4) - len(fat)))
    header = bytearray(SECTOR)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x003E, 0x0003, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 40, 0, fat_count, directory_start, 0, MINI_CUTOFF,
                     mini_fat_start, sectors(len(mini_fat_bytes), SECTOR), ENDOFCHAIN, 0)  # fmt: skip
    difat = [fat_start + n for n in range(fat_count)] + [FREESECT] * (109 - fat_count)
    struct.pack_into("<109I", header, 76, *difat)
    body = (
        big_data
        + mini_data.ljust(sectors(len(mini_data), SECTOR) * SECTOR, b"\0")
        + mini_fat_bytes.ljust(sectors(len(mini_fat_bytes), SECTOR) * SECTOR, b"\0")
        + directory
        + struct.pack(f"<{len(fat)}I", *fat)
    )
    return bytes(header) + body


def _entry(node: Node, kind: int, index: int, entries: list, ids: dict, placement: dict) -> bytes:
    name = node.name.encode("utf-16-le") + b"\0\0"
    assert len(name) <= 64
    raw = bytearray(128)
    raw[0 : len(name)] = name
    siblings_of = {}  # each storage's children form a chain through their right-sibling pointers
    for parent, _ in entries:
        ordered = sorted(parent.children, key=_cfb_key)
        for position, child in enumerate(ordered):
            siblings_of[id(child)] = ids[id(ordered[position + 1])] if position + 1 < len(ordered) else NOSTREAM
    children = sorted(node.children, key=_cfb_key)
    child = ids[id(children[0])] if children else NOSTREAM
    right = siblings_of.get(id(node), NOSTREAM)
    start, size = placement.get(index, (ENDOFCHAIN if kind != STORAGE else 0, 0))
    struct.pack_into("<HBB", raw, 64, len(name), kind, 1)
    struct.pack_into("<III", raw, 68, NOSTREAM, right, child)
    struct.pack_into("<IQ", raw, 116, start, size)
    return bytes(raw)


# ---- Outlook MSG (MS-OXMSG) -------------------------------------------------------------------------

PT_LONG, PT_UNICODE, PT_BINARY = 0x0003, 0x001F, 0x0102


def _string(prop: int, text: str) -> tuple[Node, bytes]:
    data = text.encode("utf-16-le")
    entry = struct.pack("<IIII", (prop << 16) | PT_UNICODE, 0x6, len(data) + 2, 0)
    return Node(f"__substg1.0_{prop:04X}{PT_UNICODE:04X}", data), entry


def _binary(prop: int, data: bytes) -> tuple[Node, bytes]:
    entry = struct.pack("<IIII", (prop << 16) | PT_BINARY, 0x6, len(data), 0)
    return Node(f"__substg1.0_{prop:04X}{PT_BINARY:04X}", data), entry


def build_msg(
    subject: str, body: str, *, sender: str = "Ann Lee <ann@example.com>", to: str = "bob@example.com",
    attachments: Sequence[tuple[str, bytes]] = (),
) -> bytes:  # fmt: skip
    """An Outlook message (IPM.Note) with a plain-text body and attachments by value."""
    headers = f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\nMIME-Version: 1.0\r\n\r\n"
    streams = [
        _string(0x001A, "IPM.Note"),
        _string(0x0037, subject),
        _string(0x1000, body),
        _string(0x0C1A, sender.split(" <")[0]),
        _string(0x0E04, to),
        _string(0x007D, headers),
    ]
    children = [node for node, _ in streams]
    for number, (name, content) in enumerate(attachments):
        parts = [_string(0x3707, name), _string(0x3001, name), _binary(0x3701, content)]
        method = struct.pack("<IIII", (0x3705 << 16) | PT_LONG, 0x6, 1, 0)  # ATTACH_BY_VALUE
        properties = bytes(8) + method + b"".join(entry for _, entry in parts)
        children.append(
            Node(
                f"__attach_version1.0_#{number:08X}",
                None,
                [n for n, _ in parts] + [Node("__properties_version1.0", properties)],
            )
        )
    header = struct.pack("<QIIIIQ", 0, 0, len(attachments), 0, len(attachments), 0)
    children.append(Node("__properties_version1.0", header + b"".join(entry for _, entry in streams)))
    children.append(
        Node("__nameid_version1.0", None, [Node("__substg1.0_00020102", b""), Node("__substg1.0_00030102", b""),
                                           Node("__substg1.0_00040102", b"")])
    )  # fmt: skip
    return write_cfb(children)
