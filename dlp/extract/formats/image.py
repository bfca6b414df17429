"""Images: text by OCR with the Tesseract binary, when "image" is among the inspected types and it is installed."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator

from dlp.extract.context import ExtractContext
from dlp.extract.errors import Corrupt, TimedOut, UnsupportedImage
from dlp.extract.model import TextPart
from dlp.extract.textdecode import decode_text


def iter_image(data: bytes, ctx: ExtractContext) -> Iterator[TextPart]:
    command = shutil.which(ctx.config.tesseract_command)
    if command is None:
        raise UnsupportedImage(f"OCR is on but the Tesseract binary ({ctx.config.tesseract_command}) is not installed")
    budget = ctx.budget
    budget.check_time()
    remaining = ctx.config.timeout_seconds - (budget.clock() - budget.started)
    try:
        # stdin -> stdout: no temporary file holds the image; nothing leaves the machine.
        done = subprocess.run(
            [command, "stdin", "stdout"], input=data, capture_output=True, timeout=max(remaining, 0.1), check=False
        )
    except subprocess.TimeoutExpired:
        raise TimedOut(f"OCR stopped after {ctx.config.timeout_seconds:g} s (timeout_seconds)") from None
    except OSError as exc:
        raise UnsupportedImage(f"the Tesseract binary could not be run ({type(exc).__name__})") from None
    if done.returncode != 0:
        raise Corrupt(f"OCR could not read the image (tesseract exit code {done.returncode})")
    text = decode_text(done.stdout)
    if text and not text.isspace():
        yield TextPart(text, ctx.locate("image text"))
