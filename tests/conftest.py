"""Suite-wide settings: a private compiled-pattern cache, so tests neither read nor fill the user's."""

import os
import tempfile

# Set at import time so that subprocesses started by tests (scans killed and resumed) share it.
os.environ.setdefault("DLP_CACHE_DIR", tempfile.mkdtemp(prefix="dlp-test-cache-"))


def pytest_addoption(parser):
    parser.addoption(
        "--update-golden", action="store_true", default=False,
        help="rewrite the golden files under fixtures/ from the current output instead of comparing (then review the diff)",
    )
