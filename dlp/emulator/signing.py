"""Signed, expiring download URLs (the emulator's stand-in for blob-store SAS links).

A URL carries its expiry (`se`, Unix seconds), a permission (`sp=r`), the
Content-Disposition to serve (`rscd`), a serial number (`sn`: no two URLs are the
same, so a single-use URL asked for again within the same second is a new one)
and an HMAC signature (`sig`) over all of them. It needs no Authorization
header, and it stops working once expired.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote, urlencode


@dataclass(frozen=True)
class SignedTarget:
    kind: str  # upload | gpt | project | log
    object_id: str
    disposition: str


class UrlSigner:
    def __init__(self, key: bytes | None = None, single_use: bool = False) -> None:
        self._key = key or secrets.token_bytes(32)
        self._single_use = single_use
        self._used: set[str] = set()
        self._lock = threading.Lock()
        self._serial = 0

    def url(self, base: str, kind: str, object_id: str, file_name: str, now: datetime, ttl: timedelta) -> str:
        expiry = str(int((now + ttl).timestamp()))
        disposition = f'attachment; filename="{file_name}"'
        with self._lock:
            self._serial += 1
            serial = str(self._serial)
        signature = self._sign(kind, object_id, expiry, disposition, serial)
        query = urlencode({"se": expiry, "sp": "r", "sv": "2024-08-04", "rscd": disposition, "sn": serial,
                           "sig": signature}, quote_via=quote)
        return f"{base.rstrip('/')}/_blob/{kind}/{object_id}?{query}"

    def verify(self, kind: str, object_id: str, params: dict[str, str], now: datetime) -> SignedTarget | str:
        """The target of a valid URL, or the reason it is refused ("invalid", "expired", "used")."""
        expiry, disposition, signature = params.get("se", ""), params.get("rscd", ""), params.get("sig", "")
        if not expiry.isdigit() or params.get("sp") != "r" or not signature:
            return "invalid"
        expected = self._sign(kind, object_id, expiry, disposition, params.get("sn", ""))
        if not hmac.compare_digest(expected, signature):
            return "invalid"
        if now.timestamp() > int(expiry):
            return "expired"
        if self._single_use:
            with self._lock:
                if signature in self._used:
                    return "used"
                self._used.add(signature)
        return SignedTarget(kind, object_id, disposition)

    def _sign(self, kind: str, object_id: str, expiry: str, disposition: str, serial: str) -> str:
        message = "\n".join((kind, object_id, expiry, disposition, serial)).encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()
