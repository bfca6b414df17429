"""OCR with the Tesseract binary (Debian: tesseract-ocr), within a per-file page and time budget.

`ocr_text` is the one way the extractors read text from pixels. It returns
None, and records the image as needing OCR, when the binary is not
installed: the file's outcome then becomes `needs_ocr`, never a silent
"scanned, no text". The image goes to Tesseract on stdin and the text comes
back on stdout: no temporary file holds it, nothing leaves the machine.
"""

from __future__ import annotations

import os
import shutil
import subprocess

from dlp.extract.context import ExtractContext
from dlp.extract.errors import Corrupt
from dlp.extract.textdecode import decode_text

NO_ENGINE = "the OCR engine ({command}) is not installed (Debian: apt-get install tesseract-ocr)"
# Tesseract starts one OpenMP thread per core; extraction runs one process per core already.
_ENV = {**os.environ, "OMP_THREAD_LIMIT": "1"}


def tesseract_path(command: str) -> str | None:
    return shutil.which(command)


def ocr_text(image: bytes, ctx: ExtractContext, what: str) -> str | None:
    """The text Tesseract reads in `image`, "" when it reads none, None when it could not run.

    `what` names the image in reasons ("page 3", "scan.png"). Past the file's OCR
    budget (ocr_max_pages, ocr_timeout_seconds) the image is noted and skipped.
    """
    budget = ctx.budget
    config = ctx.config
    command = tesseract_path(config.tesseract_command)
    if command is None:
        budget.needs_ocr.append(what)
        return None
    budget.check_time()
    seconds_left = min(
        config.ocr_timeout_seconds - budget.ocr_seconds_spent,
        config.timeout_seconds - (budget.clock() - budget.started),
    )
    if budget.ocr_pages_left <= 0 or seconds_left <= 0:
        limit = "ocr_max_pages" if budget.ocr_pages_left <= 0 else "ocr_timeout_seconds"
        budget.note(f"{what}: not OCR'd, the file's OCR budget is spent ({limit})", truncated=True)
        return None
    budget.ocr_pages_left -= 1
    started = budget.clock()
    try:
        done = subprocess.run(
            [command, "stdin", "stdout"], input=image, capture_output=True, timeout=seconds_left, check=False, env=_ENV
        )
    except subprocess.TimeoutExpired:
        budget.note(f"{what}: OCR stopped after {seconds_left:.0f} s (ocr_timeout_seconds)", truncated=True)
        budget.ocr_seconds_spent = config.ocr_timeout_seconds
        return None
    except OSError as exc:
        budget.needs_ocr.append(what)
        budget.note(f"the OCR engine could not be run ({type(exc).__name__})")
        return None
    finally:
        budget.ocr_seconds_spent += budget.clock() - started
    if done.returncode != 0:
        raise Corrupt(f"OCR could not read {what} (tesseract exit code {done.returncode})")
    return decode_text(done.stdout).strip()
