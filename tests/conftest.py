"""Suite-wide settings: a private compiled-pattern cache, so tests neither read nor fill the user's."""

import os
import tempfile

# Set at import time so that subprocesses started by tests (scans killed and resumed) share it.
os.environ.setdefault("DLP_CACHE_DIR", tempfile.mkdtemp(prefix="dlp-test-cache-"))
