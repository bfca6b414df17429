"""One webhook request, and what its result means for the alerts it carried.

    sent       a 2xx answer: the receiver took them
    retry      not taken: no connection or the request not fully written (certain), or an answer
               of 408, 425, 429 or 5xx (the receiver says it did not take them; trusted as such)
    rejected   any other answer (4xx, a redirect): the same request would fail again
    in_doubt   the request was written but no answer came (a read timeout, a dropped
               connection): the receiver may or may not have acted on it

The receiver's URL can be a secret (a Slack webhook URL is): it never appears in an error.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
from dataclasses import dataclass

import httpx

from dlp import __version__
from dlp.redact import redact


class Outcome(enum.StrEnum):
    SENT = "sent"
    RETRY = "retry"
    REJECTED = "rejected"
    IN_DOUBT = "in_doubt"


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    http_status: int | None = None
    error: str | None = None
    retry_after: float | None = None  # seconds, from a Retry-After header


RETRY_STATUSES = frozenset({408, 425, 429})
# the request never reached the receiver whole, so it cannot have acted on it
NOT_DELIVERED = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.WriteError, httpx.WriteTimeout)


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def post(
    client: httpx.Client,
    url: str,
    body: bytes,
    *,
    alert_id: str,
    secret: str | None,
    timeout: float,
) -> Result:
    headers = {
        "Content-Type": "application/json",
        "User-Agent": f"dlp-chatgpt/{__version__}",
        "X-DLP-Alert-Id": alert_id,
    }
    if secret:
        headers["X-DLP-Signature-256"] = signature(secret, body)
    try:
        response = client.post(url, content=body, headers=headers, timeout=timeout)
    except NOT_DELIVERED as exc:
        return Result(Outcome.RETRY, error=_describe(exc, url))
    except httpx.HTTPError as exc:  # written, unanswered: a read timeout, a connection dropped mid-answer
        return Result(Outcome.IN_DOUBT, error=_describe(exc, url))
    status = response.status_code
    if 200 <= status < 300:
        return Result(Outcome.SENT, status)
    if status in RETRY_STATUSES or status >= 500:
        return Result(Outcome.RETRY, status, f"the receiver answered {status}", _retry_after(response))
    return Result(Outcome.REJECTED, status, f"the receiver answered {status}; the request will not be sent again")


def _describe(exc: Exception, url: str) -> str:
    text = str(exc).replace(url, "<receiver url>")
    return f"{type(exc).__name__}: {redact(text)}"[:300] if text else type(exc).__name__


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return None
