"""Make ZIP-based Office files byte-for-byte reproducible.

python-docx, openpyxl and python-pptx stamp each ZIP entry with the current
time; rewriting the archive with a fixed timestamp makes the same seed give
the same bytes.
"""

from __future__ import annotations

import io
import zipfile

_FIXED_TIME = (2024, 1, 1, 0, 0, 0)


def normalize_zip(data: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()
