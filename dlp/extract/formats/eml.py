"""EML e-mail: subject, addresses, the body (plain text preferred over HTML), and attachments as members."""

from __future__ import annotations

from collections.abc import Iterator
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser

from dlp.extract.context import ExtractContext
from dlp.extract.dispatch import iter_member
from dlp.extract.formats.archive import container_too_deep, member_name
from dlp.extract.formats.html import html_to_text
from dlp.extract.model import TextPart
from dlp.extract.textdecode import decode_text

ADDRESS_HEADERS = ("From", "Sender", "Reply-To", "To", "Cc", "Bcc")


def iter_eml(data: bytes, ctx: ExtractContext) -> Iterator[TextPart]:
    message = BytesParser(policy=policy.default).parsebytes(data)
    yield from message_parts(message, ctx)


def message_parts(message: Message, ctx: ExtractContext) -> Iterator[TextPart]:
    subject = _header(message, "Subject")
    if subject:
        yield TextPart(subject, ctx.locate("subject"))
    addresses = [f"{name}: {value}" for name in ADDRESS_HEADERS if (value := _header(message, name))]
    if addresses:
        yield TextPart("\n".join(addresses), ctx.locate("headers"))
    bodies: list[str] = []
    attachments: list[tuple[str, bytes]] = []
    _walk(message, bodies, attachments)
    for number, body in enumerate(bodies, start=1):
        if body and not body.isspace():
            yield TextPart(body, ctx.locate("body" if number == 1 else f"body {number}"))
    yield from attachment_parts(attachments, ctx)


def attachment_parts(
    attachments: list[tuple[str, bytes]], ctx: ExtractContext, what: str = "attachments"
) -> Iterator[TextPart]:
    """Attachments are members of their file, like entries of an archive, under the same limits."""
    if not attachments or container_too_deep(ctx, what):
        return
    used: set[str] = set()
    for name, content in attachments:
        ctx.budget.check_time()
        name = _unique(member_name(name), used)
        yield from iter_member(content, ctx.member(name))


def _walk(part: Message, bodies: list[str], attachments: list[tuple[str, bytes]]) -> None:
    content_type = part.get_content_type()
    if content_type == "message/rfc822":
        inner = part.get_payload()
        inner_message = inner[0] if isinstance(inner, list) and inner else inner
        if isinstance(inner_message, Message):
            attachments.append(
                (part.get_filename() or f"attached message {len(attachments) + 1}.eml", inner_message.as_bytes())
            )
        return
    if part.is_multipart():
        children = [child for child in part.get_payload() if isinstance(child, Message)]
        if content_type == "multipart/alternative":
            # The same text twice (plain and HTML) would report each finding twice: keep the plain one.
            plain = [child for child in children if child.get_content_type() == "text/plain"]
            children = plain[-1:] or children[-1:]
        for child in children:
            _walk(child, bodies, attachments)
        return
    filename = part.get_filename()
    is_body_text = content_type in ("text/plain", "text/html") and part.get_content_disposition() != "attachment"
    if is_body_text and not filename:
        text = _text(part)
        bodies.append(html_to_text(text) if content_type == "text/html" else text)
        return
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes) and payload:
        attachments.append((filename or f"attachment {len(attachments) + 1}", payload))


def _text(part: Message) -> str:
    """A text part's content in its declared charset, or detected when the declaration is wrong."""
    if isinstance(part, EmailMessage):
        try:
            content = part.get_content()
            if isinstance(content, str):
                return content
        except (LookupError, UnicodeError, ValueError, AssertionError):
            pass
    payload = part.get_payload(decode=True)
    return decode_text(payload) if isinstance(payload, bytes) else ""


def _header(message: Message, name: str) -> str:
    try:
        value = message.get(name)
    except Exception:  # a malformed header must not cost the body
        return ""
    return str(value).strip() if value is not None else ""


def _unique(name: str, used: set[str]) -> str:
    candidate, number = name, 1
    while candidate in used:
        number += 1
        candidate = f"{name} ({number})"
    used.add(candidate)
    return candidate
