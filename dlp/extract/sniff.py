"""Name a file's real type from its bytes; the file name's extension is only a hint.

A PDF named `.txt` is a PDF; an executable named `.docx` is an executable.
The extension decides only between readings the bytes allow (a text file
named `.csv` is read as CSV, a ZIP named `.docx` whose directory is broken
is reported as a DOCX).
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import PurePosixPath

from dlp.extract.textdecode import looks_like_text

IMAGE_TYPES = frozenset({"png", "jpeg", "gif", "tiff", "bmp", "webp"})

# Types we recognise but do not read, with the reason given to the analyst.
UNREADABLE_TYPES: dict[str, str] = {
    "executable": "executable program files are not inspected",
    "rar": "RAR archives are not supported (no free RAR decompressor is packaged)",
    "unknown": "binary content of unknown type",
}
ENCRYPTED_OFFICE = "encrypted_office"  # an OOXML file wrapped in an encrypted OLE container

SNIFF_BYTES = 8192
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"MZ", "executable"),
    (b"\x7fELF", "executable"),
    (b"\xfe\xed\xfa\xce", "executable"),
    (b"\xfe\xed\xfa\xcf", "executable"),
    (b"\xce\xfa\xed\xfe", "executable"),
    (b"\xcf\xfa\xed\xfe", "executable"),
    (b"\xca\xfe\xba\xbe", "executable"),  # Mach-O fat binary (also Java class files: not text either)
    (b"\x00asm", "executable"),
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"Rar!\x1a\x07", "rar"),
    (b"{\\rtf", "rtf"),
)

CODE_EXTENSIONS = frozenset(
    "py pyw ipynb js mjs cjs ts tsx jsx java kt kts scala groovy gradle c h cc cpp cxx hpp hh cs go rs rb php pl pm "
    "swift m mm r lua sh bash zsh fish ps1 psm1 bat cmd sql yaml yml toml ini cfg conf env properties tf tfvars hcl "
    "dockerfile makefile mk cmake vue svelte dart ex exs erl hs clj elm jl nim zig sol proto graphql gql".split()
)
_EXTENSION_TYPES = {
    "csv": "csv", "tsv": "csv", "tab": "csv",
    "json": "json", "jsonl": "json", "ndjson": "json", "geojson": "json",
    "md": "md", "markdown": "md", "mdx": "md",
    "html": "html", "htm": "html", "xhtml": "html",
    "xml": "xml", "svg": "xml", "xsd": "xml", "xsl": "xml", "plist": "xml",
    "eml": "eml",
    "txt": "txt", "text": "txt", "log": "txt",
}  # fmt: skip
_OOXML_BY_EXTENSION = {
    "docx": "docx", "docm": "docx", "dotx": "docx", "dotm": "docx", "xlsx": "xlsx", "xlsm": "xlsm", "xltx": "xlsx",
    "xltm": "xlsm", "xlsb": "xlsb", "pptx": "pptx", "pptm": "pptx", "ppsx": "pptx", "ppsm": "pptx", "potx": "pptx",
    "potm": "pptx", "odt": "odt", "ott": "odt", "ods": "ods", "ots": "ods", "odp": "odp", "otp": "odp",
}  # fmt: skip
# OpenDocument: the package's `mimetype` member, or a flat XML file's office:mimetype attribute.
_ODF_MIMETYPES = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.text-template": "odt",
    b"application/vnd.oasis.opendocument.text-master": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
    b"application/vnd.oasis.opendocument.spreadsheet-template": "ods",
    b"application/vnd.oasis.opendocument.presentation": "odp",
    b"application/vnd.oasis.opendocument.presentation-template": "odp",
    b"application/vnd.oasis.opendocument.graphics": "odp",  # drawings: pages of shapes, read like slides
}
_FLAT_ODF = re.compile(rb"<office:document\b[^>]*\boffice:mimetype=\"([^\"]+)\"")
_EMAIL_HEADERS = frozenset(
    {"from", "to", "cc", "subject", "date", "received", "message-id", "mime-version", "return-path",
     "delivered-to", "reply-to", "content-type", "x-mailer", "dkim-signature", "sender"}
)  # fmt: skip
_HEADER_LINE = re.compile(rb"^([A-Za-z][A-Za-z0-9-]{0,40}):[ \t]?")


def extension(filename: str | None) -> str:
    if not filename:
        return ""
    name = PurePosixPath(filename.replace("\\", "/")).name.lower()
    if name in ("dockerfile", "makefile", ".env"):
        return name.lstrip(".")
    return name.rsplit(".", 1)[-1] if "." in name else ""


def sniff_type(data: bytes, filename: str | None = None) -> str:
    """The file's real type: "pdf", "docx", "xlsx", "xlsm", "xlsb", "pptx", "odt", "ods", "odp",
    "doc", "xls", "ppt", "rtf", "eml", "msg", "zip", "7z", "tar", "gzip", "bzip2", "xz", "csv",
    "json", "html", "xml", "md", "code", "txt", an image type ("png", "jpeg", ...), or a type we
    do not read ("executable", "ole", "rar", "encrypted_office", "unknown")."""
    try:
        return _sniff(data, filename)
    except Exception:  # each probe is defensive already; a type is owed whatever the bytes
        return "unknown"


def _sniff(data: bytes, filename: str | None) -> str:
    head = bytes(data[:SNIFF_BYTES])
    ext = extension(filename)
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return _sniff_zip(data, ext)
    if head.startswith(OLE_MAGIC):
        return _sniff_ole(data)
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "webp"
    if head.startswith(b"BM") and len(head) > 14 and head[6:10] == b"\x00\x00\x00\x00":
        return "bmp"
    if len(head) > 262 and head[257:262] == b"ustar":
        return "tar"
    if not looks_like_text(head):
        return "unknown"
    return _sniff_text(head, ext)


def _sniff_zip(data: bytes, ext: str) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = set(zf.namelist())
            mimetype = zf.read("mimetype")[:100].strip() if "mimetype" in names else b""
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, RuntimeError):
        # A broken directory: trust an OOXML extension, so the analyst sees "corrupt docx".
        return _OOXML_BY_EXTENSION.get(ext, "zip")
    if mimetype in _ODF_MIMETYPES and "content.xml" in names:
        return _ODF_MIMETYPES[mimetype]
    if "[Content_Types].xml" in names:
        if "word/document.xml" in names or any(n.startswith("word/") for n in names):
            return "docx"
        if "xl/workbook.bin" in names:
            return "xlsb"
        if any(n.startswith("xl/") for n in names):
            return "xlsm" if "xl/vbaProject.bin" in names else "xlsx"
        if any(n.startswith("ppt/") for n in names):
            return "pptx"
    return "zip"


def _sniff_ole(data: bytes) -> str:
    import olefile  # imported here: only OLE files need it

    try:
        with olefile.OleFileIO(bytes(data)) as ole:
            entries = {"/".join(path) for path in ole.listdir(streams=True, storages=True)}
    except Exception:  # olefile raises a zoo of types on damaged containers
        return "ole"
    # Windows compares stream names without case, and so do we: `ENCRYPTEDPACKAGE` is the same stream.
    top = {entry.split("/", 1)[0].lower() for entry in entries}
    if "encryptioninfo" in top and "encryptedpackage" in top:
        return ENCRYPTED_OFFICE
    if "__properties_version1.0" in top or any(name.startswith("__substg1.0_") for name in top):
        return "msg"
    if "worddocument" in top:
        return "doc"
    if "workbook" in top or "book" in top:
        return "xls"
    if "powerpoint document" in top:
        return "ppt"
    return "ole"


def _sniff_text(head: bytes, ext: str) -> str:
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<!doctype html", b"<html")):
        return "html"
    by_extension = _EXTENSION_TYPES.get(ext)
    if by_extension == "eml" or (by_extension in (None, "txt") and _looks_like_email(head)):
        return "eml"
    if by_extension:
        return by_extension
    if ext in CODE_EXTENSIONS or start.startswith(b"#!"):
        return "code"
    if start.startswith(b"<?xml") or start.startswith(b"<office:document"):
        flat = _FLAT_ODF.search(head)
        if flat and flat.group(1) in _ODF_MIMETYPES:
            return _ODF_MIMETYPES[flat.group(1)]
        return "xml"
    if start[:1] in (b"{", b"[") and _is_json(head):
        return "json"
    return "txt"


def _looks_like_email(head: bytes) -> bool:
    """RFC 5322 headers first: the first lines are `Name: value` and name several mail headers."""
    names: set[str] = set()
    for line in head.lstrip(b"\r\n").splitlines()[:40]:
        if not line.strip():
            break
        if line[:1] in (b" ", b"\t"):
            continue  # a folded header continues
        match = _HEADER_LINE.match(line)
        if not match:
            return False
        names.add(match.group(1).decode("ascii").lower())
    return len(names & _EMAIL_HEADERS) >= 3 and bool(names & {"from", "received", "message-id"})


def _is_json(head: bytes) -> bool:
    if len(head) < SNIFF_BYTES:
        try:
            json.loads(head)
            return True
        except ValueError:
            pass
    # A longer file, or JSON Lines: the first line parses on its own.
    first = head.split(b"\n", 1)[0]
    try:
        json.loads(first)
        return True
    except ValueError:
        return False
