"""Outlook MSG: subject, addresses, body (plain, else HTML), attachments and attached messages (extract-msg)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import extract_msg

from dlp.extract.context import ExtractContext
from dlp.extract.errors import Corrupt
from dlp.extract.formats.eml import attachment_parts
from dlp.extract.formats.html import html_to_text
from dlp.extract.model import TextPart
from dlp.extract.textdecode import decode_text


def iter_msg(data: bytes, ctx: ExtractContext) -> Iterator[TextPart]:
    try:
        message = extract_msg.openMsg(data, strict=False, delayAttachments=False)
    except Exception as exc:
        raise Corrupt(f"the Outlook message is unreadable ({type(exc).__name__})") from None
    try:
        yield from _message_parts(message, ctx)
    finally:
        message.close()


def _message_parts(message: Any, ctx: ExtractContext) -> Iterator[TextPart]:
    subject = _property(message, "subject")
    if subject:
        yield TextPart(subject, ctx.locate("subject"))
    addresses = [f"{label}: {value}" for label, name in (("From", "sender"), ("To", "to"), ("Cc", "cc"), ("Bcc", "bcc"))
                 if (value := _property(message, name))]  # fmt: skip
    if addresses:
        yield TextPart("\n".join(addresses), ctx.locate("headers"))
    body = _property(message, "body")
    if not body:
        html = _property(message, "htmlBody")
        body = html_to_text(html) if html else ""
    if body and not body.isspace():
        yield TextPart(body, ctx.locate("body"))
    attachments: list[tuple[str, bytes]] = []
    for number, attachment in enumerate(getattr(message, "attachments", None) or [], start=1):
        name = _attachment_name(attachment, number)
        content = _attachment_bytes(attachment, ctx)
        if content is not None:
            attachments.append((name, content))
    yield from attachment_parts(attachments, ctx)


def _attachment_bytes(attachment: Any, ctx: ExtractContext) -> bytes | None:
    try:
        data = attachment.data
    except Exception as exc:
        ctx.budget.note(f"{ctx.label()}: an attachment is unreadable ({type(exc).__name__})", truncated=True)
        return None
    if isinstance(data, bytes):
        return data
    if data is not None and hasattr(data, "exportBytes"):  # an attached message: read it as an MSG of its own
        try:
            return data.exportBytes()
        except Exception as exc:
            ctx.budget.note(f"{ctx.label()}: an attached message is unreadable ({type(exc).__name__})", truncated=True)
    return None


def _attachment_name(attachment: Any, number: int) -> str:
    for name in ("longFilename", "shortFilename", "displayName", "name"):
        value = _property(attachment, name)
        if value:
            return value
    return f"attachment {number}"


def _property(obj: Any, name: str) -> str:
    """A string property; extract-msg raises on some damaged properties, which must not cost the rest."""
    try:
        value = getattr(obj, name, None)
    except Exception:
        return ""
    if isinstance(value, bytes):
        return decode_text(value)
    return str(value).strip() if value else ""
